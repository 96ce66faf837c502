"""Statements that need no transaction of their own: one connection per thread, kept (on
PostgreSQL in autocommit).

A read through the session is sent between a BEGIN and a ROLLBACK (or COMMIT): two round trips
more than the read itself, each costing the driver, SQLAlchemy and the PostgreSQL backend CPU on
the same cores. A single SELECT sees committed rows whether or not a transaction is around it,
and a single INSERT (even one writing three tables, by a data-modifying CTE) is a transaction
of its own in autocommit: all of it is written or, when a unique row is refused, none of it.
So the hot paths whose statements stand alone (the poll gate's, workshop/polls.py; the API's
scan at the door, workshop/checkin/services.py, with its staff token; the question list's 200
poll, workshop/questions/services.py) run them here, one round trip each.

Each thread keeps its connection (taken from the app's pool) instead of taking one at each
statement: a scan is two or three of them. It goes back to the pool when its thread ends (a
development server's thread per request) or the engine is disposed of (a test's end, a worker's
fork). One left idle for a while is tried first, by the pool's own rule (workshop.ping); a
connection that breaks all the same fails the statement of that moment (the caller decides what
follows) and is replaced at the next one.

SQLite has no round trips to save, but taking a connection from the pool, beginning the
session's transaction and giving it all back cost more CPU than a scan's read itself (a resend
by client_id spent a fifth of its time there). So a database file keeps a connection per thread
too, in the driver's own mode: a SELECT runs in no transaction (WAL: it sees what is committed),
a write begins one, ended by `write`'s commit; a first scan's rows are `write_all`'s one
transaction (SQLite has no INSERT inside WITH). Its writes take their turn as every write does
(workshop/sqlite.py), and each commit is on disk when it returns. A database in memory (one
connection shared by the thread's every use) keeps none: `of(app)` is None there.
"""
from __future__ import annotations

import threading
import time
import weakref

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from . import IDLE_PING_SECONDS, ping
from .extensions import db
from .statements import Compiled, compiled_for

EXTENSION = "workshop.autocommit"
_making = threading.Lock()


