"""The organizer's forms of the seating page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..fields import CheckedForm
from .services import DEFAULT_PER_ROW, MAX_PER_ROW, MAX_ROW


class ArrangeForm(CheckedForm):
    per_row = IntegerField(_l("Số ghế mỗi hàng"), default=DEFAULT_PER_ROW, validators=[
        InputRequired(_l("Vui lòng nhập số ghế mỗi hàng.")),
        NumberRange(1, MAX_PER_ROW, _l("Phải từ %(min)s đến %(max)s."))])
    head_table = IntegerField(_l("Số ghế bàn chủ tọa (khi xếp lần đầu hoặc xếp lại từ đầu)"), default=0,
                              validators=[Optional(), NumberRange(0, MAX_PER_ROW,
                                                                  _l("Phải từ %(min)s đến %(max)s."))])
    reset = BooleanField(_l("Xếp lại từ đầu theo thứ tự nghi thức"))


class SeatForm(CheckedForm):
    """Row 0 is the head table; both empty: no seat."""

    row = IntegerField(_l("Hàng"), validators=[
        Optional(), NumberRange(0, MAX_ROW, _l("Phải từ %(min)s đến %(max)s."))])
    number = IntegerField(_l("Ghế"), validators=[
        Optional(), NumberRange(1, MAX_PER_ROW, _l("Phải từ %(min)s đến %(max)s."))])


class MoveForm(CheckedForm):
    direction = SelectField(choices=[SelectChoice("up", _l("Lên")), SelectChoice("down", _l("Xuống"))],
                            validators=[InputRequired()])
