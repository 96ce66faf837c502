"""Forms of the summary page: the conclusions (saved as a draft or finished) and publishing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from ..fields import CheckedForm
from .services import MAX_CONCLUSIONS_LENGTH


class ConclusionsForm(CheckedForm):
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
