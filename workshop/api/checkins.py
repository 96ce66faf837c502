"""API rows for check-in at the door and the attendance counts."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.identity import deferred_staff_token, staff_user
from ..checkin import services
from ..checkin.schemas import (
    SCAN_STATUS,
    AttendanceSchema,
    CheckInBody,
    ScanSchema,
    UndoneSchema,
    attendance_body,
    scan_body,
)
from ..errors import ApiError, validation_error
from ..events.services import no_such_workshop, workshop_or_404
from ..extensions import db
from ..models import Invitation
from .access import admit, allow, bp, refuses


@bp.route("/workshops/<code>/checkins", methods=["POST"])
@allow("staff", token_read_by_view=True)  # the token read with the door: a round trip fewer
@bp.arguments(CheckInBody())  # made once, not at each scan
@bp.response(200, ScanSchema, description="checked_in or already_checked_in")
@bp.alt_response(404, schema=ScanSchema, description="unknown")
@bp.alt_response(409, schema=ScanSchema,
                 description="other_workshop, workshop_ended, or replaced (a pass handed to"
                             " an approved deputy; `deputy_name` names them)")
def create_checkin(body: dict, code: str):
    """Check in a pass.

    `token` is the pass token, the personal-link token (or link) or the letter's short code.
    The same `client_id` sent again is the same scan and gets the first answer again;
    `scanned_at` keeps the time of an offline scan: no more than 10 minutes ahead of the
    server's clock (a time ahead is taken as now), and no earlier than a day before the workshop
    starts or a day before now, whichever is earlier; else 422. `attendance` is the workshop's
    counter once this scan is counted, in the names of the attendance call."""
    token = deferred_staff_token()
    try:
        answer = services.check_in_by_code(code, body["token"],
                                           client_id=body["client_id"] or None,
                                           scanned_at=body["scanned_at"],
                                           staff=None if token else staff_user(),
                                           staff_token=token, admit=admit)
    except services.ScanTimeRefused as refused:
        raise validation_error({"scanned_at": [refused.message]}) from None
    if answer is None:
        no_such_workshop()
    return scan_body(answer), SCAN_STATUS[answer.result]


@bp.route("/workshops/<code>/invitations/<int:invitation_id>/checkin", methods=["DELETE"])
@allow("staff")
@bp.response(200, UndoneSchema)
@refuses({404: "not_found, or not_checked_in"})
def delete_checkin(code: str, invitation_id: int):
    """Undo a mistaken check-in; 404 `not_checked_in` when there is none."""
    workshop = workshop_or_404(code)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.workshop_id != workshop.id:
        raise ApiError(404, "not_found", _("Không tìm thấy giấy mời."))
    if not services.undo_check_in(invitation, staff=staff_user()):
        raise ApiError(404, "not_checked_in", _("Đại biểu này chưa điểm danh."))
    return {"result": "undone"}


@bp.route("/workshops/<code>/attendance", methods=["GET"])
@allow("staff")
@bp.response(200, AttendanceSchema)
@refuses({404: "No workshop has this code"})
def get_attendance(code: str):
    """Attendance counts.

    `invited` counts every invitation of the workshop, sent or not (walk-ins are not
    invitations): invited = accepted + delegated + declined + unanswered. `expected` are the
    accepted and delegated, `present` the expected who checked in; `walk_ins` and `unannounced`
    (invited, never answered or declined, came anyway) checked in besides them, and
    `checked_in` = present + walk_ins + unannounced. `by_kind` has the same numbers per agency
    kind; `absent` lists the invited agencies without anyone: nobody from them present and,
    until the workshop has ended, nobody expected."""
    return attendance_body(services.attendance(workshop_or_404(code)))
