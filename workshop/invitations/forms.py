"""Forms of the invitations; PersonForm and RsvpForm also validate the API's JSON (json_form)."""
from __future__ import annotations

from itertools import groupby

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import EmailField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import html_params

from ..extensions import db
from ..models import KIND_LABELS, ORGANIZATION_KINDS, Organization
from . import services


def _length() -> Length:
    return Length(max=services.MAX_TEXT, message=_l("Tối đa %(max)d ký tự."))


def phone_number(form, field) -> None:
    """The service's rule on phone numbers, as a form validator."""
    try:
        services.clean_phone(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def _organization_select(field: OrganizationField, **kwargs) -> Markup:
    """A <select> of the directory grouped by kind; only the page renders it."""
    kwargs.setdefault("id", field.id)
    organizations = db.session.scalars(select(Organization).order_by(Organization.kind,
                                                                     Organization.name))
    html = [f"<select {html_params(name=field.name, **kwargs)}>",
            f'<option value="">{escape(_l("— Không thuộc cơ quan nào trong danh bạ —"))}</option>']
    for kind, group in groupby(organizations, key=lambda organization: organization.kind):
        html.append(f"<optgroup {html_params(label=str(KIND_LABELS[kind]))}>")
        for organization in group:
            selected = " selected" if organization.id == field.data else ""
            html.append(f'<option value="{organization.id}"{selected}>{escape(organization.name)}</option>')
        html.append("</optgroup>")
    html.append("</select>")
    return Markup("".join(html))


class OrganizationField(IntegerField):
    """The invitee's agency: an id in the API, a select of the directory on the page."""

    widget = staticmethod(_organization_select)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0])
            except ValueError:
                raise ValueError(_l("Cơ quan không hợp lệ.")) from None


class PersonForm(FlaskForm):
    """Who is invited: a person outside the directory, or a correction of an invitation."""

    name = StringField(_l("Họ và tên"), validators=[
        InputRequired(_l("Vui lòng nhập họ và tên người được mời.")), _length()])
    title = StringField(_l("Chức vụ"), validators=[Optional(), _length()],
                        description=_l("Ví dụ: Giám đốc Sở, Chủ tịch UBND huyện"))
    organization_id = OrganizationField(_l("Cơ quan, đơn vị"), validators=[Optional()])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), _length(), Email(_l("Địa chỉ e-mail không hợp lệ."))])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), phone_number])


class InviteForm(FlaskForm):
    """Agencies ticked by kind or one by one; their leaders are invited."""

    kinds = SelectMultipleField(
        _l("Theo loại cơ quan"),
        choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in ORGANIZATION_KINDS],
        validate_choice=False,
    )
    organization_ids = SelectMultipleField(_l("Từng cơ quan"), coerce=int, validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.kinds.data and not self.organization_ids.data:
            self.form_errors.append(_l("Vui lòng chọn ít nhất một loại cơ quan hoặc một cơ quan."))
            return False
        return True


class RsvpForm(FlaskForm):
    """The invitee's answer; the deputy's name is required for "delegate" (by the service)."""

    response = SelectField(
        _l("Trả lời"),
        choices=[SelectChoice("accept", _l("Tôi sẽ tham dự")),
                 SelectChoice("delegate", _l("Cử người dự thay")),
                 SelectChoice("decline", _l("Không tham dự"))],
        validate_choice=False,
        validators=[InputRequired(_l("Vui lòng chọn câu trả lời.")),
                    AnyOf(tuple(services.RESPONSES), message=_l("Câu trả lời không hợp lệ."))],
    )
    delegate_name = StringField(_l("Họ và tên người dự thay"), validators=[Optional(), _length()])
    delegate_title = StringField(_l("Chức vụ"), validators=[Optional(), _length()])
    delegate_phone = StringField(_l("Điện thoại"), validators=[Optional(), phone_number],
                                 description=_l("Để Ban tổ chức liên hệ khi cần."))
