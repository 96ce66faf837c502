"""Form fields shared by several features."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.widgets import DateTimeLocalInput

from .timeutil import input_datetime_value, parse_datetime


class LocalDateTimeField(Field):
    """ISO 8601 from the API or `YYYY-MM-DDTHH:MM` from a datetime-local input.

    A value without an offset is Vietnam time (CONTRACT.md); the data is an aware datetime.
    """

    widget = DateTimeLocalInput()
    openapi_format = "date-time"

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return input_datetime_value(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_datetime(valuelist[0])
        except ValueError:
            raise ValueError(
                _l("Thời gian không hợp lệ (ví dụ 2014-08-12T08:00 hoặc 12/08/2014 08:00).")
            ) from None
