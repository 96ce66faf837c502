"""Forms for feedback and contributions (the API's body is feedback/schemas.py)."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import html_params

from ..fields import CheckedForm, LocalDateTimeField
from ..models import CATEGORY_LABELS, FEEDBACK_CATEGORIES, WorkshopSession
from .services import MAX_CONTRIBUTION_LENGTH, MAX_FEEDBACK_LENGTH

RATING_OPTIONS = [
    ("", _l("— Không chấm điểm —")),
    ("5", _l("5 – Rất tốt")),
    ("4", _l("4 – Tốt")),
    ("3", _l("3 – Đạt yêu cầu")),
    ("2", _l("2 – Chưa đạt")),
    ("1", _l("1 – Kém")),
]


def _options_select(field: OptionsField, **kwargs) -> Markup:
    kwargs.setdefault("id", field.id)
    current = field.raw_data[0] if field.raw_data else ("" if field.data is None else str(field.data))
    html = [f"<select {html_params(name=field.name, **kwargs)}>"]
    for value, label in field.options:
        selected = " selected" if str(value) == current else ""
        html.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    html.append("</select>")
    # Every piece escaped above.
    return Markup("".join(html))  # nosec B704


class OptionsField(IntegerField):
    """An integer, a <select> of `options` (value, label) on the page."""

    widget = staticmethod(_options_select)

    def __init__(self, *args, options: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options = list(options)


class FeedbackForm(CheckedForm):
    category = RadioField(
        _l("Nhóm ý kiến"),
        choices=[SelectChoice(category, CATEGORY_LABELS[category]) for category in FEEDBACK_CATEGORIES],
        validators=[InputRequired(_l("Vui lòng chọn nhóm góp ý."))],
    )
    text = TextAreaField(_l("Nội dung"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung góp ý.")),
        Length(max=MAX_FEEDBACK_LENGTH,
               message=_l("Nội dung dài tối đa %(max)d ký tự.", max=MAX_FEEDBACK_LENGTH))])
    session_id = OptionsField(_l("Về phiên"), validators=[Optional()],
                              description=_l("Không bắt buộc."))
    rating = OptionsField(
        _l("Chấm điểm"), options=RATING_OPTIONS,
        validators=[Optional(), NumberRange(min=1, max=5, message=_l("Điểm đánh giá từ 1 đến 5."))],
        description=_l("Điểm cho phiên đã chọn, hoặc cho cả hội thảo."),
    )

    def __init__(self, *args, sessions: Iterable[WorkshopSession] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_id.options = [("", _l("— Chung cho cả hội thảo —"))] + [
            (str(session.id), session.title) for session in sessions]


class ContributionForm(CheckedForm):
    results = TextAreaField(_l("Kết quả đạt được"), validators=[
        Optional(), Length(max=MAX_CONTRIBUTION_LENGTH)])
    obstacles = TextAreaField(_l("Tồn tại, vướng mắc"), validators=[
        Optional(), Length(max=MAX_CONTRIBUTION_LENGTH)])
    lessons = TextAreaField(_l("Bài học kinh nghiệm"), validators=[
        Optional(), Length(max=MAX_CONTRIBUTION_LENGTH)])
    recommendations = TextAreaField(_l("Kiến nghị, đề xuất"), validators=[
        Optional(), Length(max=MAX_CONTRIBUTION_LENGTH)])
    # The type and size are checked on the file's content by the service.
    attachment = FileField(_l("Tệp báo cáo đính kèm (PDF hoặc Word .docx, tối đa 10 MB)"),
                           description=_l("Không bắt buộc. Gửi tệp mới sẽ thay tệp đã gửi trước."))


class ClosingForm(CheckedForm):
    feedback_closes_at = LocalDateTimeField(
        _l("Hạn nhận góp ý"), validators=[Optional()],
        description=_l("Sau thời điểm này đại biểu không gửi thêm góp ý, báo cáo tham luận. "
                       "Để trống: nhận không thời hạn."))
