"""The JSON shapes of invitations: the organizer's rows, the invitee's own (/me), the answer
(/rsvp)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, missing

from ..links import personal_url
from ..models import ORGANIZATION_KINDS, SALUTATIONS, Invitation, Workshop
from ..schemas import (
    Answer,
    Body,
    Bool,
    Choice,
    Email,
    Int,
    Num,
    PageArgs,
    Str,
    Text,
    Time,
)
from ..timeutil import isoformat
from . import rsvp, services


def phone_rule(value: str | None) -> None:
    """The service's rule on phone numbers, as a field validator."""
    try:
        rsvp.clean_phone(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class PersonBody(Body):
    """`POST /workshops/<code>/invitations`: a person outside the directory."""

    name = Text(required=True, max_length=rsvp.MAX_TEXT,
                required_message=_l("Vui lòng nhập họ và tên người được mời."))
    salutation = Choice(SALUTATIONS, message=_l("Lựa chọn không hợp lệ."))
    title = Text(max_length=rsvp.MAX_TEXT)
    organization_id = Int(error_messages={"invalid": _l("Cơ quan không hợp lệ.")})
    email = Email(max_length=rsvp.MAX_TEXT)
    phone = Text(validate=[phone_rule])


class RsvpBody(Body):
    """`POST /rsvp`; the deputy's name is required for "delegate" (by the service)."""

    response = Choice(("accept", "delegate", "decline"), required=True,
                      required_message=_l("Vui lòng chọn câu trả lời."),
                      message=_l("Câu trả lời không hợp lệ."))
    delegate_name = Text(max_length=rsvp.MAX_TEXT)
    delegate_title = Text(max_length=rsvp.MAX_TEXT)
    delegate_phone = Text(validate=[phone_rule])
    delegate_email = Email(max_length=rsvp.MAX_TEXT)


class DeputyDecisionBody(Body):
    """`POST /workshops/<code>/invitations/<id>/deputy`: a refusal needs its reason (by the
    service), which the invitee reads."""

    approve = Bool(required=True, load_default=missing,
                   required_message=_l("Vui lòng chọn duyệt hoặc không chấp thuận."))
    reason = Text(max_length=500)
    # The deputy the organizer saw (`deputy.nomination_id`): refused with 409 if the invitee
    # has named someone else since. Without it, whoever waits now is decided.
    nomination_id = Int(error_messages={"invalid": _l("Người dự thay không hợp lệ.")})


class InvitationArgs(PageArgs):
    status = Choice(services.STATUS_FILTERS, message=_l(
        "Trạng thái phải là một trong: %(values)s.", values=", ".join(services.STATUS_FILTERS)))
    kind = Choice(ORGANIZATION_KINDS, message=_l(
        "Loại cơ quan phải là một trong: %(values)s.", values=", ".join(ORGANIZATION_KINDS)))


class OrganizationRefSchema(Answer):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class DeliverySchema(Answer):
    state = fields.String(required=True)
    error = Str()
    at = Time()


class DeputySchema(Answer):
    """The organizer's decision on the deputy named now: `state` pending, approved or refused;
    `reason` the refusal's."""

    state = fields.String(required=True, metadata={"enum": ["pending", "approved", "refused"]})
    nomination_id = Num()
    reason = Str()
    named_at = Time()
    decided_at = Time()


class InvitationSchema(Answer):
    """An invitation as the organizer and the staff see it: no secret of the invitee's."""

    id = fields.Integer(required=True)
    letter_number = Num()
    short_code = Str()
    name = fields.String(required=True)
    salutation = Str()
    title = Str()
    organization = fields.Nested(OrganizationRefSchema, allow_none=True)
    email = Str()
    phone = Str()
    status = fields.String(required=True)
    delegate_name = Str()
    delegate_title = Str()
    delegate_phone = Str()
    delegate_email = Str()
    deputy = fields.Nested(DeputySchema, allow_none=True)
    responded_at = Time()
    first_emailed_at = Time()
    checked_in_at = Time()


class ListedInvitationSchema(InvitationSchema):
    delivery = fields.Nested(DeliverySchema, allow_none=True)


class CreatedInvitationSchema(InvitationSchema):
    token = fields.String(required=True)
    url = fields.String(required=True)
    pass_token = fields.String(required=True)


class OwnInvitationSchema(InvitationSchema):
    response = Str()
    attendee_name = Str()
    pass_token = fields.String(required=True)
    answer_deadline = Time()
    can_change_answer = fields.Boolean(required=True)


class PublicSessionSchema(Answer):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_at = Time()
    ends_at = Time()
    presenter = Str()
    moderated = fields.Boolean(required=True)


class PublicWorkshopSchema(Answer):
    code = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = Time(required=True)
    ends_at = Time()
    venue = Str()
    rsvp_deadline = Time()
    description = Str()
    host = Str()
    sessions = fields.List(fields.Nested(PublicSessionSchema), required=True)


class MeSchema(OwnInvitationSchema):
    workshop = fields.Nested(PublicWorkshopSchema, required=True)


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
        "delegate_email": invitation.delegate_email,
        "deputy": serialize_deputy(invitation),
        "responded_at": isoformat(invitation.responded_at),
        "first_emailed_at": isoformat(invitation.first_emailed_at),
        "checked_in_at": isoformat(invitation.checkin.checked_in_at if invitation.checkin else None),
    }


def serialize_deputy(invitation: Invitation) -> dict | None:
    """The decision on the deputy named now; None without one. The nominations are read only
    for an invitation with a deputy."""
    if invitation.deputy_state is None:
        return None
    nomination = invitation.deputy_nomination
    return {
        "state": invitation.deputy_state,
        "nomination_id": nomination.id if nomination else None,
        "reason": nomination.reason if nomination else None,
        "named_at": isoformat(nomination.named_at) if nomination else None,
        "decided_at": isoformat(nomination.decided_at) if nomination else None,
    }


def serialize_created(invitation: Invitation) -> dict:
    """The answer to a new invitation: also its secrets, which the organizer hands out."""
    return {**serialize_invitation(invitation), "token": invitation.token,
            "url": personal_url(invitation), "pass_token": invitation.pass_token}


def serialize_own(invitation: Invitation) -> dict:
    """The invitation as its invitee sees it: with the pass and whether the answer may change."""
    return {
        **serialize_invitation(invitation),
        "response": rsvp.RESPONSE_OF_STATUS.get(invitation.status),
        "attendee_name": invitation.attendee_name,
        "pass_token": invitation.pass_token,
        "answer_deadline": isoformat(rsvp.answer_deadline(invitation.workshop)),
        "can_change_answer": rsvp.can_answer(invitation),
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
