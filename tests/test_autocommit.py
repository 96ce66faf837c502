"""The kept autocommit connections (workshop/autocommit.py): one per thread, back to the pool
when the thread ends, kept after a refused row, replaced when broken, tried after an idle
spell, holding no transaction between statements. The app uses them on PostgreSQL and on a
SQLite file; the class is the same on any engine, tested on each."""
from __future__ import annotations

import gc
import threading
import time

import pytest
from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import workshop
from tests import factories
from workshop.autocommit import Autocommit
from workshop.checkin.services import ATTEMPT_COLUMNS
from workshop.extensions import db
from workshop.models import AuditEntry, CheckInAttempt, Workshop
from workshop.statements import built_once, compiled_for
from workshop.timeutil import utcnow


@pytest.fixture
def kept(ctx):
    db.session.remove()
    db.engine.dispose()
    yield Autocommit(db.engine)
    db.engine.dispose()


def test_each_thread_keeps_one_connection_and_gives_it_back_when_it_ends(kept):
    pool = db.engine.pool
    assert kept.first(select(1))[0] == 1
    mine = kept._local.kept.connection
    assert kept.first(select(2))[0] == 2
    assert kept._local.kept.connection is mine  # the same one, statement after statement
    assert pool.checkedout() == 1

    def scan() -> None:
        assert kept.first(select(3))[0] == 3

    # A development server's thread per request: more threads, one after another, than the
    # pool holds; each gives its connection back as it ends, none waits for one.
    for _ in range(20):  # the pool holds 5, and 10 more at most
        thread = threading.Thread(target=scan)
        thread.start()
        thread.join()
    gc.collect()
    assert pool.checkedout() == 1  # this thread's only


def test_a_refused_row_writes_nothing_and_keeps_the_connection(kept):
    code = factories.make_workshop().code
    statement = insert(Workshop.__table__).values(code=code, title="Trùng mã")
    with pytest.raises(IntegrityError):
        kept.write(statement)
    mine = kept._local.kept.connection
    assert kept.first(select(Workshop.id).where(Workshop.title == "Trùng mã")) is None
    assert kept._local.kept.connection is mine


def test_a_broken_connection_fails_its_statement_and_the_next_has_a_new_one(kept):
    kept.first(select(1))
    broken = kept._local.kept.connection.connection.dbapi_connection
    broken.close()  # as the database's restart leaves it
    with pytest.raises(SQLAlchemyError):
        kept.first(select(1))
    assert kept.first(select(1))[0] == 1
    assert kept._local.kept.connection.connection.dbapi_connection is not broken


def test_a_connection_left_idle_is_tried_first_and_replaced_when_broken(kept, monkeypatch):
    kept.first(select(1))
    broken = kept._local.kept.connection.connection.dbapi_connection
    broken.close()
    later = time.monotonic() + workshop.IDLE_PING_SECONDS + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert kept.first(select(1))[0] == 1  # tried, found broken, replaced: no error
    assert kept._local.kept.connection.connection.dbapi_connection is not broken


def test_the_engine_disposed_of_closes_the_kept_connections(kept):
    kept.first(select(1))
    mine = kept._local.kept.connection
    db.engine.dispose()
    assert mine.closed
    assert kept.first(text("SELECT 4"))[0] == 4  # and the next statement opens another


WHEN = {"starts_at": utcnow(), "venue": "Hội trường"}


def _in_transaction(kept) -> bool:
    """Whether this thread's kept connection holds a transaction open in the database."""
    dbapi = kept._local.kept.connection.connection.dbapi_connection
    if db.engine.dialect.name == "sqlite":
        return dbapi.in_transaction
    from psycopg import pq
    return dbapi.pgconn.transaction_status != pq.TransactionStatus.IDLE


def test_a_kept_connection_holds_no_transaction_between_statements(kept):
    """A read leaves nothing open (on SQLite an open read would keep the WAL from being
    checkpointed, an open write hold every writer's turn), and a write is committed when it
    returns: another connection sees it."""
    kept.first(select(Workshop.id))
    assert not _in_transaction(kept)
    kept.write(insert(Workshop.__table__).values(code="ht-giu-ket-noi", title="Ghi ngay", **WHEN))
    assert not _in_transaction(kept)
    with db.engine.connect() as other:
        title = select(Workshop.title).where(Workshop.code == "ht-giu-ket-noi")
        assert other.execute(title).scalar() == "Ghi ngay"


def test_several_writes_are_one_transaction_on_sqlite_and_refused_in_autocommit(kept):
    """SQLite writes a first scan's rows by `write_all`: all of them or, a unique row refusing
    one, none. PostgreSQL's kept connections are in autocommit, where several statements would
    not be one transaction: refused, nothing written."""
    code = factories.make_workshop().code
    rows = [(insert(Workshop.__table__), {"code": "ht-moi", "title": "Mới", **WHEN}),
            (insert(Workshop.__table__), {"code": code, "title": "Trùng mã", **WHEN})]
    written = select(Workshop.code).where(Workshop.code == "ht-moi")
    if kept.autocommit:
        with pytest.raises(RuntimeError):
            kept.write_all(rows)
    else:
        with pytest.raises(IntegrityError):
            kept.write_all(rows)
        assert not _in_transaction(kept)
        assert kept.first(written) is None  # the first row went with the second
        kept.write_all(rows[:1])
    assert (kept.first(written) is not None) is (not kept.autocommit)


