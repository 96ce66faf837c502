"""Follow-up tasks: what the chair's conclusions ask an agency to do, by when, and the agency's
reports on it, sent from the task's own link (no account)."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .minutes import ConclusionItem
from .organizations import Organization
from .types import UTCDateTime
from .users import User
from .workshops import Workshop

# What is stored; `overdue` is derived (the deadline passed and the task is not done).
TASK_STATES = ("open", "reported", "done")
TASK_STATUSES = ("open", "reported", "done", "overdue")
TASK_STATUS_LABELS = {
    "open": _l("Chưa báo cáo"),
    "reported": _l("Đã báo cáo tiến độ"),
    "done": _l("Đã hoàn thành"),
    "overdue": _l("Quá hạn"),
}


def new_task_token() -> str:
    """The secret of a task link: 256 random bits. Only its SHA-256 is stored."""
    return secrets.token_urlsafe(32)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'reported', 'done')", name="status"),
        # A done task has the time it was finished, and only a done task has one.
        CheckConstraint("(status = 'done' AND done_at IS NOT NULL)"
                        " OR (status <> 'done' AND done_at IS NULL)", name="done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    # The conclusion it came from; the task keeps its own text when the notice is rewritten.
    conclusion_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("conclusion_items.id", ondelete="SET NULL"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    organization: Mapped[Organization] = relationship()
    conclusion_item: Mapped[ConclusionItem | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    reports: Mapped[list[TaskReport]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(TaskReport.created_at, TaskReport.id)",
    )

    def status_on(self, today: date) -> str:
        """`overdue` when the deadline passed before `today` and the task is not done."""
        if self.status != "done" and self.due_on < today:
            return "overdue"
        return self.status

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status}>"


class TaskReport(db.Model):
    """One progress report of the agency on a task, kept with its time; `done` when it said
    the task is finished."""

    __tablename__ = "task_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(default=False)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="reports")
