"""Forms of the summary page: the conclusions (saved as a draft or finished) and publishing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from ..fields import CheckedForm
from .services import MAX_CONCLUSIONS_LENGTH, MAX_REPORT_NUMBER_LENGTH


class ReportFieldsMixin:
    """What the report says besides the record: the host's recommendations, the number the
    outgoing register gives the report and its date."""

    proposals = TextAreaField(
        _l("Kiến nghị, đề xuất của cơ quan chủ trì với UBND tỉnh"),
        validators=[Optional(), Length(max=MAX_CONCLUSIONS_LENGTH,
                                       message=_l("Tối đa %(max)d ký tự.", max=MAX_CONCLUSIONS_LENGTH))],
        description=_l("Mục IV của báo cáo. Mỗi đoạn một dòng."),
    )
    report_number = StringField(
        _l("Số báo cáo"),
        validators=[Optional(), Length(max=MAX_REPORT_NUMBER_LENGTH,
                                       message=_l("Tối đa %(max)d ký tự.", max=MAX_REPORT_NUMBER_LENGTH))],
        description=_l("Số do văn thư cấp, ví dụ 45/BC-SKHCN; để trống nếu chưa có số."),
    )
    report_date = DateField(
        _l("Ngày báo cáo"), validators=[Optional()],
        description=_l("Mặc định là ngày kết thúc hội thảo."),
    )


class ConclusionsForm(ReportFieldsMixin, CheckedForm):
    conclusions = TextAreaField(
        _l("Kết luận của chủ trì"),
        validators=[Optional(), Length(max=MAX_CONCLUSIONS_LENGTH,
                                       message=_l("Tối đa %(max)d ký tự.", max=MAX_CONCLUSIONS_LENGTH))],
        description=_l("Mỗi đoạn một dòng. Mỗi lần lưu là một phiên bản mới; các phiên bản trước "
                       "vẫn được giữ lại."),
    )
    # The version the writer started from: a save on top of someone else's is refused.
    base_version = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    save = SubmitField(_l("Lưu bản nháp"))
    finish = SubmitField(_l("Hoàn thành và công bố"))


class PublishForm(CheckedForm):
    """Only the CSRF token: "Công bố" makes the current draft final."""