def test_the_app_keeps_connections_for_a_database_file_and_none_in_memory(make_app):
    from workshop import autocommit

    assert autocommit.of(make_app()) is not None  # this run's database: a file, or PostgreSQL
    assert autocommit.of(make_app(SQLALCHEMY_DATABASE_URI="sqlite://")) is None


@built_once
def _attempt_statement():
    """An INSERT built once naming every column it writes: run on the driver's cursor."""
    table = CheckInAttempt.__table__
    return insert(table).values({name: bindparam(name, type_=table.c[name].type)
                                 for name in ATTEMPT_COLUMNS})


@built_once
def _audit_statement():
    """One built once that leaves `at` to its Python default: SQLAlchemy's to run."""
    table = AuditEntry.__table__
    return insert(table).values(user_email=bindparam("email"), action=bindparam("action"))


def _attempt(workshop_id: int, client_id: str) -> dict:
    return {"workshop_id": workshop_id, "invitation_id": None, "code_seen": "ABC123",
            "client_id": client_id, "result": "unknown", "scanned_at": utcnow(),
            "recorded_at": utcnow(), "staff_user_id": None}


def test_a_write_built_once_runs_on_the_drivers_cursor_all_or_nothing(kept, monkeypatch):
    """The scan's INSERTs skip SQLAlchemy's execution (workshop/statements.py) and keep its
    rules: a unique row refused raises SQLAlchemy's IntegrityError, writes nothing, leaves no
    transaction open and keeps the connection; SQLite's several rows are one transaction;
    the engine's listeners see each statement and each commit."""
    workshop_id = factories.make_workshop().id
    statement = _attempt_statement()
    assert compiled_for(statement, db.engine.dialect) is not None

    def not_sqlalchemy(*args, **kwargs):
        raise AssertionError("run by SQLAlchemy's execution")

    monkeypatch.setattr(Autocommit, "_run", not_sqlalchemy)
    seen = {"statements": 0, "commits": 0}

    def statement_seen(*args):
        seen["statements"] += 1

    def commit_seen(*args):
        seen["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", statement_seen)
    event.listen(db.engine, "commit", commit_seen)
    try:
        assert kept.write(statement, _attempt(workshop_id, "may-1")) == 1
        mine = kept._local.kept.connection
        with pytest.raises(IntegrityError):
            kept.write(statement, _attempt(workshop_id, "may-1"))  # the same scan again
        assert not _in_transaction(kept)
        assert kept._local.kept.connection is mine
        if not kept.autocommit:
            with pytest.raises(IntegrityError):
                kept.write_all([(statement, _attempt(workshop_id, "may-2")),
                                (statement, _attempt(workshop_id, "may-1"))])
            assert not _in_transaction(kept)
    finally:
        event.remove(db.engine, "before_cursor_execute", statement_seen)
        event.remove(db.engine, "commit", commit_seen)
    with db.engine.connect() as other:
        written = other.execute(select(CheckInAttempt.client_id, CheckInAttempt.scanned_at)
                                .where(CheckInAttempt.workshop_id == workshop_id)).all()
    assert [client_id for client_id, _at in written] == ["may-1"]  # may-2 went with may-1
    assert written[0].scanned_at.tzinfo is not None  # the column type's processors applied
    assert seen == ({"statements": 2, "commits": 0} if kept.autocommit
                    else {"statements": 4, "commits": 1})


def test_a_write_built_once_with_a_default_to_compute_is_left_to_sqlalchemy(kept):
    statement = _audit_statement()
    assert compiled_for(statement, db.engine.dialect) is None
    kept.write(statement, {"email": "a@example.org", "action": "checkin.check_in"})
    at = kept.first(select(AuditEntry.at).where(AuditEntry.user_email == "a@example.org"))
    assert at is not None and at[0] is not None  # utcnow, computed by SQLAlchemy


@built_once
def _workshop_codes():
    return select(Workshop.code).where(Workshop.id >= bindparam("from_id")).order_by(Workshop.id)


def test_statements_of_a_kept_connection_share_its_cursor_on_postgresql(kept):
    """PostgreSQL's driver reads a whole result into memory: one cursor serves every statement
    of the connection, after a refused row too. SQLite's cursors are closed after each (a SELECT
    read in part, as `first` reads, would hold its snapshot): none is kept."""
    workshop = factories.make_workshop()
    factories.make_workshop()
    assert kept.first(_workshop_codes(), {"from_id": workshop.id}).code == workshop.code
    cursor = kept._local.kept.cursor
    assert kept.write(_attempt_statement(), _attempt(workshop.id, "may-1")) == 1
    with pytest.raises(IntegrityError):
        kept.write(_attempt_statement(), _attempt(workshop.id, "may-1"))
    assert [row.code for row in kept.all(_workshop_codes(), {"from_id": workshop.id})][0] == workshop.code
    if kept.autocommit:
        assert cursor is not None and kept._local.kept.cursor is cursor
    else:
        assert kept._local.kept.cursor is None
        assert not _in_transaction(kept)
