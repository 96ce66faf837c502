"""Forms of the biên bản (the text of its sections) and of the thông báo kết luận (its lines
and its items, edited together on one page)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..fields import CheckedForm, OrganizationField, _Translations, plain_text
from .services import MAX_TEXT_LENGTH


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=_l("Tối đa %(max)d ký tự.", max=maximum))


def _required() -> DataRequired:
    return DataRequired(message=_l("Vui lòng nhập trường này."))


REVISION = [Optional(), Regexp(r"^\d{1,9}$")]


class MinutesForm(CheckedForm):
    number = StringField(_l("Số biên bản"), [Optional(), _length(40)],
                         description=_l("Theo sổ đăng ký văn bản, ví dụ 15/BB-SKHCN; để trống nếu "
                                        "chưa có số."))
    chair_name = StringField(_l("Chủ tọa: họ và tên"), [_required(), _length(255)])
    chair_title = StringField(_l("Chủ tọa: chức vụ"), [Optional(), _length(255)])
    secretary_name = StringField(_l("Thư ký: họ và tên"), [Optional(), _length(255)])
    secretary_title = StringField(_l("Thư ký: chức vụ"), [Optional(), _length(255)])
    started = StringField(_l("Thời gian bắt đầu"), [_required(), _length(500)])
    place = StringField(_l("Địa điểm"), [_required(), _length(500)])
    participants = TextAreaField(_l("Thành phần tham dự"), [Optional(), _length(MAX_TEXT_LENGTH)],
                                 description=_l("Mỗi đoạn một dòng; dòng bắt đầu bằng \"- \" là một "
                                                "ý liệt kê."))
    proceedings = TextAreaField(_l("Nội dung (theo diễn biến hội thảo)"),
                                [Optional(), _length(MAX_TEXT_LENGTH)],
                                description=_l("Theo thứ tự chương trình: mỗi phiên, người trình bày, "
                                               "ý kiến của đại biểu (\"- \") và ý kiến trả lời "
                                               "(\"+ \")."))
    conclusions = TextAreaField(_l("Kết luận của chủ tọa"), [Optional(), _length(MAX_TEXT_LENGTH)])
    closing = TextAreaField(_l("Kết thúc"), [Optional(), _length(MAX_TEXT_LENGTH)])
    revision = HiddenField(validators=REVISION)
    save = SubmitField(_l("Lưu dự thảo"))
    finish = SubmitField(_l("Lưu và hoàn thành biên bản"))


class RedraftForm(CheckedForm):
    """"Lập lại từ dữ liệu hội thảo": the revision it replaces."""

    revision = HiddenField(validators=REVISION)


class DueDateField(DateField):
    """A date from a date input (or dd/mm/yyyy), with our own message."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Ngày không hợp lệ (ví dụ 29/08/2014).")) from None
        if self.data is not None and not 2000 <= self.data.year <= 2100:
            self.data = None
            raise ValueError(_l("Ngày không hợp lệ (ví dụ 29/08/2014)."))


class ItemForm(Form):
    """One conclusion item (a row of the page); a row left blank is no item."""

    class Meta:
        def get_translations(self, form):
            return _Translations()

    id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,12}$")])
    position = IntegerField(_l("Thứ tự"), [Optional(), NumberRange(min=1, max=1000)])
    text = TextAreaField(_l("Nội dung kết luận"), [Optional(), _length(MAX_TEXT_LENGTH), plain_text])
    organization_id = OrganizationField(_l("Cơ quan thực hiện"), [Optional()])
    due_on = DueDateField(_l("Thời hạn hoàn thành"), [Optional()])
    delete = BooleanField(_l("Xóa mục này"))

    def is_blank(self) -> bool:
        return not (self.id.data or (self.text.data or "").strip() or self.organization_id.data
                    or self.due_on.data)


class NoticeForm(CheckedForm):
    number = StringField(_l("Số thông báo"), [Optional(), _length(40)],
                         description=_l("Theo sổ đăng ký văn bản, ví dụ 20/TB-SKHCN; để trống nếu "
                                        "chưa có số."))
    issued_on = DueDateField(_l("Ngày ban hành"), [Optional()])
    opening = TextAreaField(_l("Đoạn mở đầu"), [_required(), _length(MAX_TEXT_LENGTH)])
    signer_authority = StringField(_l("Thẩm quyền ký"), [Optional(), _length(100)],
                                   description=_l("Ví dụ: TL. GIÁM ĐỐC hoặc KT. GIÁM ĐỐC."))
    signer_title = StringField(_l("Chức vụ người ký"), [Optional(), _length(100)],
                               description=_l("Ví dụ: CHÁNH VĂN PHÒNG hoặc PHÓ GIÁM ĐỐC."))
    signer_name = StringField(_l("Họ tên người ký"), [Optional(), _length(255)])
    items = FieldList(FormField(ItemForm), min_entries=0, max_entries=200)
    revision = HiddenField(validators=REVISION)
    save = SubmitField(_l("Lưu thông báo"))
