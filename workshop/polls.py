"""Polls answered before Flask: a live page asking "anything new?" every 2 s with the ETag it
holds is told 304 here, at the WSGI level, without a request context, a session object,
Flask-Login, Babel, the rate limiter or the ORM.

Two polls are answered here, and only while their ETag still matches:
- the question list, `GET /api/v1/workshops/<code>/questions` (api/questions.py), for the
  invitee (`X-Invitation-Token`, or the token the personal page left in the session cookie) and
  for staff (a Bearer token, or a signed-in browser);
- the arrivals board's numbers, `GET /workshops/<code>/board.json`, for a signed-in staff browser.

With REDIS_URL, an invitation token's 304 is told from Redis instead, and on PostgreSQL without
it from this process's memory, kept true by LISTEN/NOTIFY (workshop/live.py says what each holds
and why that is safe); staff are still checked against the database each time. Otherwise (on
SQLite, or before that memory knows the caller), who calls is checked, each time, against the
database: a 304 tells only someone allowed to read the list that it has not changed. The
caller's credential and the current version come back from one indexed query (the invitation
by its unique token joined to its workshop, with a row per question it voted for: the view's
own lookup, handed on to it when the ETag is stale, so that such a 200 poll does not read the
invitation again; the sign-in or the API token by its unique hash joined to its account, with
the workshop's version as a subquery); the board adds its own version query. Anything this
gate cannot decide exactly as the view would (an unknown token, another workshop, a remember
cookie, a query parameter it does not know, a database error) goes on to Flask unchanged, whose
answer is then the rule: a wrong token is still a 401. Each ETag is built by the same function the view uses.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_cookie, parse_etags, quote_etag

from . import autocommit, live
from .checkin.desk import board_etag, board_version_statement, version_of
from .extensions import db
from .models import ApiToken, Login, User, Workshop
from .models.users import ROLE_RANK, hash_token
from .questions.services import list_etag, poller, poller_of, poller_statement
from .ratelimit import hand_on
from .security import SECURITY_HEADERS
from .statements import built_once
from .timeutil import utcnow

QUESTIONS = re.compile(r"/api/v1/workshops/([^/]{1,64})/questions")
BOARD = re.compile(r"/workshops/([^/]{1,64})/board\.json")
INVITATION = "HTTP_X_INVITATION_TOKEN"
ORDERS = ("votes", "time")
MAX_ID = 2**63 - 1


class PollGate:
    """WSGI middleware around the Flask app's own `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._engine = None  # SQLite's

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("HTTP_IF_NONE_MATCH"):
            try:
                etag = self.current_etag(environ)
            except SQLAlchemyError:
                etag = None  # Flask answers, with its own error handling
            if etag is not None and parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains(etag):
                start_response("304 NOT MODIFIED", [
                    ("ETag", quote_etag(etag)), ("Cache-Control", "no-cache"),
                    *SECURITY_HEADERS.items()])
                return []
        return self.wsgi_app(environ, start_response)

    # --- what the views would answer ----------------------------------------------------------

    def current_etag(self, environ: dict) -> str | None:
        """The ETag the view would send to this caller now; None when only the view can tell."""
        path = environ.get("PATH_INFO", "")
        found = QUESTIONS.fullmatch(path)
        if found:
            return self.questions_etag(environ, found.group(1))
        found = BOARD.fullmatch(path)
        if found:
            return self.board_etag(environ, found.group(1))
        return None

    def questions_etag(self, environ: dict, code: str) -> str | None:
        query = _query(environ, ("session_id", "order"))
        if query is None:
            return None
        session_id, order = _positive(query.get("session_id")), query.get("order") or "votes"
        if session_id is False or order not in ORDERS:
            return None
        token = environ.get(INVITATION)
        cookie = None
        if token is None and not environ.get("HTTP_AUTHORIZATION"):
            cookie = self.session_cookie(environ)
            if cookie is None or "_user_id" in cookie:
                return self.staff_questions_etag(environ, cookie, code, session_id, order)
            token = cookie.get("invitation_token")
        if token is None:
            return self.staff_questions_etag(environ, cookie, code, session_id, order)
        token = token.strip()
        if not token or len(token) > 64:
            return None
        store = live.of(self.app)
        known = None
        if store is not None:
            # With REDIS_URL (one Redis round trip) or on PostgreSQL (this process's memory, kept
            # true by LISTEN/NOTIFY) the phones' 304s are told without the database: the token's
            # invitation as the database last said (for a few seconds) and the workshop's
            # version; why this is safe is told in workshop/live.py.
            known = store.invitation_poll(token, code)
            if known.invitation_id is not None and known.version is not None:
                return list_etag(known.version, session_id, known.invitation_id, ("visible",), order)
        # The view's own lookup (services.poller: with the caller's votes), handed on to it:
        # a poll whose ETag is stale then reads nothing more than the list, when not kept.
        caller = poller_of(self.all(poller_statement(), {"token": token}))
        hand_on(environ, token, poller, caller)
        if caller is None or caller.code != code:
            return None  # the view's 401 or 403
        if store is not None:
            store.remember(token, caller, known)
        return list_etag(caller.live_version, session_id, caller.id, ("visible",), order)

    def staff_questions_etag(self, environ: dict, cookie: dict | None, code: str, session_id: int | None,
                             order: str) -> str | None:
        row = self.staff(environ, cookie, "version", code)
        if row is None or row.extra is None:
            return None
        return list_etag(row.extra, session_id, None, ("visible",), order)

    def board_etag(self, environ: dict, code: str) -> str | None:
        query = _query(environ, ("lang",))
        cookie = self.session_cookie(environ)
        if query is None or cookie is None or "_user_id" not in cookie:
            return None  # a Bearer call or a lapsed sign-in: the view answers it
        row = self.staff({}, cookie, "workshop", code)
        if row is None or row.extra is None:
            return None
        locale = self.app.config["WORKSHOP_LOCALE"]
        from . import chosen_locale

        return board_etag(version_of(self.one(BOARD_VERSION, {"workshop_id": row.extra})),
                          chosen_locale(cookie.get("lang"), query.get("lang"), locale))

    def staff(self, environ: dict, cookie: dict | None, extra: str, code: str):
        """The staff account calling, in one query with `extra` (EXTRAS: the workshop's
        version or id, by its code) beside it, when it is active and at least staff: by its
        Bearer token, else by the sign-in in the session cookie (as Flask-Login's loader,
        `user_for_login`, would find it)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header:
            if not header.lower().startswith("bearer ") or not header[7:].strip():
                return None
            row = self.one(_staff_statement(extra, bearer=True),
                           {"code": code, "hash": hash_token(header[7:].strip())})
            ok = row is not None and row.revoked_at is None
        else:
            user_id, _colon, secret = str((cookie or {}).get("_user_id") or "").partition(":")
            if not user_id.isdigit() or not secret or len(secret) > 64:
                return None
            row = self.one(_staff_statement(extra, bearer=False), {"code": code, "hash": hash_token(secret)})
            ok = (row is not None and row.user_id == int(user_id) and row.ended_at is None
                  and row.expires_at > utcnow())
        if not ok or not row.active or ROLE_RANK.get(row.role, -1) < ROLE_RANK["staff"]:
            return None
        if row.in_team:
            return None  # limited to its teams' workshops: the view's guard decides (auth/rights.py)
        return row

    # --- plumbing -------------------------------------------------------------------------

    def session_cookie(self, environ: dict) -> dict | None:
        """What Flask's signed session cookie holds ({} without one); None when the request
        carries what only Flask can read (a remember cookie, a cookie that does not verify)."""
        config = self.app.config
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return None
        value = cookies.get(config["SESSION_COOKIE_NAME"])
        if not value:
            return {}
        serializer = getattr(self.app.session_interface, "get_signing_serializer", lambda app: None)(self.app)
        if serializer is None:
            return None
        try:
            data = serializer.loads(value, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def one(self, statement, parameters: dict | None = None):
        """One read, its first row: on PostgreSQL outside any transaction, on this thread's
        kept connection (workshop/autocommit.py), one round trip per poll; a broken connection
        fails this poll over to Flask (whose pool pings) and is replaced by the next one."""
        kept = autocommit.of(self.app)
        if kept is not None:
            return kept.first(statement, parameters)
        with self.engine().connect() as connection:  # SQLite: a pooled connection is cheap
            return connection.execute(statement, parameters).first()

    def all(self, statement, parameters: dict | None = None) -> list:
        """One read, as `one`, all its rows."""
        kept = autocommit.of(self.app)
        if kept is not None:
            return kept.all(statement, parameters)
        with self.engine().connect() as connection:
            return connection.execute(statement, parameters).all()

    def engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine


# The gate's statements, built once: a poll pays only for running them.
BOARD_VERSION = board_version_statement(bindparam("workshop_id"))
EXTRAS = {"version": Workshop.live_version, "workshop": Workshop.id}


@built_once
def _staff_statement(extra: str, *, bearer: bool):
    beside = select(EXTRAS[extra]).where(Workshop.code == bindparam("code")).scalar_subquery().label("extra")
    if bearer:
        return (select(User.role, User.active, User.in_team.label("in_team"), ApiToken.revoked_at, beside)
                .join(User, ApiToken.user_id == User.id).where(ApiToken.token_hash == bindparam("hash")))
    return (select(User.role, User.active, User.in_team.label("in_team"), Login.user_id, Login.ended_at,
                   Login.expires_at, beside)
            .join(User, Login.user_id == User.id).where(Login.secret_hash == bindparam("hash")))


def _query(environ: dict, known: tuple[str, ...]) -> dict[str, str] | None:
    """The query string's parameters, when each is known and given once; else None."""
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    found = dict(pairs)
    if len(found) != len(pairs) or set(found) - set(known):
        return None
    return found


def _positive(value: str | None) -> int | None | bool:
    """A positive id as the view's argument parser reads it; False when it would refuse it."""
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or str(int(value)) != value or not 0 < int(value) <= MAX_ID:
        return False
    return int(value)
