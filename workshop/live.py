"""The live pages' version in Redis, when REDIS_URL is set: the "live-update fan-out across
processes" the contract promises. Without REDIS_URL nothing here runs and the database's
`Workshop.live_version` is the only version, as before.

The database stays the truth. Redis holds a copy of each workshop's `live_version`, written
only after the transaction that raised it has committed, and only upwards (`RAISE`): two
writers committing versions 6 then 7 may reach Redis in either order, and Redis ends at 7.
So Redis is never ahead of the database, only (for a moment, or until its key expires when a
write to Redis was lost) behind it, and a version behind only costs a trip to Flask: the poll
gate's ETag is then older than the one the phone holds, does not match, and the view answers
from the database. A missed copy cannot make a phone keep a stale list for more than
VERSION_SECONDS either: a phone holding an ETag that Redis still names while the database
has moved on is told 304 until the key expires and is read again from the database.

Who polls is remembered too (`caller`): the poll gate (workshop/polls.py) then answers a
phone's 304 from one Redis round trip instead of a database read. Why that is safe enough:
only an invitation token is remembered, for CALLER_SECONDS, with its invitation and workshop
exactly as the database gave them; a 304 says only "the list you hold has not changed" to a
token that was valid at most that long ago, and anything else (a 200, a vote, another
workshop) still goes through Flask and the database. Staff are never remembered: a revoked
API token or an ended sign-in is refused at once, by the database.

Redis down or slow is never an error: every call here gives None (the callers then use the
database) and Redis is left alone for RETRY_SECONDS."""
from __future__ import annotations

import hashlib
import logging
import threading
import time

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

VERSION_SECONDS = 60
CALLER_SECONDS = 30
RETRY_SECONDS = 5.0
TIMEOUT_SECONDS = 0.25
PENDING = "workshop.live_versions"  # Session.info: {workshop code: version} to copy after commit
# Raise a version, never lower it: the copies of concurrent commits may arrive in any order.
RAISE = """
local held = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > held then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""


class Live:
    """The app's Redis for live versions (`app.extensions["live"]`, only with REDIS_URL)."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.errors = (redis.RedisError, OSError)
        self.redis = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS,
                                          socket_connect_timeout=TIMEOUT_SECONDS)
        self.prefix = prefix
        self.raise_script = self.redis.register_script(RAISE)
        self.resting_until = 0.0
        self.lock = threading.Lock()

    def version_key(self, code: str) -> str:
        return f"{self.prefix}questions:{code}"

    def caller_key(self, token: str) -> str:
        # The token itself never goes to Redis: only a digest of it.
        return f"{self.prefix}caller:{hashlib.sha256(token.encode()).hexdigest()[:40]}"

    def _call(self, work):
        if time.monotonic() < self.resting_until:
            return None
        try:
            return work()
        except self.errors as error:
            with self.lock:
                self.resting_until = time.monotonic() + RETRY_SECONDS
            log.warning("Redis unavailable for live versions (%s); using the database", error)
            return None

    # --- written after a commit, and by the poll gate after a database read -----------------

    def raise_version(self, code: str, version: int) -> None:
        self._call(lambda: self.raise_script(keys=[self.version_key(code)], args=[version, VERSION_SECONDS]))

    def remember(self, token: str, invitation_id: int, code: str, version: int | None) -> None:
        """What the database said of a polling invitation token; and its workshop's version,
        when Redis had none (`version` None when it had one)."""
        def work():
            self.redis.set(self.caller_key(token), f"{invitation_id}:{code}", ex=CALLER_SECONDS)
            if version is not None:
                self.raise_script(keys=[self.version_key(code)], args=[version, VERSION_SECONDS])

        self._call(work)

    # --- read by the poll gate ----------------------------------------------------------------

    def invitation_poll(self, token: str, code: str) -> tuple[int | None, int | None]:
        """(invitation id, workshop's version) for an invitation token polling `code`, each
        None when Redis does not know it (or knows the token for another workshop: the view's
        403 is the database's to tell); both None when Redis cannot be reached."""
        found = self._call(lambda: self.redis.mget(self.caller_key(token), self.version_key(code)))
        if not found:
            return None, None
        caller, version = found
        invitation_id = None
        if caller is not None:
            number, _colon, its_code = caller.decode().partition(":")
            invitation_id = int(number) if its_code == code else None
        return invitation_id, int(version) if version is not None else None

    def version(self, code: str) -> int | None:
        found = self._call(lambda: self.redis.get(self.version_key(code)))
        return int(found) if found is not None else None


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    if url:
        # The keys name the database too: another database's copies (a second installation on
        # the same Redis, a database made afresh) are never taken for this one's.
        database = hashlib.sha256(str(app.config["SQLALCHEMY_DATABASE_URI"]).encode()).hexdigest()[:12]
        app.extensions["live"] = Live(url, app.config.get("LIVE_REDIS_PREFIX", f"workshop:live:{database}:"))


def of(app: Flask) -> Live | None:
    return app.extensions.get("live")


def raised(session: Session, code: str, version: int) -> None:
    """Called in the transaction that raised a workshop's `live_version` (questions.services.
    bump_version): copied to Redis once that transaction commits, forgotten if it rolls back."""
    pending = session.info.setdefault(PENDING, {})
    pending[code] = max(version, pending.get(code, version))


@event.listens_for(Session, "after_commit")
def _copy_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending or not has_app_context():
        return
    live = of(current_app)
    if live is not None:
        for code, version in pending.items():
            live.raise_version(code, version)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
