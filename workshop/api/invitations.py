"""API rows for invitations, the attendee's own invitation (/me) and the answer (/rsvp)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.identity import current_invitation
from ..errors import ApiError, validation_error
from ..events.services import workshop_or_404
from ..invitations import deputies, inviting, services
from ..invitations import rsvp as rsvp_answers  # the module; `rsvp` is the view below
from ..invitations.schemas import (
    CreatedInvitationSchema,
    DeputyDecisionBody,
    InvitationArgs,
    InvitationSchema,
    ListedInvitationSchema,
    MeSchema,
    OwnInvitationSchema,
    PersonBody,
    RsvpBody,
    serialize_created,
    serialize_invitation,
    serialize_own,
    serialize_public_workshop,
)
from ..outbox.services import last_deliveries
from ..schemas import page_of, paginate
from .access import allow, bp, refuses


def _invitation_error(error: services.InvitationError) -> ApiError:
    if isinstance(error, services.AnswerClosed):
        return ApiError(409, "rsvp_closed", error.message)
    if error.errors:
        return validation_error(error.errors)
    return ApiError(409, "conflict", error.message)


@bp.route("/workshops/<code>/invitations", methods=["POST"])
@allow("organizer")
@bp.arguments(PersonBody)
@bp.response(201, CreatedInvitationSchema)
@refuses({404: "No workshop has this code"})
def create_invitation(body: dict, code: str):
    """Invite a person.

    `token` is the secret of the personal link `url`; `pass_token` is what the QR pass
    carries. The invitation gets the workshop's next letter number."""
    workshop = workshop_or_404(code)
    try:
        invitation = inviting.invite_person(
            workshop, body["name"], body["title"], body["organization_id"], body["email"],
            body["phone"], body["salutation"] or None,
        )
    except services.InvitationError as error:
        raise _invitation_error(error) from None
    return serialize_created(invitation)


@bp.route("/workshops/<code>/invitations", methods=["GET"])
@allow("staff")
@bp.arguments(InvitationArgs, location="query")
@bp.response(200, page_of(ListedInvitationSchema))
@refuses({404: "No workshop has this code"})
def list_invitations(args: dict, code: str):
    """List a workshop's invitations, in letter-number order.

    `status` filters (`draft`, `sent`, `accepted`, `declined`, `delegated`, or `unanswered` for
    draft and sent); `kind` filters by agency kind. `checked_in_at` is null until the person is
    checked in. `status` is `sent` only once a mail server accepted the invitation's e-mail or
    the letter was marked delivered by hand. `delivery` is the latest e-mail: null when never
    e-mailed, else `{state, error, at}`, `state` one of `queued`, `retrying`, `failed`,
    `delivered`, `error` why the last attempt failed (a sentence in the user's language, or
    null)."""
    workshop = workshop_or_404(code)
    statement = services.invitations_statement(workshop, args["status"], args["kind"])
    page = paginate(statement, serialize_invitation, args)
    deliveries = last_deliveries([item["id"] for item in page["items"]])  # one query per page
    for item in page["items"]:
        delivery = deliveries.get(item["id"])
        item["delivery"] = delivery.as_dict() if delivery else None
    return page


@bp.route("/workshops/<code>/invitations/<int:invitation_id>/deputy", methods=["POST"])
@allow("organizer")
@bp.arguments(DeputyDecisionBody)
@bp.response(200, InvitationSchema)
@refuses({404: "No workshop has this code, or no such invitation in it",
          409: "conflict: no deputy waits for a decision (decided already, or the answer changed)",
          422: "A refusal needs its `reason`, or a field is invalid"})
def decide_deputy(body: dict, code: str, invitation_id: int):
    """Approve or refuse the deputy an invitee named, when the workshop asks for approval.

    Approved, the invitation gets a new `pass_token` (the deputy's own pass) and the earlier
    pass answers 409 `replaced` at the door; refused, the invitee reads `reason` on the
    personal page and may name another deputy or answer otherwise (no one else is told). An
    approved deputy with a `delegate_email` receives their own pass by e-mail. `nomination_id`
    (the `deputy.nomination_id` read) makes sure the deputy decided is the one seen: 409 when
    the invitee has named someone else since, or another organizer decided first."""
    workshop = workshop_or_404(code)
    invitation = services.get_invitation(workshop, invitation_id)
    if invitation is None:
        raise ApiError(404, "not_found", _("Không tìm thấy giấy mời."))
    try:
        deputies.decide(invitation, body["approve"], body["reason"],
                        nomination_id=body["nomination_id"])
    except services.InvitationError as error:
        raise _invitation_error(error) from None
    return serialize_invitation(invitation)


@bp.route("/me", methods=["GET"])
@allow("attendee")
@bp.response(200, MeSchema)
@refuses({401: "No or unknown invitation token"})
def me():
    """The caller's own invitation, its workshop and agenda.

    Identified by `X-Invitation-Token`, or by the session of the personal page."""
    invitation = current_invitation()
    return {**serialize_own(invitation), "workshop": serialize_public_workshop(invitation.workshop)}


@bp.route("/rsvp", methods=["POST"])
@allow("attendee")
@bp.arguments(RsvpBody)
@bp.response(200, OwnInvitationSchema)
@refuses({409: "rsvp_closed: the RSVP deadline has passed, nothing changed",
          422: "A deputy needs a name (`delegate_name`), or a field is invalid"})
def rsvp(body: dict):
    """Answer the invitation.

    `response` is `accept`, `decline` or `delegate` (with `delegate_name`, and optionally
    `delegate_title`, `delegate_phone` and `delegate_email`, where the deputy's own pass is
    e-mailed once approved). The answer may change until the deadline; after
    it, 409 `rsvp_closed` and nothing changes."""
    invitation = current_invitation()
    try:
        rsvp_answers.respond(invitation, body["response"], body["delegate_name"],
                             body["delegate_title"], body["delegate_phone"],
                             delegate_email=body["delegate_email"])
    except services.InvitationError as error:
        raise _invitation_error(error) from None
    return serialize_own(invitation)
