"""Staff accounts (organizer, chair, staff) and their API tokens."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow
from .types import UTCDateTime

ROLES = ("organizer", "chair", "staff")
# "staff+" in CONTRACT.md: a chair may do what staff do, an organizer everything.
ROLE_RANK = {"staff": 1, "chair": 2, "organizer": 3}
ROLE_LABELS = {
    "organizer": _l("Ban tổ chức"),
    "chair": _l("Chủ trì"),
    "staff": _l("Cán bộ điểm danh"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('organizer', 'chair', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    logins: Mapped[list[Login]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The sign-in this account is used through in the current request ("<id>:<secret>", see
    # auth.services.start_login); Flask-Login keeps it in the session and the remember cookie.
    login_id = None

    def get_id(self) -> str:
        """What Flask-Login stores for this sign-in: never the bare account id, so that a
        cookie stops working when its sign-in ends."""
        return self.login_id or ""

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    def set_password(self, password: str) -> None:
        # The method is a setting so that the tests can use a cheap one; check_password reads
        # the method back from the stored hash, so accounts made either way keep signing in.
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def hash_token(token: str) -> str:
    """API tokens are stored as their SHA-256: a leaked database holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Login(db.Model):
    """One sign-in of a staff account on one browser: the session and the remember cookie carry
    its secret (stored here as its SHA-256 only); signing out or its expiry ends it."""

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="logins")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown so that a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


TEAM_ROLES = ("chair", "staff")


class TeamMember(db.Model):
    """A chair or staff account assigned to one workshop by its organizer. An account that
    belongs to any team acts only on the workshops of its teams, with at most the role given
    here; an account in no team keeps its role on every workshop (workshop/auth/rights.py)."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id"),
        CheckConstraint("role IN ('chair', 'staff')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


# Whether the account belongs to any team, read with the account itself (no statement of its
# own): an account in no team, every account of a deployment without teams, costs nothing more.
User.in_team = column_property(
    select(TeamMember.id).where(TeamMember.user_id == User.id).exists(), deferred=False)
