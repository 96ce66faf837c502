from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ..extensions import db
from ..fields import CheckedForm
from ..models import Organization


class WalkInForm(CheckedForm):
    name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=255)])
    title = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=255)])
    organization_id = StringField(_l("Cơ quan, đơn vị"), validators=[Optional(), Length(max=20)])

    def validate_organization_id(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and (not value.isdigit() or db.session.get(Organization, int(value)) is None):
            raise ValidationError(_l("Cơ quan, đơn vị này không có trong danh bạ."))


class SelfCheckInForm(CheckedForm):
    """An attendee's own check-in, for the personal link this browser opened: `k` is the secret
    of the poster at the door that the phone scanned; `client_id` makes a double tap one
    check-in. No code to type: a typed code would check in whoever it names."""

    k = HiddenField(validators=[Optional(), Length(max=64)])
    client_id = HiddenField(validators=[Optional(), Length(max=64)])
