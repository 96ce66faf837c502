"""Accounts, passwords and API tokens."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, inspect, or_, select
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .. import audit, autocommit
from ..config import LOGIN_LIFETIME
from ..extensions import db
from ..models import ROLES, ApiToken, Login, User, hash_token
from ..statements import built_once
from ..timeutil import utcnow


class AccountError(ValueError):
    """A refused account operation, with a message for the user."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, else None (never says which was wrong)."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def start_login(user: User) -> str:
    """A new sign-in for `user`: its id ("<account id>:<secret>") is what the session and the
    remember cookie carry, a new one at every sign-in; only the secret's hash is kept."""
    now = utcnow()
    db.session.execute(delete(Login).where(  # this account's sign-ins that no longer work
        Login.user_id == user.id, or_(Login.ended_at.is_not(None), Login.expires_at <= now)))
    secret = secrets.token_urlsafe(32)
    db.session.add(Login(user=user, secret_hash=hash_token(secret),
                         created_at=now, expires_at=now + LOGIN_LIFETIME))
    audit.log("auth.login", actor=user)  # who signed in when belongs in the log
    db.session.commit()
    user.login_id = f"{user.id}:{secret}"
    return user.login_id


def _login(login_id: str | None) -> Login | None:
    user_id, _colon, secret = (login_id or "").partition(":")
    if not user_id.isdigit() or not secret or len(secret) > 64:
        return None
    login = db.session.scalar(select(Login).options(joinedload(Login.user))
                              .where(Login.secret_hash == hash_token(secret)))
    if login is None or login.user_id != int(user_id):
        return None
    return login


def user_for_login(login_id: str | None) -> User | None:
    """The active account of a sign-in that has neither ended nor expired, else None."""
    login = _login(login_id)
    if login is None or login.ended_at is not None or login.expires_at <= utcnow():
        return None
    user = login.user
    if not user.active:
        return None
    user.login_id = login_id
    return user


def end_login(login_id: str | None) -> None:
    """Sign-out: the sign-in's session and remember cookie stop working, on every copy."""
    login = _login(login_id)
    if login is not None and login.ended_at is None:
        login.ended_at = utcnow()
        db.session.commit()


def create_user(
    email: str, role: str, password: str, name: str | None = None, title: str | None = None
) -> User:
    if role not in ROLES:
        raise AccountError(_("Vai trò phải là một trong: %(roles)s.", roles=", ".join(ROLES)))
    if len(password) < 8:
        raise AccountError(_("Mật khẩu phải có ít nhất 8 ký tự."))
    email = normalize_email(email)
    if "@" not in email:
        raise AccountError(_("Địa chỉ e-mail không hợp lệ."))
    if find_user(email) is not None:
        raise AccountError(_("Đã có tài khoản với e-mail %(email)s.", email=email))
    user = User(email=email, role=role, name=name or email.split("@")[0], title=title)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def create_api_token(user: User) -> str:
    """A new token for `user`; only its hash is kept, so this is the one time it is shown."""
    token = "wst_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), prefix=token[:10]))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The active account behind an unrevoked API token: one statement on the unique index of
    the hashes, on every Bearer call (no cache, so that a revoked token stops at once).

    On PostgreSQL it is read outside any transaction (workshop/autocommit.py): it is a Bearer
    call's first statement (auth/identity.py), with nothing uncommitted before it to see, and
    without a BEGIN and a ROLLBACK around it, two round trips fewer. The session then holds the
    account as if it had read it, and begins its transaction only when the call needs one (the
    API's scan does not)."""
    if not token:
        return None
    values = {"token_hash": hash_token(token)}
    kept = autocommit.of(current_app)
    if kept is None:
        return db.session.scalar(_token_statement(), values)
    row = kept.first(_token_row_statement(), values)
    return None if row is None else _held(row)


@built_once
def _token_statement():
    """user_for_token's statement, built once: every Bearer call runs it, and building it
    cost as much CPU as running it."""
    return (select(User).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   User.active.is_(True)))


# The account's loaded attributes: its columns and whether it is in a team (models/users.py).
USER_ATTRIBUTES = (*(column.key for column in User.__table__.columns), "in_team")


@built_once
def _token_row_statement():
    """_token_statement's account as a plain row, for a read outside the session."""
    return (select(*(getattr(User, name) for name in USER_ATTRIBUTES[:-1]),
                   User.in_team.label("in_team"))
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   User.active.is_(True)))


@dataclass(frozen=True)
class ActingAccount:
    """A staff account as a call sees it that only authorizes and records with it (the API's
    scan: auth/identity.py `defer_staff_token`): token_account's columns, no ORM entity (making
    one and adding it to the session cost a twentieth of a resend's CPU). Its role is read as
    an account's is."""

    id: int
    email: str
    role: str
    in_team: bool

    has_role = User.has_role


# token_account's columns, in ActingAccount's order.
ACTING_ATTRIBUTES = tuple(ActingAccount.__dataclass_fields__)


@built_once
def token_account():
    """The account behind the unrevoked token hashed `:token_hash`, as a subquery (`staff`) of
    its ACTING_ATTRIBUTES, for a statement that reads it with its own rows (the API's scan:
    auth/identity.py `defer_staff_token`); no row when the token is unknown or revoked or its
    account inactive. Read at each call, never kept: a revoked token stops at once."""
    return (select(*(getattr(User, name) for name in ACTING_ATTRIBUTES[:-1]),
                   User.in_team.label("in_team"))
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   User.active.is_(True))
            .subquery("staff"))


def account_of_row(row) -> ActingAccount | None:
    """The account of token_account's columns (None, all None: no account)."""
    return None if row[0] is None else ActingAccount(*row)


def _held(row) -> User:
    """The account of `row` in the session, as a query of the session would give it (no
    statement: the row was just read): the session's own object when it holds one already, its
    expired attributes filled from the row; else one made from the row, unchanged and
    persistent."""
    values = dict(zip(USER_ATTRIBUTES, row, strict=True))
    held = db.session.identity_map.get(identity_key(User, values["id"]))
    if held is not None:
        for name in inspect(held).unloaded & values.keys():
            set_committed_value(held, name, values[name])
        return held
    user = User(**values)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def revoke_api_token(token: str) -> bool:
    api_token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    )
    if api_token is None or api_token.revoked_at is not None:
        return False
    api_token.revoked_at = utcnow()
    db.session.commit()
    return True
