"""Which letters to show or download."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..fields import CheckedForm
from ..models import INVITATION_STATUSES, STATUS_LABELS


class LetterFilterForm(CheckedForm):
    """Read from the query string (`?status=sent`), so it carries no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Trạng thái"),
        choices=[SelectChoice("", _l("Tất cả"))]
        + [SelectChoice(status, STATUS_LABELS[status]) for status in INVITATION_STATUSES],
        default="",
    )
