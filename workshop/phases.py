"""A workshop's phases by the clock: before it (the time to answer), its day(s), and after it
has ended. One home for "has it ended?", which check-in, questions, the counts and the personal
page all ask."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from .timeutil import LOCAL_TZ, as_local, utcnow

BEFORE, DAY, AFTER = "before", "day", "after"


def end_of(workshop) -> datetime:
    """When the workshop is over: its `ends_at`, else the end of its day (Vietnam time)."""
    if workshop.ends_at is not None:
        return workshop.ends_at
    day = as_local(workshop.starts_at).date() + timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ)


def has_ended(workshop, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= end_of(workshop)


def phase(workshop, now: datetime | None = None) -> str:
    """`before` until the workshop's first day (Vietnam dates), `day` from the start of that day
    until the workshop ends, `after` once it has ended."""
    now = now or utcnow()
    if has_ended(workshop, now):
        return AFTER
    if as_local(now).date() < as_local(workshop.starts_at).date():
        return BEFORE
    return DAY
