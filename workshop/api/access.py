"""The API blueprint and what every call goes through: who may call (`allow`), how a body is
read (`JsonParser`), and the contract's errors (the handlers registered on the blueprint)."""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..auth.identity import (
    INVITATION_HEADER,
    STAFF_ROLES,
    attendee_holder,
    current_invitation,
    defer_staff_token,
    settle_staff_token,
    staff_user,
)
from ..auth.rights import guard
from ..auth.services import ActingAccount
from ..errors import ApiError, handle_api_error, json_error, validation_error
from ..extensions import db
from ..fields import DEEP_JSON
from ..models import ROLE_RANK
from ..ratelimit import holder_limits
from ..tasks.identity import current_task, task_api_limits

# The invitee, known by the token of their personal link (CONTRACT.md "Attendee calls").
ATTENDEE = "attendee"
# The agency, known by the secret of a task link in `X-Task-Token` (workshop/tasks/identity.py).
AGENCY = "agency"


class JsonParser(FlaskParser):
    """Bodies as the contract has them: a JSON object, else a 400 `invalid_json`; every field
    in error listed in one 422 `invalid`."""

    def load_json(self, req, schema):
        if getattr(schema, "optional_body", False) and not req.get_data(cache=True).strip():
            return {}
        try:
            payload = req.get_json(silent=True)
        except RecursionError:
            raise ApiError(400, "invalid_json", str(DEEP_JSON)) from None
        if not isinstance(payload, dict):
            raise ApiError(400, "invalid_json", _("Nội dung gửi lên phải là một đối tượng JSON."))
        return payload

    def handle_error(self, error: ValidationError, req, schema, *, error_status_code, error_headers):
        messages = error.messages
        if isinstance(messages, Mapping) and len(messages) == 1:
            messages = next(iter(messages.values()))  # webargs files them under their location
        raise validation_error(_flatten(messages)) from None


