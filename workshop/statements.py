"""Statements built once per process, the same object for every thread, and compiled once per
database for the kept connections' reads.

The hot paths' statements (the scan's read, the poll gate's, the token lookup...) are built on
their first use and kept: building one costs more CPU than running it. They must be kept as ONE
object, not merely an equal one. SQLAlchemy compiles a statement once and keeps the compiled
form under its cache key; a later statement whose key is equal but which is another object gets
that compiled form together with a new map of its result columns, made at every execution
(`CursorResultMetaData._adapt_to_context`). With `functools.cache`, the first requests of a
gunicorn worker's threads, arriving together, could each build the statement: one object was
kept by the cache, another one had been compiled first, and every scan of that worker's life
paid for the map (measured: half of the door's read in the check-in bench, about a tenth of
the worker's CPU). `built_once` builds each under a lock, so exactly one object exists.

Such a statement is also compiled here once per dialect (`compiled_for`), for the kept
connections of workshop/autocommit.py to run on the driver's cursor: SQLAlchemy's execution of
a compiled statement still finds it by hashing its cache key (thousands of elements for the
door's read), makes an execution context and a result with its metadata at each call: for the
door's one row of 30 columns, 130 µs of CPU on SQLite and 340 µs on PostgreSQL, four to five
times the driver's own work; for a scan's INSERT, 0.4 ms more than the driver's. Writes are
run there too when nothing of SQLAlchemy's making is computed at each execution (an INSERT
whose values name every column with a default). The values bound and the columns read still
go through the types' own processors (SQLAlchemy's, asked once), the engine's
`before_cursor_execute` listeners still see each statement, and a statement SQLAlchemy would
render again at each execution (an expanding IN) is left to SQLAlchemy.
"""
from __future__ import annotations

import functools
import threading
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.selectable import Select

T = TypeVar("T")

# Every statement built_once made, by id: kept alive here, so that an id is never reused.
_kept: dict[int, Any] = {}
_compiled: dict[tuple[int, str], Compiled | None] = {}
_compiling = threading.Lock()


def built_once(build: Callable[..., T]) -> Callable[..., T]:
    """`build`'s result for each set of arguments, built once for all threads (see above).
    Reading a statement built already takes no lock."""
    built: dict = {}
    lock = threading.Lock()

    @functools.wraps(build)
    def once(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return built[key]
        except KeyError:
            pass
        with lock:
            if key not in built:
                made = build(*args, **kwargs)
                if isinstance(made, ClauseElement):
                    _kept[id(made)] = made
                built[key] = made
            return built[key]

    return once


@dataclass(frozen=True)
class Compiled:
    """A statement built once, compiled for one dialect: its SQL, how its values are bound and,
    for a SELECT, how its rows are read (each row a named tuple of the statement's column
    keys; `row` None for an INSERT, UPDATE or DELETE)."""

    sql: str
    compiled: Any  # SQLAlchemy's Compiled: its construct_params fills in the literal values
    positional: tuple[str, ...] | None  # the parameters' order for a driver that binds by position
    bind_processors: tuple[tuple[str, Callable], ...]
    row: type | None
    result_processors: tuple[tuple[int, Callable], ...]

    def parameters(self, values: dict | None):
        bound = self.compiled.construct_params(values or {})
        for name, process in self.bind_processors:
            bound[name] = process(bound[name])
        return bound if self.positional is None else [bound[name] for name in self.positional]

    def rows(self, fetched: list[tuple]) -> list[tuple]:
        if not self.result_processors:
            return [self.row._make(values) for values in fetched]
        made = []
        for values in fetched:
            values = list(values)
            for index, process in self.result_processors:
                values[index] = process(values[index])
            made.append(self.row._make(values))
        return made


def compiled_for(statement, dialect) -> Compiled | None:
    """`statement` compiled for `dialect`, when built_once made it and it is a SELECT, INSERT,
    UPDATE or DELETE that compiles to one fixed SQL text and, written, needs no value of
    SQLAlchemy's making (a column's Python default, computed at each execution); else None
    (SQLAlchemy runs it)."""
    if _kept.get(id(statement)) is not statement:
        return None
    key = (id(statement), dialect.name)
    try:
        return _compiled[key]
    except KeyError:
        pass
    with _compiling:
        if key not in _compiled:
            _compiled[key] = _compile(statement, dialect)
        return _compiled[key]


def _compile(statement, dialect) -> Compiled | None:
    if isinstance(statement, (Insert, Update, Delete)):
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params \
                or compiled.insert_prefetch or compiled.update_prefetch:
            # Rendered again at each execution, or a column's default to compute (an INSERT
            # whose values do not name every column that has one): SQLAlchemy's to run.
            return None
        return Compiled(compiled.string, compiled,
                        tuple(compiled.positiontup) if compiled.positional else None,
                        _bind_processors(compiled, dialect), None, ())
    if not isinstance(statement, Select):
        return None
    compiled = statement.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params:
        return None  # rendered again at each execution
    keys = list(statement.selected_columns.keys())
    if not all(key.isidentifier() and not key.startswith("_") for key in keys) \
            or len(set(keys)) != len(keys):
        return None
    results = []
    for index, column in enumerate(statement.selected_columns):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            results.append((index, process))
    return Compiled(compiled.string, compiled,
                    tuple(compiled.positiontup) if compiled.positional else None,
                    _bind_processors(compiled, dialect), namedtuple("Row", keys), tuple(results))


def _bind_processors(compiled, dialect) -> tuple[tuple[str, Callable], ...]:
    """(name, process) of each bound parameter whose type converts the value for the driver;
    by name: a parameter bound in several places is processed once."""
    binds = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds[name] = process
    return tuple(binds.items())
