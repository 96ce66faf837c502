"""An expired session never loses what was typed.

A phone that lost its cookie, or a tab left open across a sign-in, sends a form whose CSRF token
no longer matches the session: Flask-WTF refuses it (rightly) with an English sentence. Here
every such refusal becomes Vietnamese, and a form is given back with what was typed.

How the form comes back: a view marked `@keeps_input` validates a form (with its CSRF token)
before doing anything and shows that form again when it is invalid. Such a view is run once
more with the token REMOVED from the submitted data, so that its form's own CSRF check fails
whatever the reason of the first refusal: the view can only show the form again, bound to the
typed values and with a fresh token, so that one more tap sends it. Nothing is ever done without
a valid token. Any other view (a bare button such as delete or send, which carries nothing
typed) gets a page saying what happened with the way back; the API and the pages' scripts get
the contract's JSON error.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, HTTPException

from .extensions import db
from .links import safe_next

View = TypeVar("View", bound=Callable)
MARK = "keeps_input_on_expired_session"
REDISPLAYED = "workshop.csrf_redisplayed"  # once per request: never a loop
# While the view is run again. A context variable, not a key of the request's environ: the
# listener below reads it at every statement of every request (0.05 µs, where looking for a
# request and its environ took 1.5 µs; a scan is five statements).
_no_writes: ContextVar[bool] = ContextVar("workshop.csrf_no_writes", default=False)


def keeps_input(view: View) -> View:
    """Mark a view that validates a FlaskForm before acting and re-renders it when invalid."""
    setattr(view, MARK, True)
    return view


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes(conn, cursor, statement: str, parameters, context, executemany) -> None:
    """The safety net under `keeps_input`: a view run again for an expired session never
    writes, even if it was marked by mistake; it is refused before the statement runs."""
    if _no_writes.get() and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
        current_app.logger.error("%s wrote while shown again for an expired session: %s",
                                 request.endpoint, statement[:80])
        raise BadRequest(description=not_done())


def _marked(view: Callable | None) -> bool:
    while view is not None:
        if getattr(view, MARK, False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def message() -> str:
    return _("Phiên làm việc đã hết hạn nên thông tin chưa được gửi đi. Nội dung đã nhập vẫn "
             "được giữ lại; vui lòng kiểm tra và bấm gửi lại.")


def not_done() -> str:
    return _("Phiên làm việc đã hết hạn nên thao tác chưa được thực hiện. Vui lòng quay lại trang "
             "trước và thực hiện lại.")


def _wants_json() -> bool:
    return (request.path.startswith("/api/") or request.is_json
            or request.accept_mimetypes.best == "application/json")


def way_back() -> str:
    """The attendee's personal page when the URL carries its token, else the page the form
    came from (on this site), else home."""
    token = (request.view_args or {}).get("token")
    if token and request.path.startswith("/i/"):
        return url_for("invitations.personal", token=token)
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    return url_for("main.index")


def _show_form_again():
    """Run the marked view with the typed values but without any CSRF token: its form fails
    validation and is rendered again, with the message above it."""
    request.environ[REDISPLAYED] = True
    g.pop("csrf_valid", None)  # never set when refused; make sure no form skips its check
    form = request.form.copy()
    form.poplist(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    request.form = ImmutableMultiDict(form)
    flash(message(), "error")
    view = current_app.view_functions[request.endpoint]
    no_writes = _no_writes.set(True)
    try:
        response = current_app.make_response(view(**(request.view_args or {})))
    except HTTPException as error:
        db.session.rollback()  # a refused write leaves the transaction to undo
        return current_app.handle_user_exception(error)
    finally:
        _no_writes.reset(no_writes)
    if response.status_code < 300 or 400 <= response.status_code < 500:
        response.status_code = 400
    return response


def expired_session(error: CSRFError):
    if _wants_json():
        from .errors import json_error

        return json_error(400, "session_expired", _(
            "Phiên làm việc đã hết hạn. Vui lòng tải lại trang rồi thử lại."))
    if (request.method == "POST" and not request.environ.get(REDISPLAYED)
            and _marked(current_app.view_functions.get(request.endpoint))):
        return _show_form_again()
    return render_template("errors/expired_session.html", message=not_done(),
                           back=way_back()), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, expired_session)
