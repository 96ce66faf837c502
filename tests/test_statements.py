"""Statements built once (workshop/statements.py): the threads of a worker arriving together at
a statement's first use get one object, the very one SQLAlchemy compiled, so that no execution
pays for a map of another object's result columns."""
from __future__ import annotations

import threading
import time

from sqlalchemy import bindparam, select

from workshop.extensions import db
from workshop.models import Workshop
from workshop.statements import built_once

THREADS = 8


def _at_once(work) -> list:
    """`work()` in THREADS threads started together; what each returned."""
    start = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(n: int) -> None:
        start.wait()
        results[n] = work()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_threads_arriving_together_get_one_statement_the_one_compiled(app):
    builds = []

    @built_once
    def statement():
        builds.append(1)
        time.sleep(0.05)  # the first use's window, widened: every thread is inside it
        return select(Workshop.id, Workshop.title).where(Workshop.code == bindparam("code"))

    def execute():
        with app.app_context(), db.engine.connect() as connection:
            result = connection.execute(statement(), {"code": "none"})
            result.all()
            context = result.context
            return context.compiled.statement is context.invoked_statement

    assert _at_once(execute) == [True] * THREADS
    assert len(builds) == 1


def test_each_set_of_arguments_is_built_once_and_kept():
    builds = []

    @built_once
    def shape(one: bool, *, order: str = "new"):
        builds.append((one, order))
        return object()

    assert shape(True) is shape(True)
    assert shape(True, order="top") is shape(True, order="top")
    assert shape(True) is not shape(False) and shape(True) is not shape(True, order="top")
    assert builds == [(True, "new"), (True, "top"), (False, "new")]


def test_a_statement_built_once_is_read_on_the_drivers_cursor_as_sqlalchemy_reads_it(app):
    from sqlalchemy import event

    from tests import factories
    from workshop import autocommit
    from workshop.statements import compiled_for

    @built_once
    def statement():
        return select(Workshop.id, Workshop.code, Workshop.starts_at).where(
            Workshop.code == bindparam("code"))

    with app.app_context():
        code = factories.make_workshop().code
        kept = autocommit.of(app)
        if kept is None:
            return  # a database in memory keeps no connection
        assert compiled_for(statement(), db.engine.dialect) is not None
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            row = kept.first(statement(), {"code": code})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        with db.engine.connect() as connection:
            expected = connection.execute(statement(), {"code": code}).one()
        assert tuple(row) == tuple(expected) and row.code == code
        assert row.starts_at.tzinfo is not None  # the column type's processor applied
        assert len(seen) == 1  # the listeners see it
        assert kept.first(statement(), {"code": "none"}) is None
