"""Form fields shared by several features."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import groupby

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Field, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import DateTimeLocalInput, html_params

from .collation import agency_key
from .extensions import db
from .models import KIND_LABELS, Organization
from .text import has_control, text_problem
from .timeutil import EARLIEST_YEAR, LATEST_YEAR, OutOfRange, input_datetime_value, parse_datetime


def plain_text(form, field: Field) -> None:
    """CONTRACT.md "Text input": no C0 control character (a multi-line field keeps tab and line
    breaks), no text made only of spaces or invisible characters."""
    multiline = isinstance(field, TextAreaField)
    # A field without a label of ours has WTForms' English one ("Client Id"): name none then.
    label = str(field.label.text or "")
    label = label if label and label != field.name.replace("_", " ").title() else None
    # What was typed, in case a filter has already made it "no value".
    for value in field.raw_data or ():
        if isinstance(value, str) and has_control(value, multiline=multiline):
            raise ValidationError(text_problem(value, multiline=multiline, label=label))
    if isinstance(field.data, str):
        problem = text_problem(field.data, multiline=multiline, label=label)
        if problem:
            raise ValidationError(problem)


# WTForms' own messages, which it has no Vietnamese for, in our words: the ones our forms can
# show (a choice, a number, a length without a message of its own).
WTFORMS_MESSAGES = {
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "'%(value)s' is not a valid choice for this field.": _l("Lựa chọn không hợp lệ."),
    "'%(value)s' are not valid choices for this field.": _l("Lựa chọn không hợp lệ."),
    "Not a valid integer value.": _l("Phải là số nguyên."),
    "Not a valid datetime value.": _l("Thời gian không hợp lệ."),
    "This field is required.": _l("Vui lòng nhập trường này."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ e-mail không hợp lệ."),
    "Invalid value, must be one of: %(values)s.": _l("Phải là một trong: %(values)s."),
    "Number must be at least %(min)s.": _l("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Số không được lớn hơn %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải từ %(min)s đến %(max)s."),
    "Field cannot be longer than %(max)d character.": _l("Tối đa %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": _l("Tối đa %(max)d ký tự."),
    "Field must be at least %(min)d character long.": _l("Tối thiểu %(min)d ký tự."),
    "Field must be at least %(min)d characters long.": _l("Tối thiểu %(min)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.":
        _l("Độ dài từ %(min)d đến %(max)d ký tự."),
}


class _Translations:
    """WTForms' messages through WTFORMS_MESSAGES, then Flask-WTF's catalogs as before."""

    def gettext(self, string: str) -> str:
        message = WTFORMS_MESSAGES.get(string)
        return str(message) if message is not None else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        message = WTFORMS_MESSAGES.get(singular if n == 1 else plural)
        return str(message) if message is not None else wtforms_translations.ngettext(
            singular, plural, n)


# JSON nested deeper than Python's parser goes (a RecursionError): pages and the API say so.
DEEP_JSON = _l("Nội dung JSON lồng nhau quá sâu, không đọc được.")


class CheckedForm(FlaskForm):
    """The base of every form of the app: each text field also runs `plain_text` (passwords
    excepted: they are compared, never stored or shown), and WTForms speaks Vietnamese."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                field.validators = [*field.validators, plain_text]
            return field

        def get_translations(self, form):
            return _Translations()

        def wrap_formdata(self, form, formdata):
            """Flask-WTF reads a JSON body sent to a page: one it cannot use is a 400."""
            try:
                return super().wrap_formdata(form, formdata)
            except RecursionError:
                abort(400, description=str(DEEP_JSON))
            except (TypeError, ValueError):
                abort(400, description=_("Nội dung gửi lên phải là một đối tượng JSON."))


class LocalDateTimeField(Field):
    """ISO 8601 or `YYYY-MM-DDTHH:MM` from a datetime-local input.

    A value without an offset is Vietnam time (CONTRACT.md); the data is an aware datetime.
    """

    widget = DateTimeLocalInput()

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
        except OutOfRange:
            raise ValueError(_l("Thời gian phải trong khoảng từ năm %(first)d đến năm %(last)d.",
                                first=EARLIEST_YEAR, last=LATEST_YEAR)) from None
        except (ValueError, OverflowError):
            raise ValueError(
                _l("Thời gian không hợp lệ (ví dụ 2014-08-12T08:00 hoặc 12/08/2014 08:00).")
            ) from None


def all_organizations() -> Iterable[Organization]:
    """The directory in its order: by kind, then Vietnamese alphabetical order of the name."""
    return sorted(db.session.scalars(select(Organization)), key=agency_key)


def _organization_select(field: OrganizationField, **kwargs) -> Markup:
    """A <select> of the directory grouped by agency kind; only pages render it."""
    kwargs.setdefault("id", field.id)
    html = [f"<select {html_params(name=field.name, **kwargs)}>",
            f'<option value="">{escape(field.empty_label)}</option>']
    for kind, group in groupby(field.candidates(), key=lambda organization: organization.kind):
        html.append(f"<optgroup {html_params(label=str(KIND_LABELS[kind]))}>")
        for organization in group:
            selected = " selected" if organization.id == field.data else ""
            html.append(f'<option value="{organization.id}"{selected}>{escape(organization.name)}</option>')
        html.append("</optgroup>")
    html.append("</select>")
    # Every piece escaped above.
    return Markup("".join(html))  # nosec B704


class OrganizationField(IntegerField):
    """An agency of the directory: a select grouped by kind on the page.

    `candidates` lists the agencies offered (a form may narrow it, e.g. no agency as its own
    parent); `empty_label` names the choice of none."""

    widget = staticmethod(_organization_select)

    def __init__(self, label=None, validators=None, *, empty_label=None,
                 candidates: Callable[[], Iterable[Organization]] = all_organizations,
                 invalid_message=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.empty_label = empty_label or _l("— Không chọn cơ quan —")
        self.candidates = candidates
        self.invalid_message = invalid_message or _l("Cơ quan không hợp lệ.")

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0])
            except ValueError:
                raise ValueError(self.invalid_message) from None
