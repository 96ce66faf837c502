"""The staff audit log: every change a staff account makes, recorded in one place.

Each service that changes something calls `log(...)` just before its own commit, as Indico's
`log()` and pretix's `log_action` do: the row is part of the operation's transaction, so a
change is never committed without its row, a refused or failed operation (rolled back) leaves
none, and a request commits once. Attendees (personal links) are not staff: the services they
use record nothing. Sign-ins are recorded by the sign-in itself (`auth.services.start_login`).
"""
from __future__ import annotations

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..models import AuditEntry, User, Workshop

DETAIL_LENGTH = 120  # what a row of the audit page shows; the column holds 255

# Every action, in the organizer's words: `log` takes only these, so that the audit page can name
# each in Vietnamese (rows written before an action was renamed show their stored name).
ACTIONS = {
    "auth.login": _l("Đăng nhập"),
    "directory.create": _l("Thêm cơ quan, đơn vị"),
    "directory.edit": _l("Sửa cơ quan, đơn vị"),
    "directory.import": _l("Nhập danh bạ"),
    "events.create_workshop": _l("Tạo hội thảo"),
    "events.edit_workshop": _l("Sửa thông tin hội thảo"),
    "events.add_session": _l("Thêm phiên"),
    "events.edit_session": _l("Sửa phiên"),
    "events.move_session": _l("Đổi thứ tự phiên"),
    "events.delete_session": _l("Xóa phiên"),
    "events.question_session": _l("Mở, đóng nhận câu hỏi của phiên"),
    "events.team_add": _l("Thêm thành viên nhóm công tác"),
    "events.team_remove": _l("Bỏ thành viên khỏi nhóm công tác"),
    "events.unchair": _l("Bỏ người chủ trì của phiên"),
    "invitations.invite": _l("Mời các cơ quan, đơn vị"),
    "invitations.invite_person": _l("Mời đại biểu"),
    "invitations.edit": _l("Sửa giấy mời"),
    "invitations.delete": _l("Xóa giấy mời"),
    "invitations.mark_sent": _l("Đánh dấu đã gửi giấy mời"),
    "invitations.approve_deputy": _l("Duyệt người dự thay"),
    "invitations.refuse_deputy": _l("Không chấp thuận người dự thay"),
    "outbox.send": _l("Gửi giấy mời qua e-mail"),
    "outbox.resend_failed": _l("Gửi lại e-mail bị lỗi"),
    "outbox.remind": _l("Gửi e-mail nhắc"),
    "outbox.deliver_now": _l("Gửi ngay e-mail"),
    "checkin.check_in": _l("Điểm danh đại biểu"),
    "checkin.undo": _l("Hủy điểm danh"),
    "checkin.walk_in": _l("Điểm danh đại biểu không có giấy mời"),
    "questions.set_status": _l("Duyệt, ẩn câu hỏi"),
    "questions.answer": _l("Trả lời câu hỏi"),
    "questions.assign": _l("Phân công trả lời câu hỏi"),
    "questions.merge": _l("Gộp câu hỏi"),
    "questions.set_current": _l("Chiếu câu hỏi"),
    "feedback.set_closing": _l("Đóng, mở nhận góp ý"),
    "summary.save": _l("Lưu báo cáo kết quả hội thảo"),
    "summary.publish": _l("Công bố báo cáo kết quả hội thảo"),
    "minutes.save": _l("Lưu biên bản"),
    "minutes.save_notice": _l("Lưu thông báo kết luận"),
    "tasks.create": _l("Giao nhiệm vụ theo kết luận"),
    "tasks.new_link": _l("Cấp lại đường link nhiệm vụ"),
    "tasks.reopen": _l("Mở lại nhiệm vụ"),
    "tasks.send_links": _l("Gửi đường link nhiệm vụ qua e-mail"),
    "tasks.remind": _l("Nhắc cơ quan có nhiệm vụ quá hạn"),
    "seating.arrange": _l("Xếp chỗ ngồi theo thứ tự nghi thức"),
    "seating.move": _l("Đổi chỗ ngồi của đại biểu"),
}


def log(action: str, *, workshop: Workshop | int | None = None, detail: str | None = None,
        actor: User | None = None) -> AuditEntry | None:
    """Add the row for `action` ("<feature>.<operation>") to the current transaction; the
    caller's commit writes it with the change, its rollback drops it with the change.

    `actor` is the staff account acting; left out, it is the account of the current request
    (`acting_user`). With no account (the CLI's `outbox send`, the demo loader, an attendee)
    nothing is recorded: the log is of what staff did. (A service whose own writes are plain
    INSERTs, the scan at the door, writes `entry`'s row itself.)"""
    values = entry(action, workshop=workshop, detail=detail, actor=actor)
    if values is None:
        return None
    row = AuditEntry(**values)
    db.session.add(row)
    return row


def entry(action: str, *, workshop: Workshop | int | None = None, detail: str | None = None,
          actor: User | None = None) -> dict | None:
    """The columns of `log`'s row (None: nobody to record), for a service that writes the row
    in a statement of its own making (the API's scan, with its check-in in one INSERT)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: name it in ACTIONS")
    actor = actor if actor is not None else acting_user()
    if actor is None:
        return None
    if isinstance(workshop, Workshop):
        if workshop.id is None:
            db.session.flush()  # a workshop created in this transaction gets its id
        workshop = workshop.id
    return {"user_id": actor.id, "user_email": actor.email, "workshop_id": workshop,
            "action": action, "detail": _short(detail)}


def _short(text: str | None) -> str | None:
    """One line of at most DETAIL_LENGTH characters."""
    text = " ".join((text or "").split())
    if not text:
        return None
    return text if len(text) <= DETAIL_LENGTH else text[:DETAIL_LENGTH - 1] + "…"


# Why the services take `actor=None` and fall back to the request's account here, rather than
# reading `request` themselves or making every caller pass it: the account is a fact of the
# request, known once it is authenticated (a browser session, or an API bearer token), and the
# pages and the API call the services in dozens of places; a forgotten `actor=` would silently
# drop a row. So the one place that knows how a request is authenticated answers, and the
# services stay callable without a request (the CLI, the demo, tests) by passing `actor=`
# themselves, or nothing to record nothing.
def acting_user() -> User | None:
    """The staff account behind this request: a signed-in browser, or an API token."""
    if not has_request_context():
        return None
    if request.path.startswith("/api/"):
        from ..auth.identity import staff_user
        from ..errors import ApiError

        try:
            return staff_user()
        except (ApiError, HTTPException):
            return None
    return current_user._get_current_object() if current_user.is_authenticated else None
