"""The live pages' fan-out across processes: every server process learns each workshop's
`live_version` without asking the database at every poll, so that a phone's 304 is told from
here (workshop/polls.py). Two homes for it, one interface (`of(app)`, `invitation_poll`,
`remember`): Redis when REDIS_URL is set (`Live`); else, on PostgreSQL, the database's own
LISTEN/NOTIFY (`Listened`). On SQLite nothing here runs and the database's
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
database) and Redis is left alone for RETRY_SECONDS.

`Listened` (PostgreSQL, no Redis) keeps the same two things in each process's memory, and the
same reasoning holds, with these differences. The version is told by the database itself:
bump_version's UPDATE calls pg_notify in its RETURNING, and PostgreSQL delivers a notification
only once its transaction has committed (none on a rollback), to every session LISTENing on
CHANNEL; one thread per process listens, on its own connection. Memory is only raised
(notifications of two commits arrive in either order). A version read from the database is
kept only when the listener was subscribed before that read began (`Known.since`, an epoch of
the subscription): a commit after the read's snapshot is then sure to be told, one before it
is in the read. When the listener's connection fails or closes, everything kept is forgotten
at once and the gate reads the database, until the listener has subscribed again (tried every
LISTEN_RETRY_SECONDS). Between a connection's loss and the listener seeing it (the socket
closing: milliseconds) a commit can go untold, and what was kept is then behind, never ahead,
until it is forgotten. A connection gone deaf without closing (a network dropping packets: TCP
keepalives find it within about half a minute) cannot keep a phone on a stale list for longer
than CALLER_SECONDS either: each token's memory lapses and is read again from the database, its
workshop's version with it, only upwards. Nothing else lapses: a subscribed listener misses
nothing."""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from typing import NamedTuple

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from .extensions import db
from .models import Workshop

log = logging.getLogger(__name__)

VERSION_SECONDS = 60
CALLER_SECONDS = 30
RETRY_SECONDS = 5.0
TIMEOUT_SECONDS = 0.25
CHANNEL = "workshop_live"  # NOTIFY's payload: "<workshop id>:<live_version>"
LISTENER = "workshop-live-listener"  # the listener connection's application_name
LISTEN_RETRY_SECONDS = 2.0  # a lost listener connection is tried again this long after
FIRST_WAIT_SECONDS = 2.0  # the first poll of a process waits this long at most for LISTEN
WAKE_SECONDS = 1.0  # the listener looks this often whether it is told to stop
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


class Known(NamedTuple):
    """What the store knows of an invitation token polling a workshop: its invitation's id and
    the workshop's version, each None when unknown; `since` is handed back to `remember`."""

    invitation_id: int | None
    version: int | None
    since: int | None = None


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

    def remember(self, token: str, caller, known: Known) -> None:
        """What the database said of a polling invitation token (a questions.services.Poller);
        and its workshop's version, when Redis had none."""
        def work():
            self.redis.set(self.caller_key(token), f"{caller.id}:{caller.code}", ex=CALLER_SECONDS)
            if known.version is None:
                self.raise_script(keys=[self.version_key(caller.code)],
                                  args=[caller.live_version, VERSION_SECONDS])

        self._call(work)

    # --- read by the poll gate ----------------------------------------------------------------

    def invitation_poll(self, token: str, code: str) -> Known:
        """The invitation and version for an invitation token polling `code`, each None when
        Redis does not know it (or knows the token for another workshop: the view's 403 is the
        database's to tell); both None when Redis cannot be reached."""
        found = self._call(lambda: self.redis.mget(self.caller_key(token), self.version_key(code)))
        if not found:
            return Known(None, None)
        caller, version = found
        invitation_id = None
        if caller is not None:
            number, _colon, its_code = caller.decode().partition(":")
            invitation_id = int(number) if its_code == code else None
        return Known(invitation_id, int(version) if version is not None else None)

    def version(self, code: str) -> int | None:
        found = self._call(lambda: self.redis.get(self.version_key(code)))
        return int(found) if found is not None else None


