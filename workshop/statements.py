"""Statements built once per process, the same object for every thread.

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
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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
                built[key] = build(*args, **kwargs)
            return built[key]

    return once
