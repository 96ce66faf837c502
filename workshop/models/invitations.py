"""Invitations (giấy mời): one per invited person, each with its own secret tokens."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, and_, case, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .organizations import Organization
from .types import UTCDateTime
from .workshops import Workshop

if TYPE_CHECKING:
    from .checkins import CheckIn

# How the letter addresses the invitee; None: by position ("Kính gửi: Giám đốc Sở Tư pháp").
SALUTATIONS = ("Ông", "Bà")
INVITATION_STATUSES = ("draft", "sent", "accepted", "declined", "delegated")
# The groups of states every count and filter uses (workshop/attendance.py has the counts):
# expected = the invitee, or the deputy sent instead, said they will come; unanswered = no
# answer yet, whether the letter went out or not; answered = any answer.
EXPECTED_STATUSES = ("accepted", "delegated")
UNANSWERED_STATUSES = ("draft", "sent")
ANSWERED_STATUSES = ("accepted", "declined", "delegated")
# The order lists and filters show the states in: not yet answered, coming, not coming.
STATUS_ORDER = ("draft", "sent", "accepted", "delegated", "declined")
STATUS_LABELS = {
    "draft": _l("Chưa gửi"),
    "sent": _l("Đã gửi, chưa trả lời"),
    "accepted": _l("Tham dự"),
    "declined": _l("Không tham dự"),
    "delegated": _l("Cử người dự thay"),
}
# Letters and digits that cannot be misread for one another when typed from a printed letter.
SHORT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_link_token() -> str:
    """The secret of the personal link: 256 random bits."""
    return secrets.token_urlsafe(32)


def new_pass_token() -> str:
    """What the QR pass carries: 192 random bits, separate from the link so a photo of the
    pass does not open the personal page."""
    return secrets.token_urlsafe(24)


def new_short_code(length: int = 6) -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(length))


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'sent', 'accepted', 'declined', 'delegated')", name="status"
        ),
        CheckConstraint(
            "status <> 'delegated' OR delegate_name IS NOT NULL", name="delegate_named"
        ),
        # A deputy belongs to the "delegated" answer only: an accept or a decline holds none.
        CheckConstraint(
            "status = 'delegated' OR (delegate_name IS NULL AND delegate_title IS NULL"
            " AND delegate_phone IS NULL)", name="deputy_only_delegated"
        ),
        CheckConstraint("salutation IS NULL OR salutation IN ('Ông', 'Bà')", name="salutation"),
        UniqueConstraint("workshop_id", "short_code"),
        UniqueConstraint("workshop_id", "letter_number"),
        # One person per seat; a seat is a row and a place in it, both or neither.
        UniqueConstraint("workshop_id", "seat_row", "seat_number"),
        CheckConstraint("(seat_row IS NULL) = (seat_number IS NULL)", name="seat_whole"),
        CheckConstraint("seat_row IS NULL OR (seat_row >= 0 AND seat_number >= 1)",
                        name="seat_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    # The invited person, copied from the directory when chosen there, editable afterwards.
    name: Mapped[str] = mapped_column(String(255))
    salutation: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))

    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    pass_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_pass_token)
    short_code: Mapped[str] = mapped_column(String(12), default=new_short_code)
    letter_number: Mapped[int | None] = mapped_column()

    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delegate_name: Mapped[str | None] = mapped_column(String(255))
    delegate_title: Mapped[str | None] = mapped_column(String(255))
    delegate_phone: Mapped[str | None] = mapped_column(String(64))

    # A walk-in (đại biểu đến trực tiếp) registered at the door: a row here so that check-in
    # works the same for everyone, but not counted as invited.
    walk_in: Mapped[bool] = mapped_column(default=False)
    first_emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The seat in the hall (workshop/seating): row 0 is the head table (bàn chủ tọa), rows 1…
    # the delegates'; on the row itself so that the scan's answer names it without a query.
    seat_row: Mapped[int | None] = mapped_column()
    seat_number: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    organization: Mapped[Organization | None] = relationship()
    checkin: Mapped[CheckIn | None] = relationship(back_populates="invitation", uselist=False)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES

    @property
    def is_expected(self) -> bool:
        """The invitee, or the deputy sent instead, said they will come."""
        return self.status in EXPECTED_STATUSES

    # Who stands at the door: the deputy when one was sent, else the invitee. Every page, export
    # and API answer that names the person present reads these, never the columns themselves.
    @property
    def has_deputy(self) -> bool:
        return self.status == "delegated" and bool(self.delegate_name)

    @hybrid_property
    def attendee_name(self) -> str:
        """The person expected at the door: the deputy when one was sent."""
        return self.delegate_name if self.has_deputy else self.name

    @attendee_name.inplace.expression
    @classmethod
    def _attendee_name_expression(cls):
        """The same in SQL, for the queries that read names without loading invitations."""
        return case((and_(cls.status == "delegated", cls.delegate_name.is_not(None)),
                     cls.delegate_name), else_=cls.name)

    @hybrid_property
    def agency_kind(self) -> str:
        """The kind of the invitee's agency; an invitee outside the directory counts with the
        agencies of kind "other"."""
        return self.organization.kind if self.organization else "other"

    @agency_kind.inplace.expression
    @classmethod
    def _agency_kind_expression(cls):
        """The same in SQL, for queries that outer-join the invitation's organization."""
        return func.coalesce(Organization.kind, "other")

    @property
    def attendee_title(self) -> str | None:
        """The position of the person at the door (the deputy's own when one was sent)."""
        return self.delegate_title if self.has_deputy else self.title

    @property
    def stands_in_for(self) -> str | None:
        """The invitee a deputy stands in for; None when the invitee comes in person."""
        return self.name if self.has_deputy else None

    @property
    def seat_label(self) -> str | None:
        """The seat as the door and the personal page say it: "Hàng 2, ghế 5", "Bàn chủ tọa,
        ghế 1"; None before the organizer seats the person."""
        if self.seat_row is None:
            return None
        if self.seat_row == 0:
            return gettext("Bàn chủ tọa, ghế %(number)d", number=self.seat_number)
        return gettext("Hàng %(row)d, ghế %(number)d", row=self.seat_row, number=self.seat_number)

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.name!r} {self.status}>"
