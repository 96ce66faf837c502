"""Forms of the tasks pages (the API reads its bodies with workshop/tasks/schemas.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..fields import CheckedForm, OrganizationField
from ..minutes.forms import DueDateField
from .services import MAX_REPORT_LENGTH, MAX_TASK_LENGTH


class TaskForm(CheckedForm):
    """`text`, `organization_id` (an agency of the directory) and `due_on` (a date, today or
    later); `conclusion_item_id` when the task comes from an item of the thông báo kết luận."""

    text = TextAreaField(_l("Nội dung nhiệm vụ"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung nhiệm vụ.")),
        Length(max=MAX_TASK_LENGTH, message=_l("Tối đa %(max)d ký tự.", max=MAX_TASK_LENGTH))])
    organization_id = OrganizationField(
        _l("Cơ quan thực hiện"), validators=[InputRequired(_l("Vui lòng chọn cơ quan thực hiện."))],
        empty_label=_l("— Chọn cơ quan —"))
    due_on = DueDateField(_l("Thời hạn hoàn thành"),
                          [InputRequired(_l("Vui lòng nhập thời hạn (ngày, ví dụ 30/06/2015)."))])
    conclusion_item_id = IntegerField(validators=[Optional()])


class ReportForm(CheckedForm):
    """`text`, and `done: true` when the task is finished."""

    text = TextAreaField(_l("Nội dung báo cáo"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung báo cáo.")),
        Length(max=MAX_REPORT_LENGTH, message=_l("Tối đa %(max)d ký tự.", max=MAX_REPORT_LENGTH))])
    done = BooleanField(_l("Đã hoàn thành nhiệm vụ"))


class PageReportForm(ReportForm):
    """The agency's page: which of its tasks, and an optional file."""

    task_id = HiddenField(validators=[InputRequired()])
    # The type and size are checked on the file's content by the service.
    attachment = FileField(_l("Tệp đính kèm (PDF hoặc Word .docx, tối đa 10 MB)"),
                           description=_l("Không bắt buộc."))


class FromItemsForm(CheckedForm):
    """Tasks for the chosen conclusion items that name an agency, with one deadline for those
    that have none."""

    due_on = DueDateField(_l("Thời hạn cho các mục chưa có thời hạn"), [Optional()])

