"""Workshops and their sessions (the agenda)."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from ..timeutil import utcnow
from .organizations import Organization
from .types import UTCDateTime
from .users import User


def new_screen_token() -> str:
    return secrets.token_urlsafe(24)


class Workshop(db.Model):
    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public handle in URLs and the API; never the id.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(500))
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    description: Mapped[str | None] = mapped_column(Text)
    # What the official letter (giấy mời) needs beyond the host agency: its parent agency in the
    # header, the code after "Số: N/GM-", the place before the date, and the signer's block.
    host_parent_name: Mapped[str | None] = mapped_column(String(255))
    letter_code: Mapped[str | None] = mapped_column(String(40))
    letter_place: Mapped[str | None] = mapped_column(String(100))
    signer_authority: Mapped[str | None] = mapped_column(String(100))
    signer_title: Mapped[str | None] = mapped_column(String(100))
    signer_name: Mapped[str | None] = mapped_column(String(255))
    # The giấy mời's number in the outgoing register ("125/GM-SKHCN"), one for every copy; the
    # contact person (đầu mối liên hệ) the letter names; when the báo cáo tham luận is due; and
    # the code of the earlier edition of a series.
    letter_number: Mapped[str | None] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    contribution_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_code: Mapped[str | None] = mapped_column(String(40))
    # Questions and feedback: whether a question may be sent without the asker's name, the
    # secret of the projector link, a counter bumped by every change the live pages must show
    # (their ETag), and when feedback closes.
    allow_anonymous_questions: Mapped[bool] = mapped_column(default=False)
    # Whether a deputy (người dự thay) needs the organizer's approval before getting a pass.
    deputy_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    screen_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_screen_token)
    live_version: Mapped[int] = mapped_column(default=0)
    feedback_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last letter number given to an invitation of this workshop: raised by one UPDATE per
    # creation, so that invitations made at the same moment never take the same number.
    last_invitation_number: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    host_organization: Mapped[Organization | None] = relationship()
    sessions: Mapped[list[WorkshopSession]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="(WorkshopSession.position, WorkshopSession.id)",
    )
    # Whether a summary is published, worked out in the query that loads the workshop for the
    # invitee's personal page (invitations.services.find_for_personal_page); None elsewhere,
    # meaning: not asked.
    summary_published: Mapped[bool | None] = query_expression()

    def __repr__(self) -> str:
        return f"<Workshop {self.code}>"


class WorkshopSession(db.Model):
    """One agenda item (phiên) of a workshop, with the chair who runs its questions."""

    __tablename__ = "workshop_sessions"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at",
                        name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    presenter: Mapped[str | None] = mapped_column(String(255))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated: Mapped[bool] = mapped_column(default=False)
    # "Phiên nhận câu hỏi": where questions go while no session is running (before the first
    # one, or between two), instead of silently to the opening. At most one per workshop.
    open_for_questions: Mapped[bool] = mapped_column(default=False, server_default=false())
    description: Mapped[str | None] = mapped_column(Text)
    # The question being answered now, highlighted on the projector and the phones.
    current_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL", use_alter=True)
    )

    workshop: Mapped[Workshop] = relationship(back_populates="sessions")
    chair: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WorkshopSession {self.id} {self.title!r}>"
