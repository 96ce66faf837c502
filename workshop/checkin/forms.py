from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ..fields import LocalDateTimeField


class CheckInForm(FlaskForm):
    """One scan, typed code or search pick. `client_id` makes a retried scan the same scan."""

    token = StringField(_l("Mã giấy mời"), validators=[
        DataRequired(_l("Vui lòng quét mã QR hoặc nhập mã.")), Length(max=2000)])
    client_id = StringField(validators=[Optional(), Length(max=64)])
    scanned_at = LocalDateTimeField(validators=[Optional()])


class WalkInForm(FlaskForm):
    name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=255)])
    title = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=255)])
    organization_id = StringField(_l("Cơ quan, đơn vị"), validators=[Optional(), Length(max=20)])
