from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..fields import CheckedForm
from ..models import MAX_QUESTION_LENGTH


class QuestionForm(CheckedForm):
    session_id = IntegerField(_l("Phiên"), validators=[
        InputRequired(_l("Vui lòng chọn phiên."))])
    text = TextAreaField(_l("Câu hỏi"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung câu hỏi.")),
        Length(min=1, max=MAX_QUESTION_LENGTH,
               message=_l("Câu hỏi dài tối đa %(max)d ký tự.", max=MAX_QUESTION_LENGTH))])
    anonymous = BooleanField(_l("Gửi ẩn danh (không hiện tên và cơ quan)"))


class AnswerForm(CheckedForm):
    answer = TextAreaField(_l("Trả lời"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung trả lời.")), Length(max=5000)])
    answered_by = StringField(_l("Người trả lời (họ tên, chức vụ)"),
                              validators=[Optional(), Length(max=255)])


class AssignForm(CheckedForm):
    assigned_to = StringField(_l("Giao cho (họ tên, chức vụ)"),
                              validators=[Optional(), Length(max=255)])


class MergeForm(CheckedForm):
    into = IntegerField(_l("Gộp vào câu hỏi"), validators=[
        InputRequired(_l("Vui lòng chọn câu hỏi để gộp vào."))])
