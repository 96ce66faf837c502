"""Column types shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from ..timeutil import as_local


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored as naive UTC, identical on SQLite and PostgreSQL.

    A naive value given to it is taken as Vietnam time (the contract's rule), never as UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        return as_local(value).astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
