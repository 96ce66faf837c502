"""Invitations (giấy mời): one per invited person, each with its own secret tokens."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    UniqueConstraint,
    and_,
    case,
    func,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .organizations import Organization
from .types import UTCDateTime
from .workshops import Workshop

if TYPE_CHECKING:
    from .checkins import CheckIn
    from .users import User

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


class AtTheDoor:
    """Who stands at the door: the deputy when one was sent, else the invitee. Every page,
    export and API answer that names the person present reads these, never the columns
    themselves. The one home of these rules, for an Invitation and for the door's own row of one
    (checkin.services.Pass, read without the ORM on the scan's hot path): both have the columns
    `status`, `name`, `title`, `delegate_name`, `delegate_title`, `seat_row`, `seat_number`."""

    @property
    def has_deputy(self) -> bool:
        return has_deputy(self.status, self.delegate_name, self.deputy_state)

    @hybrid_property
    def attendee_name(self) -> str:
        """The person expected at the door: the deputy when one was sent."""
        return self.delegate_name if self.has_deputy else self.name

    @attendee_name.inplace.expression
    @classmethod
    def _attendee_name_expression(cls):
        """The same in SQL, for the queries that read names without loading invitations."""
        return case((and_(cls.status == "delegated", cls.delegate_name.is_not(None),
                          or_(cls.deputy_state.is_(None), cls.deputy_state != "refused")),
                     cls.delegate_name), else_=cls.name)

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


class Answered(AtTheDoor):
    """What the invitee answered, and the deputy named now. The one home of these rules, for an
    Invitation and for the personal page's own row of one (invitations.page.PageInvitation,
    read without the ORM): both have AtTheDoor's columns, `deputy_state`, and `nominations`
    (the deputies named, oldest first, each with its `email`)."""

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

    @property
    def deputy_nomination(self) -> DeputyNomination | None:
        """The nomination of the deputy named now, with the organizer's decision on it (on the
        page's row, its plain row of one)."""
        if self.deputy_state is None or not self.nominations:
            return None
        return self.nominations[-1]

    @property
    def delegate_email(self) -> str | None:
        """The e-mail of the deputy named now, kept on their nomination: their pass goes there
        once approved."""
        nomination = self.deputy_nomination
        return nomination.email if nomination is not None and self.has_deputy else None


class Invitation(Answered, db.Model):
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
        # Whether the organizer has approved the deputy: only with a deputy named.
        CheckConstraint(
            "deputy_state IS NULL OR (status = 'delegated'"
            " AND deputy_state IN ('pending', 'approved', 'refused'))", name="deputy_state"
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
    # The organizer's decision on the deputy named now (DEPUTY_STATES); None without a deputy.
    # The history of every deputy named is in DeputyNomination.
    deputy_state: Mapped[str | None] = mapped_column(String(10))

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
    nominations: Mapped[list[DeputyNomination]] = relationship(
        back_populates="invitation", order_by="DeputyNomination.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )

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

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.name!r} {self.status}>"


# A deputy named by the invitee: waiting for the organizer, approved (automatically when the
# workshop asks no approval), refused with a reason, or withdrawn by a later answer.
DEPUTY_STATES = ("pending", "approved", "refused")
NOMINATION_STATES = (*DEPUTY_STATES, "withdrawn")
DEPUTY_STATE_LABELS = {
    "pending": _l("Chờ Ban tổ chức duyệt"),
    "approved": _l("Đã được duyệt"),
    "refused": _l("Không được chấp thuận"),
    "withdrawn": _l("Đã thay đổi"),
}


class DeputyNomination(db.Model):
    """One deputy named by an invitee, when, and what became of it: the history is kept even
    when the invitee names another deputy or answers otherwise."""

    __tablename__ = "deputy_nominations"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'approved', 'refused', 'withdrawn')", name="state"
        ),
        # A decision has its time; a refusal its reason, which the invitee reads.
        CheckConstraint(
            "state IN ('pending', 'withdrawn') OR decided_at IS NOT NULL", name="decided"
        ),
        CheckConstraint("state <> 'refused' OR reason IS NOT NULL", name="refused_reason"),
        # Only an approved deputy has a pass of their own, replacing the earlier one.
        CheckConstraint(
            "pass_token IS NULL OR (decided_at IS NOT NULL AND replaced_pass_token IS NOT NULL)",
            name="pass_on_approval",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    named_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    # Where the deputy's own pass is e-mailed on approval (optional: else Zalo/SMS by hand).
    email: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The organizer who decided; None when no approval was asked (approved at once).
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    # The deputy's own pass given on approval, and the pass it replaced: both are looked up at
    # the door so that an earlier pass is told "handed to the deputy", not "unknown".
    pass_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    replaced_pass_token: Mapped[str | None] = mapped_column(String(64), index=True)

    invitation: Mapped[Invitation] = relationship(back_populates="nominations")
    decided_by: Mapped[User | None] = relationship()

    @property
    def state_label(self) -> str:
        return str(DEPUTY_STATE_LABELS[self.state])


def has_deputy(status: str, delegate_name: str | None, deputy_state: str | None) -> bool:
    """A deputy was sent instead of the invitee: the rule behind `Invitation.has_deputy`, for the
    queries that read an invitation's columns without loading it (the polled question list).
    A deputy the organizer refused is not coming: the invitee is the one named, at the door, in
    the lists and on the questions, as the invitation counts as unanswered (attendance.py)."""
    return status == "delegated" and bool(delegate_name) and deputy_state != "refused"
