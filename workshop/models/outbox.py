"""The e-mail outbox: a message is written in the same transaction as what it announces and
delivered afterwards by `flask outbox send`, so a rolled-back change never sends mail and a
crashed sender never loses one."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .invitations import Invitation
from .types import UTCDateTime

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")
# Why a delivery failed, by class, in words an organizer can act on. The server's or the
# system's own words ("[Errno 111] Connection refused", "550 5.1.1 …") stay in `last_error`,
# for the technical staff and the log.
ERROR_REASONS = {
    "connection_refused": _l("Máy chủ thư từ chối kết nối: máy chủ thư không hoạt động hoặc cấu "
                             "hình gửi thư chưa đúng. Vui lòng liên hệ cán bộ kỹ thuật."),
    "dns": _l("Không tìm thấy máy chủ thư theo tên đã cấu hình. Vui lòng liên hệ cán bộ kỹ thuật."),
    "timeout": _l("Máy chủ thư không phản hồi trong thời gian chờ. Nếu lỗi lặp lại, vui "
                 "lòng liên hệ cán bộ kỹ thuật."),
    "tls": _l("Không thiết lập được kết nối bảo mật với máy chủ thư. Vui lòng liên hệ cán bộ kỹ "
              "thuật."),
    "auth": _l("Máy chủ thư không chấp nhận tài khoản gửi thư của hệ thống. Vui lòng liên hệ cán "
               "bộ kỹ thuật."),
    "sender_refused": _l("Máy chủ thư từ chối địa chỉ gửi đi của hệ thống. Vui lòng liên hệ cán "
                         "bộ kỹ thuật."),
    "recipient_refused": _l("Máy chủ thư từ chối địa chỉ người nhận: địa chỉ không tồn tại hoặc "
                            "không nhận thư. Vui lòng kiểm tra lại địa chỉ e-mail."),
    "mailbox_full": _l("Hộp thư của người nhận đã đầy. Vui lòng liên hệ đại biểu qua điện thoại "
                       "hoặc gửi giấy mời bằng cách khác."),
    "temporary": _l("Máy chủ thư tạm thời chưa nhận thư."),
    "rejected": _l("Máy chủ thư không nhận thư này. Vui lòng gửi giấy mời bằng cách khác."),
    "invalid": _l("Địa chỉ e-mail hoặc nội dung thư không hợp lệ. Vui lòng kiểm tra lại địa chỉ "
                  "e-mail."),
    "disconnected": _l("Kết nối với máy chủ thư bị ngắt giữa chừng. Nếu lỗi lặp lại, vui lòng "
                      "liên hệ cán bộ kỹ thuật."),
    "interrupted": _l("Lần gửi trước bị gián đoạn giữa chừng."),
    "other": _l("Gửi thư không thành công do sự cố khi liên lạc với máy chủ thư. Vui lòng liên hệ "
                "cán bộ kỹ thuật."),
}


def new_message_id() -> str:
    return f"<{secrets.token_hex(16)}@workshop>"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, fixed when queued: a retried delivery is recognisably the same mail.
    message_id: Mapped[str] = mapped_column(String(100), unique=True, default=new_message_id)
    kind: Mapped[str] = mapped_column(String(20))  # invitation, reminder
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    # Bulk sends share a batch, so that their progress can be shown.
    batch: Mapped[str | None] = mapped_column(String(40), index=True)
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)

    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The class of the last failure (a key of ERROR_REASONS), and its technical detail.
    error_code: Mapped[str | None] = mapped_column(String(30))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[Invitation | None] = relationship()

    @property
    def reason(self) -> str | None:
        """Why the last attempt failed, in the user's language (None when it did not)."""
        if not self.error_code:
            return None
        return str(ERROR_REASONS.get(self.error_code, ERROR_REASONS["other"]))


class OutboxHeartbeat(db.Model):
    """When a delivery round last ran, per runner: `worker` is `flask outbox send` (what the
    dashboard watches), `page` the organizer's "Gửi ngay" button."""

    __tablename__ = "outbox_heartbeats"

    runner: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
