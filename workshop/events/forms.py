"""Forms of the workshop and session pages (the API's bodies are events/schemas.py)."""
from __future__ import annotations

import re
from dataclasses import fields
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..fields import CheckedForm, LocalDateTimeField
from ..invitations.forms import phone_number
from .services import SessionData, WorkshopData, chair_candidates, host_candidates

Data = TypeVar("Data", WorkshopData, SessionData)
REGISTER_NUMBER = re.compile(r"[0-9][^\s]*")


def stripped(value: Any) -> Any:
    """Surrounding spaces go; an empty text is no value."""
    return (value.strip() or None) if isinstance(value, str) else value


def optional_int(value: Any) -> int | None:
    """The value of a select whose first option "" means none chosen."""
    return None if value in (None, "") else int(value)


def without_so(value: Any) -> Any:
    """ "Số: 125/GM-SKHCN" typed whole is the number 125/GM-SKHCN: the letter prints "Số:"."""
    if isinstance(value, str):
        value = re.sub(r"^s[ốô]\s*:?\s*", "", value, flags=re.IGNORECASE) or None
    return value


def register_number(form, field) -> None:
    """A number of the outgoing register: "125/GM-SKHCN", no spaces, starting with its number."""
    if field.data and not REGISTER_NUMBER.fullmatch(field.data):
        raise ValidationError(_("Số giấy mời ghi như trong sổ văn bản đi, ví dụ 125/GM-SKHCN "
                                "(bắt đầu bằng chữ số, không có dấu cách)."))


def dataclass_values(form: CheckedForm, kind: type[Data]) -> Data:
    """The form's values as the service's dataclass, from the fields this form has."""
    return kind(**{item.name: form[item.name].data for item in fields(kind) if item.name in form})


class WorkshopForm(CheckedForm):
    """The workshop's fields; the page adds a directory select for the host."""

    code = StringField(
        _l("Mã hội thảo"), [Optional(), Length(max=40)],
        filters=[stripped, lambda value: value.lower() if isinstance(value, str) else value],
        description=_l("Dùng trong đường dẫn, ví dụ iso9001-2014: chữ thường không dấu, chữ số, dấu "
                       "gạch ngang. Để trống để hệ thống tự đặt. Không đổi được sau khi tạo."),
    )
    title = StringField(_l("Tên hội thảo"),
                        [DataRequired(_l("Vui lòng nhập tên hội thảo.")), Length(max=500)],
                        filters=[stripped])
    starts_at = LocalDateTimeField(_l("Bắt đầu"),
                                   [InputRequired(_l("Vui lòng nhập thời gian bắt đầu."))])
    ends_at = LocalDateTimeField(_l("Kết thúc"), [Optional()])
    venue = StringField(_l("Địa điểm"), [DataRequired(_l("Vui lòng nhập địa điểm.")), Length(max=500)],
                        filters=[stripped])
    rsvp_deadline = LocalDateTimeField(
        _l("Hạn trả lời"), [Optional()],
        description=_l("Đại biểu xác nhận tham dự hoặc cử người dự thay trước thời điểm này."),
    )
    description = TextAreaField(_l("Nội dung, mục đích"), [Optional()], filters=[stripped])
    host_organization_id = IntegerField(_l("Cơ quan tổ chức"), [Optional()],
                                        description=_l("Cơ quan mời, chọn trong danh bạ."))
    host_parent_name = StringField(
        _l("Cơ quan chủ quản"), [Optional(), Length(max=255)], filters=[stripped],
        description=_l("Dòng trên cùng bên trái của giấy mời, ví dụ \"UBND TỈNH THÁI NGUYÊN\"."),
    )
    letter_code = StringField(
        _l("Ký hiệu giấy mời"), [Optional(), Length(max=40)], filters=[stripped],
        description=_l("Viết tắt tên cơ quan trong số giấy mời, ví dụ \"SKHCN\" cho \"Số: …/GM-SKHCN\"."),
    )
    letter_place = StringField(
        _l("Địa danh"), [Optional(), Length(max=100)], filters=[stripped],
        description=_l("Đứng trước ngày tháng của giấy mời, ví dụ \"Thái Nguyên\" trong "
                       "\"Thái Nguyên, ngày … tháng … năm …\"."),
    )
    signer_authority = StringField(
        _l("Thẩm quyền ký"), [Optional(), Length(max=100)], filters=[stripped],
        description=_l("Ví dụ \"KT. GIÁM ĐỐC\" khi cấp phó ký thay; để trống khi người đứng đầu ký."),
    )
    signer_title = StringField(
        _l("Chức vụ người ký"), [Optional(), Length(max=100)], filters=[stripped],
        description=_l("Ví dụ \"PHÓ GIÁM ĐỐC\"."),
    )
    signer_name = StringField(_l("Họ và tên người ký"), [Optional(), Length(max=255)],
                              filters=[stripped], description=_l("Ví dụ \"Nguyễn Hữu Phúc\"."))
    letter_number = StringField(
        _l("Số giấy mời"), [Optional(), Length(max=40), register_number], filters=[stripped, without_so],
        description=_l("Số do văn thư cấp trong sổ văn bản đi, ví dụ \"125/GM-SKHCN\"; mọi bản giấy "
                       "mời mang cùng một số. Để trống thì giấy mời in \"Số: ……/GM-…\" để văn thư "
                       "điền tay."),
    )
    contact_name = StringField(
        _l("Người liên hệ"), [Optional(), Length(max=255)], filters=[stripped],
        description=_l("Đầu mối liên hệ ghi trên giấy mời, ví dụ \"Bà Lê Thu Hà, Văn phòng Sở\"."),
    )
    contact_phone = StringField(_l("Điện thoại liên hệ"), [Optional(), Length(max=64), phone_number],
                                filters=[stripped])
    contribution_deadline = LocalDateTimeField(
        _l("Hạn gửi báo cáo tham luận"), [Optional()],
        description=_l("Giấy mời đề nghị đại biểu gửi báo cáo tham luận (nếu có) trước thời điểm "
                       "này; để trống nếu không yêu cầu."),
    )
    previous_code = StringField(
        _l("Mã hội thảo kỳ trước"), [Optional(), Length(max=40)],
        filters=[stripped, lambda value: value.lower() if isinstance(value, str) else value],
        description=_l("Khi hội thảo này tiếp nối một kỳ trước, ví dụ iso9001-2014."),
    )
    deputy_approval = BooleanField(
        _l("Người dự thay phải được Ban tổ chức duyệt"),
        description=_l("Đại biểu cử người dự thay thì Ban tổ chức duyệt hoặc không chấp thuận "
                       "(nêu lý do) trước khi người dự thay nhận thẻ dự hội thảo."),
    )

    def workshop_data(self) -> WorkshopData:
        return dataclass_values(self, WorkshopData)


