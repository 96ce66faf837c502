"""What every request shares: ids in URLs, refused NUL characters, the template filters and
the error pages. The plain routes are in workshop/main, the security headers in
workshop/security.py, the date filters in workshop/timeutil.py."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import FileSystemBytecodeCache
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .extensions import db
from .office.letterhead import NATIONAL_MOTTO, NATIONAL_TITLE
from .timeutil import local_date, local_datetime, local_time, long_date


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number past the 32-bit ids is simply not found (404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_characters() -> None:
    """A NUL character can never be stored (PostgreSQL text refuses it): a clear 400 before any
    view runs, for query strings and form fields alike (uploaded files are not text)."""
    # The form only when the body is one (werkzeug parses no other): reading `request.form`
    # of a JSON call costs every API call for nothing.
    form = request.form if request.mimetype in FORM_TYPES else {}
    # Nor the query, when there is none (parsing nothing costs ~3 µs a call).
    args = request.args if request.query_string else {}
    if any("\x00" in value for values in (args, form)
           for value in values.values()):
        abort(400, description=_("Dữ liệu gửi lên có ký tự không hợp lệ."))


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
    # Every gunicorn worker (and every restart) compiled each template again for its first
    # visitor: some 30 ms for the six of a personal page. Compiled once into the instance
    # folder, they are loaded from there; Jinja keys each by a checksum of its source, so an
    # edited template is compiled anew.
    compiled = Path(app.instance_path) / "compiled-templates"
    compiled.mkdir(exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(compiled))
    app.jinja_env.filters.update(
        date=local_date,
        time=local_time,
        datetime=local_datetime,
        long_date=long_date,
    )
    # The letterhead's words, for the print pages' macro (templates/office/_letterhead.html).
    app.jinja_env.globals.update(NATIONAL_TITLE=NATIONAL_TITLE, NATIONAL_MOTTO=NATIONAL_MOTTO)
    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "format_datetime": format_datetime}

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
    403: _l("Tài khoản không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang hoặc dữ liệu được yêu cầu."),
    405: _l("Phương thức không được hỗ trợ."),
    409: _l("Dữ liệu xung đột với trạng thái hiện tại."),
    413: _l("Tệp hoặc dữ liệu gửi lên quá lớn."),
    429: _l("Thao tác quá nhanh. Vui lòng thử lại sau ít phút."),
}


def http_message(error: HTTPException) -> str:
    """Our own words in the user's language, unless the code raised a specific message."""
    if error.description and error.description != type(error).description:
        return str(error.description)
    return str(HTTP_MESSAGES.get(error.code or 500, _l("Đã có lỗi xảy ra. Vui lòng thử lại.")))

