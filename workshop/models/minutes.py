"""The documents written after a workshop: the biên bản (minutes, Decree 30 template 1.9) and the
thông báo kết luận (the chair's conclusions as the host's notice, template 1.4) with its items."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .organizations import Organization
from .types import UTCDateTime
from .users import User
from .workshops import Workshop

MINUTES_STATUSES = ("draft", "final")


class Minutes(db.Model):
    """The biên bản of one workshop: drafted from the record, edited by the organizer as text in
    sections, then final (and unchanged from then on)."""

    __tablename__ = "minutes"
    __table_args__ = (CheckConstraint("status IN ('draft', 'final')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str | None] = mapped_column(String(40))  # "15/BB-SKHCN", from the register
    chair_name: Mapped[str] = mapped_column(String(255), default="")
    chair_title: Mapped[str | None] = mapped_column(String(255))
    secretary_name: Mapped[str | None] = mapped_column(String(255))
    secretary_title: Mapped[str | None] = mapped_column(String(255))
    # The sections, as the organizer edited them: one paragraph a line.
    started: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    participants: Mapped[str] = mapped_column(Text, default="")
    proceedings: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Raised by every save: a save based on an older revision is refused (nobody overwrites
    # another unseen).
    revision: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    workshop: Mapped[Workshop] = relationship()
    author: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": revision}

    @property
    def is_final(self) -> bool:
        return self.status == "final"


class ConclusionNotice(db.Model):
    """The thông báo kết luận's own lines (its items are `ConclusionItem` rows)."""

    __tablename__ = "conclusion_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str | None] = mapped_column(String(40))  # "20/TB-SKHCN"
    issued_on: Mapped[date | None] = mapped_column(Date)
    opening: Mapped[str] = mapped_column(Text, default="")
    signer_authority: Mapped[str | None] = mapped_column(String(100))
    signer_title: Mapped[str | None] = mapped_column(String(100))
    signer_name: Mapped[str | None] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": revision}


class ConclusionItem(db.Model):
    """One numbered conclusion of the chair; when it asks an agency to act, the agency and the
    deadline (a later issue turns these into follow-up tasks)."""

    __tablename__ = "conclusion_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship()