class WorkshopPageForm(WorkshopForm):
    host_organization_id = SelectField(
        _l("Cơ quan tổ chức"), coerce=optional_int, validate_choice=False,
        invalid_value_message=_l("Lựa chọn không hợp lệ."),
        description=_l("Cơ quan mời, chọn trong danh bạ cơ quan."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host_organization_id.choices = [SelectChoice("", _("— Chưa chọn —"))] + [
            SelectChoice(str(organization.id), organization.name, optgroup=organization.kind_label)
            for organization in host_candidates()
        ]


class SessionForm(CheckedForm):
    """A session's fields, the chair named by e-mail; the page picks from a list."""

    title = StringField(_l("Tên phiên"), [DataRequired(_l("Vui lòng nhập tên phiên.")), Length(max=500)],
                        filters=[stripped])
    starts_at = LocalDateTimeField(_l("Bắt đầu"), [Optional()])
    ends_at = LocalDateTimeField(_l("Kết thúc"), [Optional()])
    presenter = StringField(
        _l("Người trình bày"), [Optional(), Length(max=255)], filters=[stripped],
        description=_l("Người hoặc cơ quan trình bày, ví dụ \"Chi cục Tiêu chuẩn Đo lường Chất lượng\"."),
    )
    chair_email = StringField(_l("E-mail người chủ trì"), [Optional(), Length(max=255)],
                              filters=[stripped])
    moderated = BooleanField(
        _l("Duyệt câu hỏi trước khi hiển thị"),
        description=_l("Câu hỏi của đại biểu chỉ hiện lên sau khi chủ trì hoặc ban tổ chức duyệt."),
    )
    description = TextAreaField(_l("Ghi chú"), [Optional()], filters=[stripped])

    def session_data(self) -> SessionData:
        return dataclass_values(self, SessionData)


class SessionPageForm(SessionForm):
    chair_email = None  # the page picks an account instead
    chair_id = SelectField(_l("Chủ trì"), coerce=optional_int, validate_choice=False,
                           invalid_value_message=_l("Lựa chọn không hợp lệ."),
                           description=_l("Người điều hành phần hỏi đáp của phiên."))

    def __init__(self, *args: Any, workshop: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the accounts that may chair on this workshop (a team-limited chair: its team's).
        self.chair_id.choices = [SelectChoice("", _("— Chưa chọn —"))] + [
            SelectChoice(str(user.id), f"{user.name} ({user.role_label})")
            for user in chair_candidates(workshop)
        ]


class TeamForm(CheckedForm):
    """Add an account to the workshop's team (the team page)."""

    email = StringField(_l("E-mail của tài khoản"), filters=[stripped],
                        validators=[DataRequired(_l("Vui lòng nhập e-mail của tài khoản."))],
                        render_kw={"type": "email", "autocomplete": "off", "inputmode": "email"})
    role = SelectField(_l("Vai trò trong hội thảo này"),
                       choices=[SelectChoice("staff", _l("Cán bộ điểm danh")),
                                SelectChoice("chair", _l("Chủ trì"))],
                       invalid_value_message=_l("Lựa chọn không hợp lệ."))
