"""The organizer reads the audit log: everything, or one workshop's."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.decorators import role_required
from ..extensions import db
from ..models import AuditEntry, Workshop

bp = Blueprint("audit", __name__)

PER_PAGE = 100
# Each action in the organizer's words; an action not named here shows its name.
ACTION_LABELS = {
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
    "invitations.invite": _l("Mời các cơ quan, đơn vị"),
    "invitations.invite_person": _l("Mời đại biểu"),
    "invitations.edit": _l("Sửa giấy mời"),
    "invitations.delete": _l("Xóa giấy mời"),
    "invitations.mark_sent": _l("Đánh dấu đã gửi giấy mời"),
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
}


@bp.get("/audit")
@role_required("organizer")
def log():
    return _render(None)


@bp.get("/workshops/<code>/audit")
@role_required("organizer")
def workshop_log(code: str):
    workshop = db.first_or_404(select(Workshop).where(Workshop.code == code))
    return _render(workshop)


def _render(workshop: Workshop | None):
    """Newest first, a page of PER_PAGE at a time (`?page=`)."""
    page = request.args.get("page", 1, type=int)
    page = max(page, 1)
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if workshop is not None:
        statement = statement.where(AuditEntry.workshop_id == workshop.id)
    found = list(db.session.scalars(statement.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return render_template(
        "audit/log.html", workshop=workshop, entries=found[:PER_PAGE], page=page,
        has_next=len(found) > PER_PAGE, labels=ACTION_LABELS,
    )
