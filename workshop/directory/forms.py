"""Forms of the directory pages (the API's bodies are directory/schemas.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp, ValidationError

from ..fields import CheckedForm, OrganizationField
from ..models import KIND_LABELS, ORGANIZATION_KINDS, SALUTATIONS
from . import imports, services


def _length(column: str) -> Length:
    return Length(max=services.max_length(column), message=_l("Tối đa %(max)d ký tự."))


class OrganizationForm(CheckedForm):
    name = StringField(_l("Tên cơ quan"), validators=[
        DataRequired(_l("Vui lòng nhập tên cơ quan.")), _length("name")])
    kind = SelectField(
        _l("Loại cơ quan"),
        choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in ORGANIZATION_KINDS],
        validate_choice=False,
        validators=[DataRequired(_l("Vui lòng chọn loại cơ quan.")),
                    AnyOf(ORGANIZATION_KINDS, message=_l("Loại cơ quan không hợp lệ."))],
    )
    parent_id = OrganizationField(
        _l("Cơ quan cấp trên"), validators=[Optional()],
        empty_label=_l("— Không trực thuộc cơ quan nào —"),
        candidates=services.parent_candidates,  # narrowed when editing: see __init__
        invalid_message=_l("Cơ quan cấp trên không hợp lệ."))
    code = StringField(_l("Mã cơ quan"), validators=[Optional(), _length("code")],
                       description=_l("Để trống thì hệ thống tự đặt mã; mã dùng để cập nhật khi "
                                      "nhập lại từ Excel."))
    leader_name = StringField(_l("Họ và tên lãnh đạo"), validators=[Optional(), _length("leader_name")])
    leader_title = StringField(_l("Chức vụ"), validators=[Optional(), _length("leader_title")],
                               description=_l("Ví dụ: Giám đốc Sở, Chủ tịch UBND huyện"))
    leader_salutation = SelectField(
        _l("Danh xưng của lãnh đạo"),
        choices=[SelectChoice("", _l("— Gửi theo chức vụ —"))]
        + [SelectChoice(value, value) for value in SALUTATIONS],
        default="", validators=[Optional()], filters=[lambda value: value or None],
        description=_l("Ông hoặc Bà trên giấy mời gửi lãnh đạo; để trống thì giấy mời gửi theo "
                       "chức vụ."))
    email = EmailField(_l("E-mail"), validators=[
        Optional(), _length("email"), Email(_l("Địa chỉ e-mail không hợp lệ."))])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), _length("phone")])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), _length("address")])

    def __init__(self, *args, organization=None, **kwargs) -> None:
        """`organization` is the agency being edited (None when adding one)."""
        super().__init__(*args, obj=organization, **kwargs)
        self.organization = organization
        self.parent_id.candidates = lambda: services.parent_candidates(organization)

    def validate_code(self, field: StringField) -> None:
        problem = services.code_problem(field.data.strip(), self.organization)
        if problem:
            raise ValidationError(problem)

    def validate_parent_id(self, field: OrganizationField) -> None:
        if field.data is None:  # not a number: process_formdata has said so
            return
        problem = services.parent_problem(field.data, self.organization)
        if problem:
            raise ValidationError(problem)

    def values(self) -> dict:
        """The typed values for create_organization / update_organization."""
        return {name: self[name].data for name in (
            "name", "kind", "parent_id", "code", "leader_name", "leader_title", "email", "phone",
            "address", "leader_salutation")}


class ImportForm(CheckedForm):
    file = FileField(_l("Tệp danh bạ (.xlsx hoặc .csv)"), validators=[
        FileRequired(_l("Vui lòng chọn tệp Excel (.xlsx) hoặc CSV để nhập.")),
        FileAllowed(["xlsx", "xlsm", "csv"], _l("Chỉ nhận tệp Excel (.xlsx) hoặc CSV. Tệp .xls cũ: "
                                                 "vui lòng lưu lại dưới dạng .xlsx.")),
    ])


class ConfirmImportForm(CheckedForm):
    token = HiddenField(validators=[
        DataRequired(), Regexp(rf"^{imports.UPLOAD_TOKEN.pattern}$",
                               message=_l("Tệp tải lên không còn. Vui lòng tải lên lại."))])