class _Caller(NamedTuple):
    invitation_id: int
    workshop_id: int
    code: str
    until: float  # time.monotonic()


class _Listener:
    """One listener thread's own state: its stop and whether it has tried LISTEN yet."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.tried = threading.Event()
        self.connection = None  # its psycopg connection, touched by its own thread only


class Listened:
    """The app's live versions on PostgreSQL without Redis (`app.extensions["live"]`): this
    process's memory, kept true by LISTEN/NOTIFY (the module's docstring says why it is safe).

    The listener thread starts with the first poll of each process (a pid check: after gunicorn
    forks, never in its master, which serves no request), on a connection of its own (psycopg,
    autocommit, outside the app's pool); it is a daemon, and stops with its process or when the
    app's engine is disposed of (the next poll starts another)."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        found = make_url(url)
        self.connect_args = {name: value for name, value in {
            "host": found.host, "port": found.port, "user": found.username, "password": found.password,
            "dbname": found.database, "connect_timeout": 5,
            # It only ever reads: a network gone silent is found by TCP keepalives, ~25 s.
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
            **found.query,
            "application_name": LISTENER}.items() if value is not None}
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.listener: _Listener | None = None
        self.inherited: list[_Listener] = []  # a parent's, across a fork: never used nor closed here
        self.subscribed = False
        self.epoch = 0  # raised at every subscription and every loss of one
        self.versions: dict[int, int] = {}  # workshop id: live_version
        self.callers: dict[str, _Caller] = {}  # invitation token: what the database said
        self.sweep_at = 0.0
        self.watching = False  # engine_disposed listened to
        # A fork while another thread holds the lock would leave it held forever in the child.
        mine = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _new_lock(mine))

    # --- read by the poll gate --------------------------------------------------------------

    def invitation_poll(self, token: str, code: str) -> Known:
        """As Live's; `since` is the subscription's epoch (None while unsubscribed): a read from
        the database begun after this call may be remembered under it."""
        self.started()
        with self.lock:
            if not self.subscribed:
                return Known(None, None)
            caller = self.callers.get(token)
            if caller is None or caller.until <= time.monotonic() or caller.code != code:
                return Known(None, None, self.epoch)
            return Known(caller.invitation_id, self.versions.get(caller.workshop_id), self.epoch)

    def remember(self, token: str, caller, known: Known) -> None:
        """What the database said of a polling invitation token (a questions.services.Poller)
        and its workshop's version, when the listener was subscribed before that read began and
        has stayed so since (`known.since`)."""
        with self.lock:
            if not self.subscribed or known.since != self.epoch:
                return
            now = time.monotonic()
            if now >= self.sweep_at:  # the lapsed go: no more than the tokens of the last moments
                self.callers = {kept: held for kept, held in self.callers.items() if held.until > now}
                self.sweep_at = now + CALLER_SECONDS
            self.callers[token] = _Caller(caller.id, caller.workshop_id, caller.code, now + CALLER_SECONDS)
            self._raise(caller.workshop_id, caller.live_version)

    # --- the listener ---------------------------------------------------------------------

    def started(self) -> None:
        """This process's listener, started at its first poll; which waits for its LISTEN (a
        connection's time, at most FIRST_WAIT_SECONDS), so that its next poll is told from here."""
        pid = os.getpid()
        if self.pid == pid:
            return
        with self.lock:
            if self.pid == pid:
                return
            if self.listener is not None:
                self.inherited.append(self.listener)  # forked: the parent's connection is not ours
            self._forget_all()
            self.pid, listener = pid, _Listener()
            self.listener = listener
            if not self.watching:
                with self.app.app_context():
                    event.listen(db.engine, "engine_disposed", self.stop)
                self.watching = True
            threading.Thread(target=self._listen, args=(listener,), name=LISTENER, daemon=True).start()
        listener.tried.wait(FIRST_WAIT_SECONDS)

    def stop(self, engine=None) -> None:
        """The app's engine disposed of (a test's end): the listener closes its connection."""
        with self.lock:
            if self.listener is not None:
                if self.pid == os.getpid():
                    self.listener.stopping.set()
                else:
                    self.inherited.append(self.listener)  # forked: the parent's connection is not ours
            self.listener = self.pid = None
            self._forget_all()

    def _listen(self, listener: _Listener) -> None:
        import psycopg

        while not listener.stopping.is_set():
            try:
                with psycopg.connect(autocommit=True, **self.connect_args) as connection:
                    listener.connection = connection
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._subscribed(listener)
                    while not listener.stopping.is_set():
                        for notification in connection.notifies(timeout=WAKE_SECONDS):
                            self._told(listener, notification.payload)
            except Exception as error:  # noqa: BLE001  whatever it is, polls read the database
                if not listener.stopping.is_set():
                    log.warning("Live versions' listener lost (%s); polls read the database", error)
            finally:
                self._lost(listener)
                listener.tried.set()
            listener.stopping.wait(LISTEN_RETRY_SECONDS)

    def _subscribed(self, listener: _Listener) -> None:
        with self.lock:
            if listener is self.listener:
                self.epoch += 1
                self.subscribed = True
                listener.tried.set()

    def _told(self, listener: _Listener, payload: str) -> None:
        workshop_id, _colon, version = payload.partition(":")
        if not (workshop_id.isdigit() and version.isdigit()):
            return
        with self.lock:
            if listener is self.listener and self.subscribed:
                self._raise(int(workshop_id), int(version))

    def _lost(self, listener: _Listener) -> None:
        with self.lock:
            if listener is self.listener:
                self._forget_all()

    def _forget_all(self) -> None:
        """Unsubscribed (under the lock): what was kept may be behind a commit never told."""
        self.subscribed = False
        self.epoch += 1
        self.versions, self.callers = {}, {}

    def _raise(self, workshop_id: int, version: int) -> None:
        if version > self.versions.get(workshop_id, -1):
            self.versions[workshop_id] = version


