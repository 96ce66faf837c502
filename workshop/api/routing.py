"""How API endpoints are declared: one decorator that routes, authorizes and documents.

Every endpoint is described once, by `endpoint(...)`; the OpenAPI document is generated from
these declarations, so it cannot drift from what the API really serves.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select
from werkzeug.datastructures import MultiDict
from wtforms import Form

from ..extensions import csrf, db
from ..models import Invitation, User
from ..ratelimit import PER_TOKEN, holder_limits, invitation_key, request_invitation
from .errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")

STAFF_ROLES = ("staff", "chair", "organizer")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The invitee, known by the token of their personal link (CONTRACT.md "Attendee calls").
ATTENDEE = "attendee"
INVITATION_HEADER = "X-Invitation-Token"
# Where the personal page keeps its token, so that its scripts can call the API.
SESSION_INVITATION_KEY = "invitation_token"
# Attendee calls are limited per valid invitation token, never per address while they carry
# one (CONTRACT.md "Rate limits, precisely"; the rule lives in workshop/ratelimit.py).
ATTENDEE_LIMIT_PER_TOKEN = PER_TOKEN


@dataclass
class Endpoint:
    rule: str
    method: str
    who: tuple[str, ...]
    summary: str
    body: type[Form] | None
    description: str | None
    responses: dict[int, str] = field(default_factory=dict)


ENDPOINTS: list[Endpoint] = []


def endpoint(
    rule: str,
    method: str,
    *,
    who: str | tuple[str, ...],
    summary: str,
    body: type[Form] | None = None,
    responses: dict[int, str] | None = None,
) -> Callable:
    """Route `method rule` on the API blueprint for the roles in `who`.

    `who` names the least staff role allowed ("staff" means staff, chair and organizer;
    "chair" means chair and organizer), and/or "attendee": the invitee, by the token of their
    personal link. `who=("attendee", "staff")` lets both in; the view tells them apart with
    `current_invitation()`. Attendee calls get per-token limits instead of the blueprint's.
    """
    roles = (who,) if isinstance(who, str) else tuple(who)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(**kwargs: Any):
            authorize(roles)
            return view(**kwargs)

        if ATTENDEE in roles:
            wrapped = _attendee_limits(roles)(wrapped)
        bp.add_url_rule(rule, view.__name__, wrapped, methods=[method])
        ENDPOINTS.append(
            Endpoint(rule, method, roles, summary, body, view.__doc__, dict(responses or {}))
        )
        return wrapped

    return decorator


def staff_user() -> User | None:
    """The staff account behind this request: a Bearer token, or a signed-in browser."""
    if "workshop.api_user" in request.environ:
        return request.environ["workshop.api_user"]
    from ..auth.services import user_for_token

    user = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(header[7:].strip())
        if user is None:
            raise ApiError(401, "invalid_token", _("Mã truy cập API không hợp lệ hoặc đã bị thu hồi."))
    elif current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()  # a browser session must prove the request came from our page
        user = current_user._get_current_object()
    request.environ["workshop.api_user"] = user  # worked out once per request
    return user


def _invitation_token() -> str | None:
    """The token an attendee call carries: the header, else the one the personal page stored."""
    header = request.headers.get(INVITATION_HEADER)
    if header is not None:
        return header.strip()
    return session.get(SESSION_INVITATION_KEY)


def current_invitation() -> Invitation | None:
    """The invitation behind this request: `X-Invitation-Token`, or the browser session that
    the personal page opened (which must then send the CSRF header on unsafe methods, as a
    signed-in browser does). A header with an unknown token is a 401."""
    if "workshop.api_invitation" in request.environ:
        return request.environ["workshop.api_invitation"]
    invitation = None
    if INVITATION_HEADER in request.headers:
        invitation = request_invitation(_invitation_token())
        if invitation is None:
            raise ApiError(401, "invalid_invitation_token",
                           _("Đường link giấy mời không đúng hoặc không còn hiệu lực."))
    elif session.get(SESSION_INVITATION_KEY):
        invitation = request_invitation(session[SESSION_INVITATION_KEY])
        if invitation is not None and request.method not in SAFE_METHODS:
            csrf.protect()
    request.environ["workshop.api_invitation"] = invitation  # worked out once per request
    return invitation


def _attendee_first(roles: tuple[str, ...]) -> bool:
    """Whether this call is the invitee's: always when staff are not allowed; otherwise when it
    carries the invitation header, or no staff credential (Bearer token, signed-in browser)."""
    if not any(role in STAFF_ROLES for role in roles):
        return True
    if INVITATION_HEADER in request.headers:
        return True
    return not (request.headers.get("Authorization") or current_user.is_authenticated)


def attendee_holder() -> str | None:
    """Whose budget an attendee call spends: the valid invitation it carries, else None (then
    it counts against its address). Shares `current_invitation`'s lookup, without its 401."""
    return invitation_key(request_invitation(_invitation_token()))


