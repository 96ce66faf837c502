"""API rows for check-in at the door and the attendance counts."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from ..checkin import services
from ..checkin.forms import CheckInForm
from ..events.services import workshop_or_404
from ..extensions import db
from ..models import Invitation
from ..timeutil import isoformat
from .errors import ApiError
from .routing import endpoint, json_form, staff_user, validation_error

SCAN_STATUS = {"checked_in": 200, "already_checked_in": 200, "unknown": 404, "other_workshop": 409,
               "workshop_ended": 409}


def attendee(invitation: Invitation) -> dict:
    """The person at the door: the deputy when one was sent, with whom they stand in for."""
    return {
        "name": invitation.attendee_name,
        "title": invitation.attendee_title,
        "organization": invitation.organization.name if invitation.organization else None,
        "delegate_for": invitation.stands_in_for,
        "walk_in": invitation.walk_in,
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
    elif answer.result == "workshop_ended":
        body["error"] = {"code": "workshop_ended",
                         "message": _("Hội thảo đã kết thúc nên không nhận điểm danh nữa.")}
    return body


@endpoint("/workshops/<code>/checkins", "POST", who="staff", summary="Check in a pass",
          body=CheckInForm,
          responses={200: "checked_in or already_checked_in", 404: "unknown",
                     409: "other_workshop, or workshop_ended once the workshop is over",
                     422: "A field is invalid, or `scanned_at` is out of bounds: nothing recorded"})
def create_checkin(code: str):
    """`token` is the pass token, the personal-link token (or link) or the letter's short code.
    The same `client_id` sent again is the same scan and gets the first answer again;
    `scanned_at` keeps the time of an offline scan: no more than 10 minutes ahead of the
    server's clock (a time ahead is taken as now), and no earlier than a day before the workshop
    starts or a day before now, whichever is earlier; else 422."""
    workshop = workshop_or_404(code)
    form = json_form(CheckInForm)
    try:
        answer = services.check_in(workshop, form.token.data,
                                   client_id=form.client_id.data or None,
                                   scanned_at=form.scanned_at.data, staff=staff_user())
    except services.ScanTimeRefused as refused:
        raise validation_error({"scanned_at": [refused.message]}) from None
    return jsonify(scan_body(answer)), SCAN_STATUS[answer.result]


@endpoint("/workshops/<code>/invitations/<int:invitation_id>/checkin", "DELETE", who="staff",
          summary="Undo a mistaken check-in", responses={200: "undone", 404: "not checked in"})
def delete_checkin(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.workshop_id != workshop.id:
        raise ApiError(404, "not_found", _("Không tìm thấy giấy mời."))
    if not services.undo_check_in(invitation, staff=staff_user()):
        raise ApiError(404, "not_checked_in", _("Đại biểu này chưa điểm danh."))
    return {"result": "undone"}


@endpoint("/workshops/<code>/attendance", "GET", who="staff", summary="Attendance counts")
def get_attendance(code: str):
    """`invited` counts every invitation of the workshop, sent or not (walk-ins are not
    invitations): invited = accepted + delegated + declined + unanswered. `expected` are the
    accepted and delegated, `present` the expected who checked in; `walk_ins` and `unannounced`
    (invited, never answered or declined, came anyway) checked in besides them, and
    `checked_in` = present + walk_ins + unannounced. `by_kind` has the same numbers per agency
    kind; `absent` lists the invited agencies without anyone: nobody from them present and,
    until the workshop has ended, nobody expected."""
    numbers = services.attendance(workshop_or_404(code))
    return {
        **numbers.as_dict(),
        "by_kind": numbers.by_kind,
        "absent": [{"id": o.id, "name": o.name, "kind": o.kind} for o in numbers.absent],
    }
