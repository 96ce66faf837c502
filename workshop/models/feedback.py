"""Lessons learned: contributions before the workshop, feedback during it, the summary after."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .invitations import Invitation
from .types import UTCDateTime
from .users import User
from .workshops import Workshop, WorkshopSession

FEEDBACK_CATEGORIES = ("result", "obstacle", "lesson", "recommendation")
CATEGORY_LABELS = {
    "result": _l("Kết quả đạt được"),
    "obstacle": _l("Tồn tại, vướng mắc"),
    "lesson": _l("Bài học kinh nghiệm"),
    "recommendation": _l("Kiến nghị, đề xuất"),
}


class Feedback(db.Model):
    """One item of feedback from an attendee, in one of the four categories, optionally
    about one session and with a 1–5 rating of it."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(
            "category IN ('result', 'obstacle', 'lesson', 'recommendation')", name="category"
        ),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation | None] = relationship()
    session: Mapped[WorkshopSession | None] = relationship()

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS[self.category])


class Contribution(db.Model):
    """An invited agency's written contribution (báo cáo tham luận), one per invitation."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    results: Mapped[str | None] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    invitation: Mapped[Invitation] = relationship()


class SummaryVersion(db.Model):
    """The chair's conclusions, every saved version kept; the newest is the current one."""

    __tablename__ = "summary_versions"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'final')", name="status"),
        UniqueConstraint("workshop_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column()
    conclusions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # What the report says besides the record, written by the organizer or the chair and kept
    # with each version: the host's own recommendations to the province (section IV), the
    # number the outgoing register gives the report ("45/BC-SKHCN") and its date.
    proposals: Mapped[str] = mapped_column(Text, default="", server_default="")
    report_number: Mapped[str | None] = mapped_column(String(40))
    report_date: Mapped[date | None] = mapped_column(Date)
    # A published (final) version: the compiled summary and report as they stood, frozen.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    author: Mapped[User | None] = relationship()
