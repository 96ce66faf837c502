"""SQLite shared by several gunicorn workers: WAL, foreign keys, and writers that take turns.

SQLite lets one connection write at a time. Left to itself, a writer that finds another one
writing waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25 ... ms between
tries: the write lock falls free while it sleeps, a writer that came later takes it, and it
sleeps longer. Measured in the gunicorn workers under the check-in bench case (2 workers x 4
threads, 8 phones' connections, 2,000 scans, one write transaction each), four runs: 3,500 to
3,800 sleeps, two write transactions in three slept at least once, some 17 times; 28-34 s
asleep in all while the lock was held for 4-7 s. The scans that lost again and again made the
p99 (190-290 ms inside the server); the WAL checkpoints did not (120-275 ms in a run together).

So a connection about to write first takes its turn: an exclusive flock on "<database>-writers"
(one open file per connection, so that threads queue as processes do), held until its
transaction ends. The next writer, in this process or another, sleeps in the kernel and is
woken the moment the turn is free: no busy sleep is left, and writers go in the order they
came (the p50 grows a little, the p99 falls: 75-105 ms inside the server). SQLite's own lock
still guards the file, and its busy timeout still serves writers outside the queue (the
backup's restore, a sqlite3 shell, a second connection of a thread that holds the turn
already). The kernel frees the turn of a connection that is closed or of a process that ends,
crash included.
Durability is SQLite's default, synchronous=FULL in WAL mode: a scan told "checked in" is on
disk.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15000
# pysqlite (Python 3.11, its default isolation_level) opens a transaction with BEGIN before
# these statements and only these: the first of them in a transaction is where a writer waits.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# (lock file, thread) of every turn held: a thread that holds the turn for a database through
# one connection and writes through another would otherwise wait for itself forever.
_held: set[tuple[str, int]] = set()


class QueuedWriters(sqlite3.Connection):
    """A pysqlite connection whose write transactions wait their turn (see the module)."""

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._turns = _turns_file(database)
        self._turn: tuple[str, int] | None = None

    def cursor(self, factory=None):
        return super().cursor(factory or QueuedCursor)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)  # the driver's own shortcut skips cursor()

    def executemany(self, sql, seq_of_parameters, /):
        return self.cursor().executemany(sql, seq_of_parameters)

    def wait_turn(self, statement: str) -> None:
        """Before `statement`: the turn, if it is the first write of a transaction."""
        if self._turns is None or self._turn is not None or self.in_transaction:
            return
        if not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        turn = (self._turns.name, threading.get_ident())
        if turn in _held:
            return  # this thread writes through another connection: SQLite's lock decides
        fcntl.flock(self._turns, fcntl.LOCK_EX)  # releases the GIL while it waits
        _held.add(turn)
        self._turn = turn

    def end_turn(self) -> None:
        """After a statement, commit or rollback: give the turn back once no transaction is open."""
        if self._turn is not None and not self.in_transaction:
            self._give_back()

    def _give_back(self) -> None:
        fcntl.flock(self._turns, fcntl.LOCK_UN)
        _held.discard(self._turn)
        self._turn = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()  # rolls back what was not committed
        finally:
            if self._turns is not None:
                if self._turn is not None:
                    self._give_back()
                self._turns.close()


class QueuedCursor(sqlite3.Cursor):
    """The statements a connection runs, through the cursors SQLAlchemy asks it for."""

    def execute(self, sql, parameters=(), /):
        self.connection.wait_turn(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.end_turn()  # a write refused before BEGIN, or one in autocommit

    def executemany(self, sql, seq_of_parameters, /):
        self.connection.wait_turn(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.end_turn()


def _turns_file(database):
    """The open lock file of `database`'s writers; None for a database in memory (one
    connection) or named by a URI (read-only opens), and where it cannot be created: those
    are left to SQLite's busy handler, as before."""
    if not isinstance(database, str) or database in ("", ":memory:") or database.startswith("file:"):
        return None
    try:
        # Read-only is enough for flock: a server and a CLI run by another account share it.
        return open(os.path.realpath(database) + "-writers", "rb", buffering=0, opener=_created)
    except OSError:
        return None


def _created(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_CREAT, 0o644)


@event.listens_for(Engine, "do_connect")
def _queued_writers(dialect, connection_record, cargs, cparams) -> None:
    if dialect.name == "sqlite":
        cparams.setdefault("factory", QueuedWriters)


@event.listens_for(Engine, "connect")
def _pragmas(dbapi_connection, connection_record) -> None:
    """WAL (readers never wait for the writer) and the busy timeout on every connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):  # the driver's class or QueuedWriters
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