class _Kept:
    """A thread's connection, when it was last used and (PostgreSQL) its driver's cursor."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.used = time.monotonic()
        self.cursor = None


class Autocommit:
    """The app's kept connections, one per thread."""

    def __init__(self, engine) -> None:
        # PostgreSQL's in autocommit: each statement its own transaction, no BEGIN sent.
        self.autocommit = engine.dialect.name == "postgresql"
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT") if self.autocommit else engine
        self._local = threading.local()
        self._open: set[Connection] = set()
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", self._close_all)

    def first(self, statement, parameters: dict | None = None) -> Row | None:
        """The first row of a SELECT, read outside any transaction."""
        compiled = compiled_for(statement, self.engine.dialect)
        if compiled is not None:
            rows = self._read(compiled, parameters, one=True)
            return rows[0] if rows else None
        return self._run([(statement, parameters)], lambda result: result.first())

    def all(self, statement, parameters: dict | None = None) -> list[Row]:
        """Every row of a SELECT, read outside any transaction."""
        compiled = compiled_for(statement, self.engine.dialect)
        if compiled is not None:
            return self._read(compiled, parameters)
        return self._run([(statement, parameters)], lambda result: result.all())

    def _read(self, compiled: Compiled, parameters: dict | None, one: bool = False) -> list:
        """A SELECT built once, on the driver's cursor of this thread's connection (see
        workshop/statements.py): rows as named tuples, a driver's error as SQLAlchemy's. The
        connection holds no transaction of SQLAlchemy's between statements (`_run` ends each),
        so the driver's read is outside any, as `_run`'s."""
        kept = self._connection()
        connection = kept.connection
        dbapi_connection = connection.connection.dbapi_connection
        values = compiled.parameters(parameters)
        dialect = self.engine.dialect
        cursor = None
        try:
            cursor = self._cursor(kept, dbapi_connection)
            if connection._has_events or connection.engine._has_events:
                # The listeners see it as any statement (the tests' counts, expired_session's
                # guard).
                connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql,
                                                          values, None, False)
            cursor.execute(compiled.sql, values)
            fetched = cursor.fetchmany(1) if one else cursor.fetchall()
            self._done(cursor)
        except dialect.loaded_dbapi.Error as error:
            self._drop(kept)
            raise DBAPIError.instance(compiled.sql, values, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from error
        except BaseException:
            if cursor is not None:
                self._done(cursor)
            raise
        kept.used = time.monotonic()
        return compiled.rows(fetched)

    def write(self, statement, parameters: dict | None = None) -> int:
        """One INSERT/UPDATE/DELETE, its own transaction: all of it or (IntegrityError, a
        unique row refused) nothing of it. The rows it changed."""
        compiled = compiled_for(statement, self.engine.dialect)
        if compiled is not None:
            return self._write([(compiled, parameters)])
        return self._run([(statement, parameters)], lambda result: result.rowcount, write=True)

    def write_all(self, statements: list[tuple]) -> None:
        """SQLite: several (statement, parameters) in one transaction, committed: all of them
        or (IntegrityError, a unique row refused) none. PostgreSQL's connections are in
        autocommit, each statement its own transaction: there, one statement does this (a
        data-modifying WITH)."""
        if self.autocommit:
            raise RuntimeError("one transaction of several statements needs a non-autocommit connection")
        dialect = self.engine.dialect
        compiled = [(compiled_for(statement, dialect), parameters) for statement, parameters in statements]
        if all(each is not None for each, _parameters in compiled):
            self._write(compiled)
            return
        self._run(statements, lambda result: None, write=True)

    def _write(self, statements: list[tuple[Compiled, dict | None]]) -> int:
        """Statements built once, on the driver's cursor, as `_read` (their SQLAlchemy
        execution cost five to eight times the driver's own work: 0.6 ms of CPU for a scan's
        one INSERT on PostgreSQL), then committed (SQLite; PostgreSQL's are in autocommit).
        A unique row refused: the driver's transaction rolled back, nothing of it written,
        SQLAlchemy's IntegrityError raised, the connection kept. The engine's
        `before_cursor_execute` and `commit` listeners see them as they see SQLAlchemy's.
        The rows the last statement changed."""
        kept = self._connection()
        connection = kept.connection
        dbapi_connection = connection.connection.dbapi_connection
        dialect = self.engine.dialect
        listened = connection._has_events or connection.engine._has_events
        cursor = sql = values = None
        try:
            cursor = self._cursor(kept, dbapi_connection)
            for compiled, parameters in statements:
                sql, values = compiled.sql, compiled.parameters(parameters)
                if listened:
                    connection.dispatch.before_cursor_execute(connection, cursor, sql, values,
                                                              None, False)
                cursor.execute(sql, values)
            changed = cursor.rowcount
            self._done(cursor)
            if not self.autocommit:
                if listened:
                    connection.dispatch.commit(connection)
                dbapi_connection.commit()
        except dialect.loaded_dbapi.IntegrityError as error:
            self._end(cursor, dbapi_connection)  # the statement refused, the connection sound
            raise DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from error
        except dialect.loaded_dbapi.Error as error:
            self._drop(kept)
            raise DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from error
        except BaseException:
            self._end(cursor, dbapi_connection)  # nothing half written left open
            raise
        kept.used = time.monotonic()
        return changed

    def _end(self, cursor, dbapi_connection) -> None:
        """A write given up: its cursor done with, its transaction (SQLite's, and its writer's
        turn) rolled back."""
        if cursor is not None:
            self._done(cursor)
        if not self.autocommit:
            dbapi_connection.rollback()

    def _cursor(self, kept: _Kept, dbapi_connection):
        """The driver's cursor for a statement. PostgreSQL: the kept connection's one, made at
        its first statement (making one cost a third of the door's read on the driver); the
        driver reads every row of a result into memory, so a cursor holds nothing between
        statements. SQLite: a new one, closed by `_done` (a cursor left on a SELECT read in part
        would hold its read transaction open, and the WAL unchecked)."""
        if not self.autocommit:
            return dbapi_connection.cursor()
        if kept.cursor is None:
            kept.cursor = dbapi_connection.cursor()
        return kept.cursor

    def _done(self, cursor) -> None:
        if not self.autocommit:
            cursor.close()

    def _run(self, statements, take, write=False):
        kept = self._connection()
        connection = kept.connection
        try:
            for statement, parameters in statements:
                taken = take(connection.execute(statement, parameters))
            if write and not self.autocommit:
                connection.commit()
        except IntegrityError:
            connection.rollback()  # the statement refused, the connection sound: keep it
            raise
        except SQLAlchemyError:
            self._drop(kept)
            raise
        except BaseException:
            connection.rollback()  # nothing half written left open (and SQLite's turn given back)
            raise
        if not write or self.autocommit:
            # Ends SQLAlchemy's own bookkeeping; nothing is sent (autocommit, or SQLite's
            # SELECT, which begins no transaction).
            connection.rollback()
        kept.used = time.monotonic()
        return taken

    def _connection(self) -> _Kept:
        kept = getattr(self._local, "kept", None)
        if kept is not None and time.monotonic() - kept.used >= IDLE_PING_SECONDS:
            try:
                ping(kept.connection.connection.dbapi_connection)
            except DisconnectionError:
                self._drop(kept)
                kept = None
        if kept is None:
            connection = self.engine.connect()
            kept = self._local.kept = _Kept(connection)
            with self._lock:
                self._open.add(connection)
            # Back to the pool when this thread ends (its `_local` goes, and `kept` with it).
            weakref.finalize(kept, self._release, connection)
        return kept

    def _release(self, connection: Connection) -> None:
        with self._lock:
            if connection not in self._open:
                return  # dropped, or closed with the engine
            self._open.discard(connection)
        try:
            connection.close()
        except SQLAlchemyError:
            pass  # already broken: nothing left to close

    def _drop(self, kept: _Kept) -> None:
        """A broken connection: discarded (the pool makes another), this thread's next
        statement takes a new one."""
        self._local.kept = None
        with self._lock:
            self._open.discard(kept.connection)
        kept.connection.invalidate()
        kept.connection.close()

    def _close_all(self, engine) -> None:
        """The app's engine is disposed of: so are the kept connections."""
        with self._lock:
            kept, self._open = self._open, set()
        self._local = threading.local()
        for connection in kept:
            try:
                connection.close()
            except SQLAlchemyError:
                pass  # already broken: nothing left to close


def read(app: Flask, statement, parameters: dict | None = None) -> list[Row]:
    """Every row of one SELECT standing alone, at the least cost: on this thread's kept
    connection, outside any transaction; on a database in memory through a pooled connection,
    without the session's bookkeeping (within a request or an app context)."""
    kept = of(app)
    if kept is not None:
        return kept.all(statement, parameters)
    with db.engine.connect() as connection:
        return connection.execute(statement, parameters).all()


def _keeps(engine) -> bool:
    """PostgreSQL, or SQLite in a file (its pool hands out a connection per use); not SQLite in
    memory, whose one connection per thread the session uses too."""
    return engine.dialect.name == "postgresql" or isinstance(engine.pool, QueuePool)


def of(app: Flask) -> Autocommit | None:
    """The app's kept connections; None for a database in memory."""
    kept = app.extensions.get(EXTENSION, False)
    if kept is False:
        with _making:  # two threads' first calls make one
            kept = app.extensions.get(EXTENSION, False)
            if kept is False:
                with app.app_context():
                    engine = db.engine
                kept = Autocommit(engine) if _keeps(engine) else None
                app.extensions[EXTENSION] = kept
    return kept
