"""The organizer's decision on a deputy (người dự thay) when the workshop asks for approval:
approved, the deputy gets a pass of their own and the earlier pass stops working at the door;
refused, the invitee reads the reason on the personal page and may name another deputy or
answer otherwise. The deputies named are in DeputyNomination, kept for the history."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from ..models import DeputyNomination, Invitation, User
from ..models.invitations import new_pass_token
from ..timeutil import utcnow
from .services import InvitationError, _clean

MAX_REASON = 500  # the length of the reason column


class NothingToDecide(InvitationError):
    """No deputy waits for a decision: already decided, withdrawn, or none named."""


def decide(invitation: Invitation, approve: bool, reason: str | None = None, *,
           actor: User | None = None) -> Invitation:
    """Approve or refuse the deputy waiting for the organizer; a refusal needs its reason.

    One guarded UPDATE decides: of two decisions at the same moment, or a decision and the
    invitee's new answer, only the first finds the deputy still pending; the other is refused
    with NothingToDecide and changes nothing."""
    reason = _clean(reason)
    if not approve and not reason:
        message = _("Vui lòng nêu lý do không chấp thuận để đại biểu được biết.")
        raise InvitationError(message, {"reason": [message]})
    if reason and len(reason) > MAX_REASON:
        message = _("Tối đa %(max)d ký tự.", max=MAX_REASON)
        raise InvitationError(message, {"reason": [message]})
    nomination = db.session.scalar(
        select(DeputyNomination).where(DeputyNomination.invitation_id == invitation.id,
                                       DeputyNomination.state == "pending")
        .order_by(DeputyNomination.id.desc()).limit(1)
    )
    old_pass = invitation.pass_token
    values: dict = {"deputy_state": "approved" if approve else "refused"}
    if approve:
        values["pass_token"] = new_pass_token()
    decided = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == "delegated",
               Invitation.deputy_state == "pending")
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if not decided or nomination is None:
        db.session.rollback()
        raise NothingToDecide(_("Không có người dự thay nào đang chờ duyệt: có thể đã được "
                                "quyết định hoặc đại biểu đã đổi câu trả lời."))
    now = utcnow()
    nomination.state = values["deputy_state"]
    nomination.decided_at = now
    nomination.decided_by = actor if actor is not None else audit.acting_user()
    nomination.reason = reason
    if approve:
        nomination.pass_token = values["pass_token"]
        nomination.replaced_pass_token = old_pass
    audit.log("invitations.approve_deputy" if approve else "invitations.refuse_deputy",
              workshop=invitation.workshop_id,
              detail=f"{nomination.name} ({invitation.name})", actor=actor)
    db.session.commit()  # expires the invitation: read again as the database holds it
    return invitation

