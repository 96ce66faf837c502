"""The staff audit log (issue 7, item 6): every change a staff account makes, recorded in one place.

An `after_request` hook writes one `AuditEntry` per successful unsafe request of a signed-in
account or an API token, in its own transaction after the view's commit. Only requests that wrote
to the database (or signed someone in) are recorded: a form sent back with its errors changed
nothing and is no action. Attendees (personal links) are not staff and are not recorded.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_login import current_user, user_logged_in
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..models import AuditEntry, User, Workshop

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WRITES = ("INSERT", "UPDATE", "DELETE")


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if has_request_context() and statement.lstrip()[:6].upper() in WRITES:
        g.audit_wrote = True


@event.listens_for(Engine, "rollback")
def _forget_writes(conn) -> None:
    """Rolled back, the writes did not happen."""
    if has_request_context():
        g.pop("audit_wrote", None)


@user_logged_in.connect
def _note_login(app, user) -> None:
    g.audit_wrote = True  # who signed in when belongs in the log, though it writes nothing


def init_app(app: Flask) -> None:
    app.after_request(record)


def acting_user() -> User | None:
    """The staff account behind this request: a signed-in browser, or an API token."""
    if request.path.startswith("/api/"):
        from ..auth.identity import staff_user
        from ..errors import ApiError

        try:
            return staff_user()
        except (ApiError, HTTPException):
            return None
    return current_user._get_current_object() if current_user.is_authenticated else None


def record(response: Response) -> Response:
    """Write this request's audit entry, if it was a staff change; never fail the request."""
    if request.method not in UNSAFE_METHODS or response.status_code >= 400 or not g.get("audit_wrote"):
        return response
    user = acting_user()
    if user is None:
        return response
    try:
        code = (request.view_args or {}).get("code")
        workshop_id = db.session.scalar(select(Workshop.id).where(Workshop.code == code)) if code else None
        db.session.add(AuditEntry(
            user_id=user.id, user_email=user.email, workshop_id=workshop_id, method=request.method,
            endpoint=(request.endpoint or "")[:100], path=request.path[:500],
            status=response.status_code,
        ))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("audit entry not written for %s %s", request.method, request.path,
                                   exc_info=True)
    return response
