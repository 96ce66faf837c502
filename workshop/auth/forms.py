from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Vui lòng nhập e-mail.")),
                                                 Length(max=255)])
    password = PasswordField(_l("Mật khẩu"),
                             validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
