"""The organizer's decision on a deputy (người dự thay) when the workshop asks for approval:
approved, the deputy gets a pass of their own (e-mailed to them when the invitee gave their
address) and the earlier pass stops working at the door; refused, the invitee reads the reason
on the personal page and may name another deputy or answer otherwise — nobody else is told.
The deputies named are in DeputyNomination, kept for the history."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from ..models import DeputyNomination, Invitation, OutboxMessage, User
from ..models.invitations import new_pass_token
from ..timeutil import local_time, long_date, utcnow
from . import sharing
from .services import InvitationError, _clean

MAX_REASON = 500  # the length of the reason column
DEPUTY_MAIL = "deputy"  # the outbox kind of the e-mail bringing a deputy their own pass


class NothingToDecide(InvitationError):
    """No deputy waits for a decision: already decided, withdrawn, or none named."""


def queue_pass_mail(invitation: Invitation, nomination: DeputyNomination, pass_token: str) -> None:
    """Queue the e-mail that brings the approved deputy their own pass, when the invitee gave
    the deputy's address; in the caller's transaction, so that it leaves only if the approval
    is committed. It is no e-mail of the invitation's (no `invitation_id`): its delivery must
    not make a draft "sent", nor count as the invitation's e-mail on the outbox page."""
    if not nomination.email:
        return
    subject, text = sharing.deputy_pass_mail(invitation, nomination, pass_token)
    db.session.add(OutboxMessage(kind=DEPUTY_MAIL, to_address=nomination.email, subject=subject,
                                 body_text=text, next_attempt_at=utcnow()))


def decide(invitation: Invitation, approve: bool, reason: str | None = None, *,
           nomination_id: int | None = None, actor: User | None = None) -> Invitation:
    """Approve or refuse the deputy waiting for the organizer; a refusal needs its reason.

    `nomination_id` is the deputy the organizer saw (the page and the API send it): if the
    invitee has named someone else since, that other person is not approved unseen.

    Two guarded UPDATEs decide, in the order the invitee's answer writes (the nomination, then
    the invitation): of two decisions at the same moment, or a decision and the invitee's new
    answer, only the first finds the deputy still pending; the other is refused with
    NothingToDecide, which says what became of the deputy, and changes nothing."""
    reason = _clean(reason)
    if not approve and not reason:
        message = _("Vui lòng nêu lý do không chấp thuận để đại biểu được biết.")
        raise InvitationError(message, {"reason": [message]})
    if reason and len(reason) > MAX_REASON:
        message = _("Tối đa %(max)d ký tự.", max=MAX_REASON)
        raise InvitationError(message, {"reason": [message]})
    waiting = select(DeputyNomination).where(DeputyNomination.invitation_id == invitation.id,
                                             DeputyNomination.state == "pending")
    if nomination_id is not None:
        waiting = waiting.where(DeputyNomination.id == nomination_id)
    nomination = db.session.scalar(waiting.order_by(DeputyNomination.id.desc()).limit(1))
    if nomination is None:
        raise _nothing_to_decide(invitation, nomination_id)
    state = "approved" if approve else "refused"
    decider = actor if actor is not None else audit.acting_user()
    new_pass = new_pass_token() if approve else None
    current_pass = (select(Invitation.pass_token).where(Invitation.id == invitation.id)
                    .scalar_subquery())
    decided = db.session.execute(
        update(DeputyNomination)
        .where(DeputyNomination.id == nomination.id, DeputyNomination.state == "pending")
        .values(state=state, decided_at=utcnow(), reason=reason,
                decided_by_id=decider.id if decider is not None else None,
                pass_token=new_pass, replaced_pass_token=current_pass if approve else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if decided:
        values: dict = {"deputy_state": state}
        if approve:
            values["pass_token"] = new_pass
        decided = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.status == "delegated",
                   Invitation.deputy_state == "pending")
            .values(**values).execution_options(synchronize_session=False)
        ).rowcount
    if not decided:
        db.session.rollback()
        raise _nothing_to_decide(invitation, nomination.id)
    if approve:
        queue_pass_mail(invitation, nomination, new_pass)
    audit.log("invitations.approve_deputy" if approve else "invitations.refuse_deputy",
              workshop=invitation.workshop_id,
              detail=f"{nomination.name} ({invitation.name})", actor=actor)
    db.session.commit()  # expires the invitation: read again as the database holds it
    return invitation


def _nothing_to_decide(invitation: Invitation, nomination_id: int | None) -> NothingToDecide:
    """The refusal of a decision that came too late, saying what happened meanwhile: another
    organizer decided first, or the invitee changed the answer (and whom they named since)."""
    nominations = db.session.scalars(
        select(DeputyNomination).where(DeputyNomination.invitation_id == invitation.id)
        .order_by(DeputyNomination.id)
        .execution_options(populate_existing=True)  # as committed by the other request
    ).all()
    seen = next((n for n in nominations if n.id == nomination_id), None) if nomination_id \
        else (nominations[-1] if nominations else None)
    if seen is None:
        return NothingToDecide(_("Không có người dự thay nào đang chờ duyệt: có thể đã được "
                                 "quyết định hoặc đại biểu đã đổi câu trả lời."))
    when = {"time": local_time(seen.decided_at), "date": long_date(seen.decided_at),
            "name": seen.name,
            "by": seen.decided_by.name if seen.decided_by is not None else _("Ban tổ chức")}
    if seen.state == "approved":
        return NothingToDecide(_("Người dự thay %(name)s đã được %(by)s duyệt lúc %(time)s, "
                                 "%(date)s; không cần duyệt lại.", **when))
    if seen.state == "refused":
        return NothingToDecide(_("Người dự thay %(name)s đã được %(by)s quyết định không chấp "
                                 "thuận lúc %(time)s, %(date)s.", **when))
    waiting_now = next((n for n in reversed(nominations) if n.state == "pending"), None)
    if waiting_now is not None:
        return NothingToDecide(_("Đại biểu đã cử người dự thay khác thay cho %(name)s: %(new)s "
                                 "đang chờ duyệt. Vui lòng xem lại thông tin trước khi quyết "
                                 "định.", name=seen.name, new=waiting_now.name))
    return NothingToDecide(_("Đại biểu đã đổi câu trả lời nên người dự thay %(name)s không còn "
                             "chờ duyệt.", name=seen.name))