def _new_lock(store: weakref.ref) -> None:
    found = store()
    if found is not None:
        found.lock = threading.Lock()


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    if url:
        # The keys name the database too: another database's copies (a second installation on
        # the same Redis, a database made afresh) are never taken for this one's.
        database = hashlib.sha256(str(app.config["SQLALCHEMY_DATABASE_URI"]).encode()).hexdigest()[:12]
        app.extensions["live"] = Live(url, app.config.get("LIVE_REDIS_PREFIX", f"workshop:live:{database}:"))
    elif make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        app.extensions["live"] = Listened(app, app.config["SQLALCHEMY_DATABASE_URI"])


def of(app: Flask) -> Live | Listened | None:
    return app.extensions.get("live")


def announcement(app: Flask) -> tuple:
    """What bump_version's UPDATE ... RETURNING adds, on PostgreSQL without Redis: the NOTIFY
    of the new version, in the same statement (no round trip more) and so the same transaction."""
    if not isinstance(of(app), Listened):
        return ()
    return (func.pg_notify(CHANNEL, func.concat(Workshop.id, ":", Workshop.live_version)),)


def raised(session: Session, code: str, version: int) -> None:
    """Called in the transaction that raised a workshop's `live_version` (questions.services.
    bump_version): with Redis, copied there once that transaction commits, forgotten if it
    rolls back."""
    if not isinstance(of(current_app), Live):
        return
    pending = session.info.setdefault(PENDING, {})
    pending[code] = max(version, pending.get(code, version))


@event.listens_for(Session, "after_commit")
def _copy_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending or not has_app_context():
        return
    live = of(current_app)
    if isinstance(live, Live):
        for code, version in pending.items():
            live.raise_version(code, version)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
