"""API rows for invitations, the attendee's own invitation (/me) and the answer (/rsvp)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..invitations import inviting, services
from ..invitations import rsvp as answers  # the module; `rsvp` is the view below
from ..invitations.forms import PersonForm, RsvpForm
from ..links import personal_url
from ..models import ORGANIZATION_KINDS, Invitation, Workshop
from ..outbox.services import last_deliveries
from ..timeutil import isoformat
from .errors import ApiError
from .routing import current_invitation, endpoint, json_form, paginate, validation_error
from .workshops import workshop_or_404


def serialize_invitation(invitation: Invitation) -> dict:
    """An invitation as the organizer and the staff see it: no secret of the invitee's."""
    organization = invitation.organization
    return {
        "id": invitation.id,
        "letter_number": invitation.letter_number,
        "short_code": invitation.short_code,
        "name": invitation.name,
        "salutation": invitation.salutation,
        "title": invitation.title,
        "organization": {"id": organization.id, "name": organization.name,
                         "kind": organization.kind} if organization else None,
        "email": invitation.email,
        "phone": invitation.phone,
        "status": invitation.status,
        "delegate_name": invitation.delegate_name,
        "delegate_title": invitation.delegate_title,
        "delegate_phone": invitation.delegate_phone,
        "responded_at": isoformat(invitation.responded_at),
        "first_emailed_at": isoformat(invitation.first_emailed_at),
        "checked_in_at": isoformat(invitation.checkin.checked_in_at if invitation.checkin else None),
    }


def serialize_created(invitation: Invitation) -> dict:
    """The answer to a new invitation: also its secrets, which the organizer hands out."""
    return {**serialize_invitation(invitation), "token": invitation.token,
            "url": personal_url(invitation), "pass_token": invitation.pass_token}


def serialize_own(invitation: Invitation) -> dict:
    """The invitation as its invitee sees it: with the pass and whether the answer may change."""
    return {
        **serialize_invitation(invitation),
        "response": answers.RESPONSE_OF_STATUS.get(invitation.status),
        "attendee_name": invitation.attendee_name,
        "pass_token": invitation.pass_token,
        "answer_deadline": isoformat(answers.answer_deadline(invitation.workshop)),
        "can_change_answer": answers.can_answer(invitation),
    }


def serialize_public_workshop(workshop: Workshop) -> dict:
    """The workshop as an invitee sees it: what, when, where, who invites, and the agenda."""
    host = workshop.host_organization
    return {
        "code": workshop.code,
        "title": workshop.title,
        "starts_at": isoformat(workshop.starts_at),
        "ends_at": isoformat(workshop.ends_at),
        "venue": workshop.venue,
        "rsvp_deadline": isoformat(workshop.rsvp_deadline),
        "description": workshop.description,
        "host": host.name if host else None,
        "sessions": [
            {"id": session.id, "position": session.position, "title": session.title,
             "starts_at": isoformat(session.starts_at), "ends_at": isoformat(session.ends_at),
             "presenter": session.presenter, "moderated": session.moderated}
            for session in workshop.sessions
        ],
    }


def _invitation_error(error: services.InvitationError) -> ApiError:
    if isinstance(error, services.AnswerClosed):
        return ApiError(409, "rsvp_closed", error.message)
    if error.errors:
        return validation_error(error.errors)
    return ApiError(409, "conflict", error.message)


@endpoint("/workshops/<code>/invitations", "POST", who="organizer", summary="Invite a person",
          body=PersonForm,
          responses={201: "The invitation with `token`, its personal link `url` and `pass_token`",
                     404: "No workshop has this code"})
def create_invitation(code: str):
    """`token` is the secret of the personal link `url`; `pass_token` is what the QR pass
    carries. The invitation gets the workshop's next letter number."""
    workshop = workshop_or_404(code)
    form = json_form(PersonForm)
    try:
        invitation = inviting.invite_person(
            workshop, form.name.data, form.title.data, form.organization_id.data, form.email.data,
            form.phone.data, form.salutation.data or None,
        )
    except services.InvitationError as error:
        raise _invitation_error(error) from None
    return serialize_created(invitation), 201


@endpoint("/workshops/<code>/invitations", "GET", who="staff", summary="List a workshop's invitations",
          responses={200: "{items, total}", 404: "No workshop has this code"})
def list_invitations(code: str):
    """In letter-number order. `status` filters (`draft`, `sent`, `accepted`, `declined`,
    `delegated`, or `unanswered` for draft and sent); `kind` filters by agency kind.
    `checked_in_at` is null until the person is checked in. `status` is `sent` only once a mail
    server accepted the invitation's e-mail or the letter was marked delivered by hand.
    `delivery` is the latest e-mail: null when never e-mailed, else `{state, error, at}`, `state`
    one of `queued`, `retrying`, `failed`, `delivered`, `error` why the last attempt failed
    (a sentence in the user's language, or null)."""
    workshop = workshop_or_404(code)
    status, kind = request.args.get("status") or None, request.args.get("kind") or None
    problems = {}
    if status and status not in services.STATUS_FILTERS:
        problems["status"] = [_("Trạng thái phải là một trong: %(values)s.",
                                values=", ".join(services.STATUS_FILTERS))]
    if kind and kind not in ORGANIZATION_KINDS:
        problems["kind"] = [_("Loại cơ quan phải là một trong: %(values)s.",
                              values=", ".join(ORGANIZATION_KINDS))]
    if problems:
        raise validation_error(problems)
    page = paginate(services.invitations_statement(workshop, status, kind), serialize_invitation)
    deliveries = last_deliveries([item["id"] for item in page["items"]])  # one query per page
    for item in page["items"]:
        delivery = deliveries.get(item["id"])
        item["delivery"] = delivery.as_dict() if delivery else None
    return page


@endpoint("/me", "GET", who="attendee", summary="The caller's own invitation, workshop and agenda",
          responses={200: "The invitation with `workshop` and its `sessions`",
                     401: "No or unknown invitation token"})
def me():
    """Identified by `X-Invitation-Token`, or by the session of the personal page."""
    invitation = current_invitation()
    return {**serialize_own(invitation), "workshop": serialize_public_workshop(invitation.workshop)}


@endpoint("/rsvp", "POST", who="attendee", summary="Answer the invitation", body=RsvpForm,
          responses={200: "The invitation with its answer",
                     409: "The RSVP deadline has passed: nothing changed",
                     422: "A deputy needs a name (`delegate_name`), or a field is invalid"})
def rsvp():
    """`response` is `accept`, `decline` or `delegate` (with `delegate_name`, and optionally
    `delegate_title` and `delegate_phone`). The answer may change until the deadline."""
    invitation = current_invitation()
    form = json_form(RsvpForm)
    try:
        answers.respond(invitation, form.response.data, form.delegate_name.data,
                        form.delegate_title.data, form.delegate_phone.data)
    except services.InvitationError as error:
        raise _invitation_error(error) from None
    return serialize_own(invitation)
