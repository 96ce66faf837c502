"""Times: stored in UTC, shown and read in Asia/Ho_Chi_Minh (CONTRACT.md: naive means local)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKDAYS = (
    _l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"), _l("Thứ Bảy"),
    _l("Chủ nhật"),
)
# CONTRACT.md "Text input": times before 2000 or after 2100 are refused.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class OutOfRange(ValueError):
    """A well-formed time outside EARLIEST_YEAR..LATEST_YEAR."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_local(value: datetime | None) -> datetime | None:
    """An aware datetime in Vietnam time; a naive one is taken to be Vietnam time already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(LOCAL_TZ)


def parse_datetime(text: str) -> datetime:
    """Parse ISO 8601 (also the `YYYY-MM-DDTHH:MM` of HTML inputs) or "dd/mm/yyyy HH:MM";
    naive is Vietnam time. Raises ValueError on anything else, OutOfRange for a time before
    2000 or after 2100 (in Vietnam time).
    """
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        value = datetime.strptime(text, "%d/%m/%Y %H:%M")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise OutOfRange(text)
    local = as_local(value)
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise OutOfRange(text)
    return local


def input_datetime_value(value: datetime | None) -> str:
    """The value of an <input type=datetime-local>, in Vietnam time."""
    local = as_local(value)
    return local.strftime("%Y-%m-%dT%H:%M") if local else ""


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with the +07:00 offset, as the API answers."""
    local = as_local(value)
    return local.isoformat() if local else None


# --- as pages show them (the templates' date, time, datetime and long_date filters) ---------


def local_date(value: datetime | None) -> str:
    """dd/mm/yyyy in Vietnam time."""
    local = as_local(value)
    return local.strftime("%d/%m/%Y") if local else ""


def local_time(value: datetime | None) -> str:
    local = as_local(value)
    return local.strftime("%H:%M") if local else ""


def local_datetime(value: datetime | None) -> str:
    local = as_local(value)
    return local.strftime("%H:%M %d/%m/%Y") if local else ""


def long_date(value: datetime | None) -> str:
    """"Thứ Ba, 12/08/2014", the way a letter or a phone page names the day."""
    local = as_local(value)
    if not local:
        return ""
    return f"{WEEKDAYS[local.weekday()]}, {local.strftime('%d/%m/%Y')}"
