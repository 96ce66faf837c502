from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..links import safe_next
from . import services
from .forms import LoginForm

bp = Blueprint("auth", __name__)

# Sign-in is limited per address, and per account from any address; a sign-in that succeeds
# (a redirect) does not count against the account.
_per_account = limiter.limit(
    "10 per minute", methods=["POST"],
    key_func=lambda: "account:" + services.normalize_email(request.form.get("email", ""))[:255],
    deduct_when=lambda response: response.status_code != 302,
)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@_per_account
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        flash(_("E-mail hoặc mật khẩu không đúng."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
