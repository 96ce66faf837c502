"""SQLite writers take turns (workshop/sqlite.py): a writer that finds another writing waits
for its turn and then writes, instead of sleeping in SQLite's busy handler. Each test has its
own SQLite file (so they run alike when the suite's database is PostgreSQL): two engines on
one file are two gunicorn workers; flock behaves the same between processes as between the
separately opened files of two connections."""
from __future__ import annotations

import fcntl
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from workshop import sqlite

WAIT = 30  # seconds: only ever reached when something is broken


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "door.db"
    engines = []

    def worker(busy_timeout_ms: int | None = None):
        """An engine on the file, as a gunicorn worker has one; busy_timeout 0: a writer
        that meets SQLite's lock fails at once, so a write that passes never slept in it."""
        engine = create_engine(f"sqlite:///{path}")
        if busy_timeout_ms is not None:
            event.listen(engine, "connect", lambda dbapi_connection, _record: dbapi_connection.execute(
                f"PRAGMA busy_timeout={busy_timeout_ms}"))
        engines.append(engine)
        return engine

    with worker().begin() as connection:
        connection.execute(text("CREATE TABLE scans (code TEXT PRIMARY KEY)"))
    yield path, worker
    for engine in engines:
        engine.dispose()


def turn_is_free(path) -> bool:
    """Whether another writer (another process, or another connection) would get the turn now."""
    with open(f"{path}-writers", "rb") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_every_connection_is_queued_and_keeps_wal_the_busy_timeout_and_foreign_keys(database):
    """The connection class is the queue's; the PRAGMAs still reach it (a subclass of the
    driver's class once missed them: no WAL, the driver's 5 s timeout, no foreign keys)."""
    _path, worker = database
    with worker().connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, sqlite.QueuedWriters)
        pragmas = [connection.execute(text(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")]
    assert pragmas == ["wal", sqlite.BUSY_TIMEOUT_MS, 1, 2]  # synchronous FULL: durable commits


def test_a_writer_waits_for_the_turn_and_then_writes_without_sleeping_in_sqlite(database,
                                                                                 monkeypatch):
    """One worker writes; another worker's writer (busy timeout 0: SQLite's lock would refuse
    it at once) waits for the turn, and writes once the first has committed."""
    path, worker = database
    first, second = worker(), worker(busy_timeout_ms=0)
    waiting = threading.Event()
    real_flock = fcntl.flock

    def flock(file, operation):
        if operation == fcntl.LOCK_EX and threading.current_thread().name == "second writer":
            waiting.set()  # about to wait: the first writer holds the turn
        return real_flock(file, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    outcome: list = []

    def write() -> None:
        try:
            with second.begin() as connection:
                connection.execute(text("INSERT INTO scans VALUES ('second')"))
            outcome.append("written")
        except OperationalError as error:  # "database is locked": it met SQLite's lock
            outcome.append(str(error))

    with first.begin() as connection:
        connection.execute(text("INSERT INTO scans VALUES ('first')"))
        writer = threading.Thread(target=write, name="second writer", daemon=True)
        writer.start()
        assert waiting.wait(WAIT), outcome  # the second writer is queued, not refused
        assert not turn_is_free(path)
    writer.join(WAIT)
    assert outcome == ["written"]
    with first.connect() as connection:
        assert connection.execute(text("SELECT code FROM scans ORDER BY code")).scalars().all() == [
            "first", "second"]
    assert turn_is_free(path)


def test_the_turn_is_held_from_the_first_write_to_the_end_of_the_transaction(database):
    path, worker = database
    engine = worker()
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM scans"))
        assert turn_is_free(path)  # reading takes no turn
        connection.execute(text("INSERT INTO scans VALUES ('a')"))
        assert not turn_is_free(path)
        connection.execute(text("SELECT count(*) FROM scans"))
        assert not turn_is_free(path)
        connection.commit()
        assert turn_is_free(path)

        connection.execute(text("INSERT INTO scans VALUES ('b')"))
        connection.rollback()
        assert turn_is_free(path)

        with pytest.raises(IntegrityError):
            connection.execute(text("INSERT INTO scans VALUES ('a')"))  # refused, transaction open
        assert not turn_is_free(path)
        connection.rollback()
        assert turn_is_free(path)

        with pytest.raises(OperationalError):
            connection.execute(text("INSERT INTO no_such_table VALUES ('c')"))  # before BEGIN
        assert turn_is_free(path)
        connection.rollback()

    with engine.connect() as connection:
        connection.execute(text("INSERT INTO scans VALUES ('d')"))
        connection.invalidate()  # the pool closes the driver's connection mid-transaction
    assert turn_is_free(path)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT code FROM scans")).scalars().all() == ["a"]


def test_a_write_in_autocommit_takes_the_turn_for_its_statement_only(database):
    path, worker = database
    engine = worker().execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO scans VALUES ('a')"))
        assert turn_is_free(path)


def test_a_thread_writing_through_a_second_connection_is_not_kept_waiting_for_itself(database):
    """The turn is this thread's already (through another connection): SQLite's lock decides,
    as before the queue (here at once: busy timeout 0), rather than a wait that never ends."""
    _path, worker = database
    first, second = worker(), worker(busy_timeout_ms=0)
    outcome: list = []

    def both() -> None:
        with first.begin() as connection:
            connection.execute(text("INSERT INTO scans VALUES ('first')"))
            try:
                with second.begin() as other:
                    other.execute(text("INSERT INTO scans VALUES ('second')"))
            except OperationalError as error:
                outcome.append(str(error.orig))

    thread = threading.Thread(target=both, daemon=True)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert outcome == ["database is locked"]


def test_a_database_in_memory_has_no_turns():
    connection = sqlite3.connect(":memory:", factory=sqlite.QueuedWriters)
    connection.execute("CREATE TABLE scans (code TEXT)")
    connection.execute("INSERT INTO scans VALUES ('a')")
    connection.commit()
    assert connection.execute("SELECT count(*) FROM scans").fetchone() == (1,)
    connection.close()
