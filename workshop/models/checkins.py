"""Check-in (điểm danh): at most one per invitation, enforced by the database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
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


# "replaced": a code of the invitee's (the old pass, the personal link, the short code) once the
# invitation's pass is an approved deputy's.
CHECKIN_RESULTS = ("checked_in", "already_checked_in", "unknown", "other_workshop", "undone",
                   "replaced")


class CheckInAttempt(db.Model):
    """Every scan or typed code, known or not, for the audit; and the memory of each
    `client_id`, so that a phone retrying a scan gets the first answer again."""

    __tablename__ = "checkin_attempts"
    __table_args__ = (
        CheckConstraint(
            "result IN ('checked_in', 'already_checked_in', 'unknown', 'other_workshop', 'undone',"
            " 'replaced')",
            name="result",
        ),
        UniqueConstraint("workshop_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (workshop_id, client_id) above leads with it (migration
    # 0022_attempts_index says why a second one did harm).
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    # What was scanned, cut short: enough to investigate, not enough to reuse a pass.
    code_seen: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(24))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    invitation: Mapped[Invitation | None] = relationship()
    staff_user: Mapped[User | None] = relationship()
