"""Pages that belong to no feature: health checks, the language switch, the home page, errors."""
from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Flask,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .extensions import db
from .timeutil import as_local, input_datetime_value
from .timeutil import input_datetime_value as input_datetime  # noqa: F401  (used by forms)

bp = Blueprint("core", __name__)

WEEKDAYS = (
    _l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"), _l("Thứ Bảy"),
    _l("Chủ nhật"),
)


@bp.get("/healthz")
def healthz():
    """Answers without touching the database: for load balancers and as the bench baseline."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.get("/lang/<code>")
def set_language(code: str):
    from . import LOCALES

    if code in LOCALES:
        session["lang"] = code
    from .links import safe_next

    target = safe_next(request.args.get("next"))
    return redirect(target)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("events.list_workshops"))
    return redirect(url_for("auth.login"))


def local_date(value: datetime | None) -> str:
    """dd/mm/yyyy in Vietnam time."""
    local = as_local(value)
    return local.strftime("%d/%m/%Y") if local else ""


def local_time(value: datetime | None) -> str:
    local = as_local(value)
    return local.strftime("%H:%M") if local else ""


def local_datetime(value: datetime | None) -> str:
    local = as_local(value)
    return local.strftime("%H:%M %d/%m/%Y") if local else ""


def long_date(value: datetime | None) -> str:
    """"Thứ Ba, 12/08/2014", the way a letter or a phone page names the day."""
    local = as_local(value)
    if not local:
        return ""
    return f"{WEEKDAYS[local.weekday()]}, {local.strftime('%d/%m/%Y')}"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number past the 32-bit ids is simply not found (404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def refuse_nul_characters() -> None:
    """A NUL character can never be stored (PostgreSQL text refuses it): a clear 400 before any
    view runs, for query strings and form fields alike (uploaded files are not text)."""
    if any("\x00" in value for values in (request.args, request.form)
           for value in values.values()):
        abort(400, description=_("Dữ liệu gửi lên có ký tự không hợp lệ."))


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
    app.jinja_env.filters.update(
        date=local_date,
        time=local_time,
        datetime=local_datetime,
        long_date=long_date,
        input_datetime=input_datetime_value,
    )
    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "format_datetime": format_datetime}

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("errors/error.html", error=error, message=http_message(error)), (
            error.code
        )

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_out_of_range(error: Exception):
        """The last guard: a value the database cannot hold is refused, nothing is written."""
        db.session.rollback()
        message = _("Có giá trị vượt quá giới hạn cho phép. Không có gì thay đổi.")
        return render_template("errors/error.html", error=None, message=message), 422

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        db.session.rollback()
        app.logger.error("database unavailable: %s", error)
        message = _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.")
        return render_template("errors/unavailable.html", message=message), 503


HTTP_MESSAGES = {
    400: _l("Yêu cầu không hợp lệ."),
    401: _l("Vui lòng đăng nhập."),
    403: _l("Bạn không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang hoặc dữ liệu được yêu cầu."),
    405: _l("Phương thức không được hỗ trợ."),
    409: _l("Dữ liệu xung đột với trạng thái hiện tại."),
    413: _l("Tệp hoặc dữ liệu gửi lên quá lớn."),
    429: _l("Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút."),
}


def http_message(error: HTTPException) -> str:
    """Our own words in the user's language, unless the code raised a specific message."""
    if error.description and error.description != type(error).description:
        return str(error.description)
    return str(HTTP_MESSAGES.get(error.code or 500, _l("Đã có lỗi xảy ra. Vui lòng thử lại.")))

