"""Forms of the outbox pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.widgets import TextInput

from ..fields import CheckedForm


class IntegerListField(Field):
    """Invitation ids, from ticked boxes (`ids=3&ids=5`) or "3, 5"."""

    widget = TextInput()

    def _value(self) -> str:
        return ", ".join(str(value) for value in self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        values = [part.strip() for item in valuelist for part in str(item).split(",") if part.strip()]
        self.data = []
        for value in values:
            if not value.isdigit():
                raise ValueError(_l("Mã giấy mời phải là số nguyên dương, không phải “%(value)s”.",
                                    value=value))
            self.data.append(int(value))


class SendForm(CheckedForm):
    ids = IntegerListField(
        _l("Giấy mời được chọn"),
        description=_l("Để trống: gửi mọi giấy mời có địa chỉ e-mail mà máy chủ thư chưa từng nhận "
                       "(kể cả những e-mail đã gửi thất bại), trừ e-mail đang chờ gửi."),
    )


class ConfirmForm(CheckedForm):
    """A button that changes something: only the CSRF token."""
