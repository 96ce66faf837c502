"""The staff audit log: who changed what, and when.

A row is written by the service that makes the change, in the change's own transaction
(`workshop.audit.log`): it exists exactly when the change was committed.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow
from .types import UTCDateTime


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as written so that the log still names the account after it is deleted.
    user_email: Mapped[str] = mapped_column(String(255))
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    # What was done, as "<feature>.<operation>" (e.g. "invitations.mark_sent"): the same for a
    # page, the API or the CLI; the audit page names it in the organizer's words.
    action: Mapped[str] = mapped_column(String(60))
    # What it was done to, in a few words ("Sở Nội vụ", "12 giấy mời"); never a token.
    detail: Mapped[str | None] = mapped_column(String(255))
