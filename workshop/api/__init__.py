"""The JSON API under /api/v1 (CONTRACT.md), on flask-smorest: each view declares its body and
query schemas (`@bp.arguments`), its answers (`@bp.response`, `@bp.alt_response`) and who may
call it (`@allow`); the OpenAPI document at /api/v1/openapi.json is generated from them.

The API is a layer on top: it imports the features' services and schemas, and nothing but the
app factory imports it."""
from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_babel import gettext as _
from flask_smorest import Api

from ..auth.identity import staff_user
from ..errors import ApiError
from ..extensions import csrf, limiter
from ..schemas import ErrorSchema
from .access import bp

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer"},
    "invitationToken": {"type": "apiKey", "in": "header", "name": "X-Invitation-Token"},
    "taskToken": {"type": "apiKey", "in": "header", "name": "X-Task-Token"},
}


class WorkshopApi(Api):
    """flask-smorest, with the contract's errors answered by the API blueprint's own handlers
    (access.py) instead of an app-wide handler that would answer the pages' errors too."""

    ERROR_SCHEMA = ErrorSchema  # documents every refusal with the contract's shape

    def _register_error_handlers(self) -> None:
        pass


def _is_staff_call() -> bool:
    """Staff calls are not rate limited (CONTRACT.md)."""
    try:
        return staff_user() is not None
    except ApiError:
        return False


limiter.limit(
    "120 per minute",
    exempt_when=_is_staff_call,
    error_message=lambda: _("Có quá nhiều yêu cầu được gửi. Vui lòng thử lại sau ít phút."),
)(bp)

# The route modules register their endpoints on import.
from . import (  # noqa: E402,F401
    checkins,
    documents,
    exports,
    feedback,
    invitations,
    organizations,
    outbox,
    questions,
    roster,
    seating,
    summary,
    tasks,
    team,
    workshops,
)


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Workshop API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {"servers": [{"url": "/"}]})
    # Schemas inline, not as components: each operation of the document reads on its own.
    api = WorkshopApi(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=lambda schema: None)})
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    api.register_blueprint(bp)
    csrf.exempt(bp)  # the API checks CSRF itself when a browser session authenticates
