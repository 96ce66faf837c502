"""The JSON shapes of the door: a scan and its answer, the person at the door, the counts. The
API answers scans with them, and so do the scanner's own page routes (search, walk-in, board)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from ..attendance import DOOR_FIELDS, FIELDS
from ..models import Invitation
from ..schemas import Answer, Body, ErrorBodySchema, LocalDateTime, Str, Text, Time
from ..timeutil import isoformat
from . import services

# The HTTP status of each scan result.
SCAN_STATUS = {"checked_in": 200, "already_checked_in": 200, "unknown": 404, "other_workshop": 409,
               "workshop_ended": 409, "replaced": 409}


class CheckInBody(Body):
    """One scan, typed code or search pick. `client_id` makes a retried scan the same scan."""

    token = Text(required=True, max_length=2000,
                 required_message=_l("Vui lòng quét mã QR hoặc nhập mã."))
    client_id = Text(max_length=64)
    scanned_at = LocalDateTime()


class AttendeeSchema(Answer):
    """The person at the door: the deputy when one was sent, with whom they stand in for."""

    name = Str()
    title = Str()
    organization = Str()
    delegate_for = Str()
    walk_in = fields.Boolean(required=True)
    seat = Str(metadata={"description": "The seat in the hall (\"Hàng 2, ghế 5\"), when given"})


# The scanner's counter, in the board's names: "Có mặt present/expected", and who came besides.
DoorCountSchema = type("DoorCountSchema", (Answer,), {
    name: fields.Integer(required=True) for name in DOOR_FIELDS})


class ScanSchema(Answer):
    result = fields.String(required=True, metadata={"enum": list(SCAN_STATUS)})
    attendee = fields.Nested(AttendeeSchema)
    invitation_id = fields.Integer()
    checked_in_at = Time()
    deputy_name = Str()  # with `replaced`: the deputy who holds the invitation's pass now
    error = fields.Nested(ErrorBodySchema)
    attendance = fields.Nested(DoorCountSchema, metadata={
        "description": "The workshop's numbers once this scan is counted, as the board names "
                       "them; absent when the workshop has ended."})


class UndoneSchema(Answer):
    result = fields.String(required=True)


class AbsentSchema(Answer):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


AttendanceSchema = type("AttendanceSchema", (Answer,), {
    **{name: fields.Integer(required=True) for name in FIELDS},
    "by_kind": fields.Dict(keys=fields.String(),
                           values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                           required=True),
    "absent": fields.List(fields.Nested(AbsentSchema), required=True),
})


def attendee(invitation: Invitation) -> dict:
    """The person at the door: the deputy when one was sent, with whom they stand in for."""
    return {
        "name": invitation.attendee_name,
        "title": invitation.attendee_title,
        "organization": invitation.organization.name if invitation.organization else None,
        "delegate_for": invitation.stands_in_for,
        "walk_in": invitation.walk_in,
        "seat": invitation.seat_label,
    }


def scan_body(answer: services.ScanAnswer) -> dict:
    body: dict = {"result": answer.result}
    if answer.invitation is not None and answer.result in ("checked_in", "already_checked_in"):
        body["attendee"] = attendee(answer.invitation)
        body["invitation_id"] = answer.invitation.id
        body["checked_in_at"] = isoformat(answer.checked_in_at)
    if answer.result == "unknown":
        body["error"] = {"code": "unknown", "message": _("Mã không hợp lệ.")}
    elif answer.result == "other_workshop":
        body["error"] = {"code": "other_workshop",
                         "message": _("Giấy mời của hội thảo khác.")}
    elif answer.result == "replaced":
        name = answer.invitation.delegate_name if answer.invitation else None
        if name:
            body["deputy_name"] = name
            message = _("Giấy mời đã chuyển cho người dự thay: %(name)s", name=name)
        else:
            # The invitee took the invitation back from a deputy: a new pass is theirs now.
            message = _("Giấy mời này đã được thay bằng giấy mời mới.")
        body["error"] = {"code": "replaced", "message": message}
    elif answer.result == "workshop_ended":
        body["error"] = {"code": "workshop_ended",
                         "message": _("Hội thảo đã kết thúc nên không nhận điểm danh nữa.")}
    if answer.count is not None:
        body["attendance"] = answer.count.as_dict()
    return body


def attendance_body(numbers: services.Attendance) -> dict:
    return {
        **numbers.as_dict(),
        "by_kind": numbers.by_kind,
        "absent": [{"id": o.id, "name": o.name, "kind": o.kind} for o in numbers.absent],
    }
