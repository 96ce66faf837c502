"""Form fields shared by several features."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import groupby

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Field, IntegerField
from wtforms.widgets import DateTimeLocalInput, html_params

from .extensions import db
from .models import KIND_LABELS, Organization
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


def all_organizations() -> Iterable[Organization]:
    return db.session.scalars(select(Organization).order_by(Organization.kind, Organization.name))


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
    """An agency of the directory: its id in the API, a select grouped by kind on the page.

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
