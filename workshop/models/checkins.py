"""Check-in (điểm danh): at most one per invitation, enforced by the database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .invitations import Invitation
from .types import UTCDateTime
from .users import User


class CheckIn(db.Model):
    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique: two phones scanning one pass at once make one check-in, the other is told "already".
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    # When the pass was scanned (an offline scan keeps its own time), and when it reached us.
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(20), default="scan")  # scan, manual, self, walk_in
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    invitation: Mapped[Invitation] = relationship(back_populates="checkin")
    staff_user: Mapped[User | None] = relationship()
