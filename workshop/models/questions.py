"""Questions from the floor (câu hỏi, ý kiến), their votes and answers."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .invitations import Invitation
from .types import UTCDateTime
from .workshops import Workshop, WorkshopSession

QUESTION_STATUSES = ("pending", "visible", "hidden", "merged")
QUESTION_STATUS_LABELS = {
    "pending": _l("Chờ duyệt"),
    "visible": _l("Đang hiển thị"),
    "hidden": _l("Đã ẩn"),
    "merged": _l("Đã gộp"),
}
MAX_QUESTION_LENGTH = 1000


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'visible', 'hidden', 'merged')", name="status"),
        CheckConstraint("status <> 'merged' OR merged_into_id IS NOT NULL", name="merged_target"),
        CheckConstraint("votes >= 0", name="votes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True
    )
    # The asker; null for a question typed in by staff on someone's behalf.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="visible", index=True)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    # Kept equal to the number of QuestionVote rows, so the queue sorts without a join.
    votes: Mapped[int] = mapped_column(default=0)
    # The official who will answer (name and title), chosen by the chair.
    assigned_to: Mapped[str | None] = mapped_column(String(255))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(255))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    session: Mapped[WorkshopSession] = relationship(foreign_keys=[session_id])
    invitation: Mapped[Invitation | None] = relationship()
    merged_into: Mapped[Question | None] = relationship(remote_side=[id])

    @property
    def status_label(self) -> str:
        return str(QUESTION_STATUS_LABELS[self.status])


class QuestionVote(db.Model):
    """One vote per attendee and question: the unique constraint is the rule."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "invitation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
