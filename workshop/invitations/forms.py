"""Forms of the invitation pages (the API's bodies are invitations/schemas.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, ValidationError

from ..fields import CheckedForm, OrganizationField
from ..models import KIND_LABELS, ORGANIZATION_KINDS, SALUTATIONS
from . import rsvp


def _length() -> Length:
    return Length(max=rsvp.MAX_TEXT, message=_l("Tối đa %(max)d ký tự."))


def phone_number(form, field) -> None:
    """The service's rule on phone numbers, as a form validator."""
    try:
        rsvp.clean_phone(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class PersonForm(CheckedForm):
    """Who is invited: a person outside the directory, or a correction of an invitation."""

    name = StringField(_l("Họ và tên"), validators=[
        InputRequired(_l("Vui lòng nhập họ và tên người được mời.")), _length()])
    salutation = SelectField(
        _l("Danh xưng"), choices=[SelectChoice("", _l("— Gửi theo chức vụ —"))]
        + [SelectChoice(value, value) for value in SALUTATIONS],
        default="", validators=[Optional()],
        description=_l("Ông hoặc Bà trên giấy mời; để trống thì giấy mời gửi theo chức vụ, ví dụ "
                       "\"Kính gửi: Giám đốc Sở Tư pháp\"."),
    )
    title = StringField(_l("Chức vụ"), validators=[Optional(), _length()],
                        description=_l("Ví dụ: Giám đốc Sở, Chủ tịch UBND huyện"))
    organization_id = OrganizationField(
        _l("Cơ quan, đơn vị"), validators=[Optional()],
        empty_label=_l("— Không thuộc cơ quan nào trong danh bạ —"))
    email = EmailField(_l("E-mail"), validators=[
        Optional(), _length(), Email(_l("Địa chỉ e-mail không hợp lệ."))])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), phone_number])


class InviteForm(CheckedForm):
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


class RsvpForm(CheckedForm):
    """The invitee's answer; the deputy's name is required for "delegate" (by the service)."""

    response = SelectField(
        _l("Trả lời"),
        choices=[SelectChoice("accept", _l("Tôi sẽ tham dự")),
                 SelectChoice("delegate", _l("Cử người dự thay")),
                 SelectChoice("decline", _l("Không tham dự"))],
        validate_choice=False,
        validators=[InputRequired(_l("Vui lòng chọn câu trả lời.")),
                    AnyOf(tuple(rsvp.RESPONSES), message=_l("Câu trả lời không hợp lệ."))],
    )
    delegate_name = StringField(_l("Họ và tên người dự thay"), validators=[Optional(), _length()])
    delegate_title = StringField(_l("Chức vụ"), validators=[Optional(), _length()])
    delegate_phone = StringField(_l("Điện thoại"), validators=[Optional(), phone_number],
                                 description=_l("Để Ban tổ chức liên hệ khi cần."))
    delegate_email = EmailField(
        _l("E-mail"), validators=[Optional(), _length(), Email(_l("Địa chỉ e-mail không hợp lệ."))],
        description=_l("Không bắt buộc. Khi được duyệt, thẻ vào hội trường được gửi tới địa chỉ này."))