def _attendee_limits(roles: tuple[str, ...]) -> Callable[[Callable], Callable]:
    """The attendee calls of an endpoint are limited per valid token, the others per address;
    staff calls to an endpoint open to both are not limited (CONTRACT.md)."""
    return holder_limits("attendee-api", attendee_holder,
                         exempt=lambda: not _attendee_first(roles))


def authorize(roles: tuple[str, ...]) -> None:
    staff_roles = [role for role in roles if role in STAFF_ROLES]
    if ATTENDEE in roles and _attendee_first(roles):
        if current_invitation() is not None:
            return
        if not staff_roles and staff_user() is None:
            raise ApiError(401, "unauthorized",
                           _("Cần mã giấy mời: hãy mở đường link cá nhân trong giấy mời."))
    user = staff_user()
    if user is None:
        raise ApiError(401, "unauthorized", _("Cần đăng nhập hoặc mã truy cập API."))
    if not any(user.has_role(role) for role in staff_roles):
        raise ApiError(403, "forbidden", _("Tài khoản của bạn không có quyền thực hiện thao tác này."))


def json_form(form_class: type[Form]) -> Form:
    """Validate a JSON object with the same WTForms form that the pages use.

    Raises a 422 listing every field in error, in the user's language.
    """
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", _("Nội dung gửi lên phải là một đối tượng JSON."))
    formdata, problems = MultiDict(), {}
    for key, value in payload.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None or item is False:
                continue  # absent, as an unticked box or an empty field is in a page form
            problem = unstorable(item)
            if problem:
                problems.setdefault(key, []).append(problem)
            formdata.add(key, "y" if item is True else str(item))
    if problems:
        raise validation_error(problems)
    form = form_class(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise validation_error(form.errors)
    return form


# Ids are 32-bit in PostgreSQL; no number this API takes comes near it.
LARGEST_NUMBER = 2**31 - 1


def unstorable(value: object) -> str | None:
    """Why a JSON value can never be stored (a number past any id, a NUL character, which
    PostgreSQL text refuses), else None; checked before any form or service sees it."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > LARGEST_NUMBER:
        return _("Số quá lớn.")
    if isinstance(value, str) and "\x00" in value:
        return _("Có ký tự không hợp lệ (NUL).")
    if isinstance(value, dict | list):
        return _("Giá trị không đúng kiểu.")
    return None


def validation_error(errors: dict[str, list[str]]) -> ApiError:
    problems = [
        {"field": name, "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]
    return ApiError(422, "invalid", _("Dữ liệu không hợp lệ."), fields=problems)


def page_args() -> tuple[int, int]:
    """`limit` (default 100, at most 1000) and `offset` of a list call."""
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ApiError(
            422, "invalid", _("limit và offset phải là số nguyên."),
            fields=[{"field": "limit", "message": _("Phải là số nguyên.")}],
        ) from None
    return max(1, min(limit, 1000)), max(0, offset)


def paginate(statement: Select, serialize: Callable[[Any], dict]) -> dict:
    """The contract's list answer: {"items": [...], "total": N}."""
    limit, offset = page_args()
    total = db.session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = db.session.scalars(statement.limit(limit).offset(offset))
    return {"items": [serialize(row) for row in rows], "total": total}
