from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..expired_session import keeps_input
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


# What a browser keeps across a sign-in or a sign-out: the language chosen on it, nothing else
# (an attendee's personal-link token must not survive a staff sign-in on a shared phone).
KEPT_ACROSS_SIGN_IN = ("lang",)


def _fresh_session() -> None:
    kept = {key: session[key] for key in KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@_per_account
@keeps_input
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _fresh_session()  # nothing of whoever used this browser before carries over
            services.start_login(user)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        flash(_("E-mail hoặc mật khẩu không đúng."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_login(current_user.get_id())
    _fresh_session()
    logout_user()  # after the clearing: it marks the remember cookie for deletion
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