def _flatten(messages: Any, name: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages ({"ids": {0: ["…"]}}) as one list per top field."""
    found: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            field = name or str(key)
            for problem_field, problems in _flatten(value, field).items():
                found.setdefault(problem_field, []).extend(problems)
    elif isinstance(messages, list | tuple):
        for item in messages:
            for problem_field, problems in _flatten(item, name).items():
                found.setdefault(problem_field, []).extend(problems)
    else:
        found.setdefault(name or "_body", []).append(str(messages))
    return found


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonParser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                  description="Workshop API (CONTRACT.md)")
bp.register_error_handler(ApiError, handle_api_error)


# --- who may call -----------------------------------------------------------------------------


def _attendee_first(roles: tuple[str, ...]) -> bool:
    """Whether this call is the invitee's: always when staff are not allowed; otherwise when it
    carries the invitation header, or no staff credential (Bearer token, signed-in browser)."""
    if not any(role in STAFF_ROLES for role in roles):
        return True
    if INVITATION_HEADER in request.headers:
        return True
    return not (request.headers.get("Authorization") or current_user.is_authenticated)


def authorize(roles: tuple[str, ...], view_args: Mapping[str, Any] | None = None,
              invitee: Callable[[str | None], Any] | None = None) -> None:
    if roles == (AGENCY,):
        if current_task() is None:
            raise ApiError(401, "invalid_task_token",
                           _("Đường link nhiệm vụ không đúng hoặc không còn hiệu lực."))
        return
    staff_roles = [role for role in roles if role in STAFF_ROLES]
    if ATTENDEE in roles and _attendee_first(roles):
        if current_invitation(invitee) is not None:
            return
        if not staff_roles and staff_user() is None:
            raise ApiError(401, "unauthorized",
                           _("Cần mã giấy mời: hãy mở đường link cá nhân trong giấy mời."))
    user = staff_user()
    if user is None:
        raise ApiError(401, "unauthorized", _("Cần đăng nhập hoặc mã truy cập API."))
    held = [role for role in staff_roles if user.has_role(role)]
    if not held:
        raise ApiError(403, "forbidden", _("Tài khoản không có quyền thực hiện thao tác này."))
    # The workshop the call names, once the role is known: the lowest role the call accepts
    # is the one the account's team must give it there.
    guard(user, min(held, key=ROLE_RANK.__getitem__), view_args or {})


# What `admit` checks once the view has read the deferred token: the roles and the route's
# arguments, as `authorize` has them.
ADMIT_KEY = "workshop.admit"


def admit(row) -> ActingAccount:
    """For a view of `allow(..., token_read_by_view=True)`: the account it read with its own
    rows for the call's Bearer token (auth/services.py `token_account`'s columns), authorized
    as `authorize` does it (the same 401, 403 and team refusals); the account that acts."""
    roles, view_args = request.environ.pop(ADMIT_KEY)
    settle_staff_token(row)
    authorize(roles, view_args)
    return staff_user()


def _unadmitted(roles: tuple[str, ...], view_args: Mapping[str, Any]) -> None:
    """The view stopped before it admitted the caller (a refused body, an error): the caller
    is authorized now, so that who calls is still answered before what they sent."""
    if request.environ.pop(ADMIT_KEY, None) is not None:
        authorize(roles, view_args)  # staff_user() reads the token itself


def allow(*roles: str, invitee: Callable[[str | None], Any] | None = None,
          token_read_by_view: bool = False) -> Callable[[Callable], Callable]:
    """Let in the roles named: "staff" means staff, chair and organizer; "chair" means chair
    and organizer; "attendee" the invitee, by the token of their personal link. With both, the
    view tells them apart with `current_invitation()`. Attendee calls are limited per token
    instead of by the blueprint's limit.

    `invitee`: how this view resolves the invitation token, when it needs less than the model
    (or more beside it) and is called often enough for the difference to count: the check, the
    rate limit and the view then share that one lookup, `current_invitation(invitee)`.

    Put it above `@bp.arguments`: who calls is checked before what they sent.

    `token_read_by_view`: a Bearer token is not read here but by the view, with its own first
    statement (`deferred_staff_token()` is its hash), whose account the view gives to `admit`
    before anything else: one round trip fewer (the API's scan). Any error raised before
    (a refused body included) is preceded by the usual authorization, so every answer stays
    what it is without the deferral."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not (token_read_by_view and defer_staff_token()):
                authorize(roles, kwargs, invitee)
                return view(*args, **kwargs)
            request.environ[ADMIT_KEY] = (roles, kwargs)
            try:
                answer = view(*args, **kwargs)
            except Exception:
                _unadmitted(roles, kwargs)
                raise
            _unadmitted(roles, kwargs)  # a view that never admitted: never without a caller
            return answer

        if ATTENDEE in roles:
            wrapped = holder_limits("attendee-api", functools.partial(attendee_holder, invitee),
                                    exempt=lambda: not _attendee_first(roles))(wrapped)
        if AGENCY in roles:
            wrapped = task_api_limits(wrapped)
        security = []
        if any(role in STAFF_ROLES for role in roles):
            security.append({"bearerAuth": []})
        if ATTENDEE in roles:
            security.append({"invitationToken": []})
        if AGENCY in roles:
            security.append({"taskToken": []})
        documented = bp.doc(security=security, **{"x-roles": list(roles)})(wrapped)
        documented.roles = roles
        return documented

    return decorator


def refuses(responses: Mapping[int, str]) -> Callable[[Callable], Callable]:
    """Document the refusals a view answers besides the ones every call may get: each with the
    contract's error shape."""
    from ..schemas import ErrorSchema

    def decorator(view: Callable) -> Callable:
        for status, description in responses.items():
            view = bp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view

    return decorator


# --- errors -----------------------------------------------------------------------------------

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


CALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def no_such_call(unknown: str):
    """Any other path or method under /api/v1: routed here so that the API blueprint answers
    it with the contract's error (404, or 405 naming the methods the path has)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set()
    for method in CALL_METHODS:
        try:
            endpoint, _args = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api.no_such_call":
            allowed.add(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed))
    raise NotFound()


# Flask's own add_url_rule: not a call of the API, so not in its document.
FlaskBlueprint.add_url_rule(bp, "/<path:unknown>", "no_such_call", no_such_call, methods=CALL_METHODS)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    from ..core import http_message

    body, status = json_error(error.code or 500, HTTP_CODES.get(error.code or 500, "error"),
                              http_message(error))
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        body.headers["Allow"] = ", ".join(error.valid_methods)
    return body, status


@bp.errorhandler(DataError)
@bp.errorhandler(OverflowError)
def value_out_of_range(error: Exception):
    """The last guard: a value the database cannot hold is refused, nothing is written."""
    db.session.rollback()
    return json_error(422, "invalid", _("Có giá trị vượt quá giới hạn cho phép. Không có gì thay đổi."))


@bp.errorhandler(OperationalError)
def database_unavailable(error: OperationalError):
    db.session.rollback()
    current_app.logger.error("database unavailable: %s", error)
    return json_error(503, "unavailable", _(
        "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."))
