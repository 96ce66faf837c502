from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..fields import CheckedForm


class LoginForm(CheckedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Vui lòng nhập e-mail.")),
                                                 Length(max=255)])
    password = PasswordField(_l("Mật khẩu"),
                             validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
