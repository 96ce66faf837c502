"""How API endpoints are declared: one decorator that routes, authorizes and documents.

Every endpoint is described once, by `endpoint(...)`; the OpenAPI document is generated from
these declarations, so it cannot drift from what the API really serves.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, Form, SelectMultipleField
from wtforms.fields.core import UnboundField

from ..extensions import csrf, db
from ..fields import DEEP_JSON
from ..models import Invitation, User
from ..ratelimit import PER_TOKEN, holder_limits, invitation_key, request_invitation
from ..tasks.identity import current_task, task_api_limits
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
# The agency, known by the secret of a task link in `X-Task-Token` (workshop/tasks/identity.py).
AGENCY = "agency"


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
    `who="agency"`: only the holder of a task link, by `X-Task-Token` (`current_task()`),
    limited per link as attendees are.
    """
    roles = (who,) if isinstance(who, str) else tuple(who)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(**kwargs: Any):
            authorize(roles)
            return view(**kwargs)

        if ATTENDEE in roles:
            wrapped = _attendee_limits(roles)(wrapped)
        if AGENCY in roles:
            wrapped = task_api_limits(wrapped)
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
    if roles == (AGENCY,):
        if current_task() is None:
            raise ApiError(401, "invalid_task_token",
                           _("Đường link nhiệm vụ không đúng hoặc không còn hiệu lực."))
        return
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


def json_form(form_class: type[Form], base: dict[str, Any] | None = None) -> Form:
    """Validate a JSON object with the same WTForms form that the pages use.

    Each value must have its field's JSON type (CONTRACT.md "Text input"): true/false only for
    a boolean field, which takes nothing else; a list only for a field that takes several
    values. Raises a 422 listing every field in error, in the user's language. `base` (a
    PATCH) holds the values of the fields the object leaves out.
    """
    payload = _json_payload()
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", _("Nội dung gửi lên phải là một đối tượng JSON."))
    if base is not None:
        payload = {**base, **payload}
    kinds = _field_classes(form_class)
    formdata, problems = MultiDict(), {}
    for key, value in payload.items():
        problem = _wrong_type(kinds.get(key), value)
        if problem:
            problems.setdefault(key, []).append(problem)
            continue
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


def _json_payload() -> Any:
    """The request's JSON, or None when it is not JSON; JSON nested too deep for the parser is
    a 400 of its own rather than a RecursionError."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "invalid_json", str(DEEP_JSON)) from None


def _field_classes(form_class: type[Form]) -> dict[str, type[Field]]:
    """The field class behind each name of a form, without building the form."""
    return {name: unbound.field_class for name in dir(form_class)
            if isinstance(unbound := getattr(form_class, name, None), UnboundField)}


def _takes_list(kind: type[Field]) -> bool:
    return issubclass(kind, SelectMultipleField) or getattr(kind, "takes_list", False)


def _wrong_type(kind: type[Field] | None, value: object) -> str | None:
    """Why `value` is not of the JSON type of a field of class `kind` (None: not a field of the
    form, ignored as before), else None."""
    if kind is None or value is None:
        return None
    if issubclass(kind, BooleanField):
        return None if isinstance(value, bool) else _("Phải là true hoặc false.")
    if isinstance(value, bool):
        return _("Giá trị không đúng kiểu.")
    if isinstance(value, list):
        if not _takes_list(kind):
            return _("Trường này chỉ nhận một giá trị, không nhận danh sách.")
        if any(isinstance(item, bool | list | dict) for item in value):
            return _("Giá trị không đúng kiểu.")
    return None


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
    """`limit` (default 100, at least 1, at most 1000) and `offset` (at least 0) of a list
    call; a limit above 1000 is taken as 1000."""
    problems = []
    values = {}
    for name, default, least in (("limit", 100, 1), ("offset", 0, 0)):
        try:
            values[name] = int(request.args.get(name, default))
        except ValueError:
            problems.append({"field": name, "message": _("Phải là số nguyên.")})
            continue
        if values[name] < least:
            problems.append({"field": name, "message": _("Phải là số nguyên từ %(least)d trở lên.",
                                                         least=least)})
    if problems:
        raise ApiError(422, "invalid", _("limit hoặc offset không hợp lệ."), fields=problems)
    return min(values["limit"], 1000), values["offset"]


def choice_arg(name: str, values: Iterable[str], *, many: bool = False) -> Any:
    """The query argument `name`, one of `values` (or, `many`, a comma-separated tuple of them);
    None when absent or empty; anything else is a 422 naming it (CONTRACT.md "Text input")."""
    text = request.args.get(name)
    if not text:
        return None
    values = tuple(values)
    given = tuple(part.strip() for part in text.split(",")) if many else (text,)
    if any(value not in values for value in given):
        raise validation_error({name: [_("Phải là một trong: %(values)s.", values=", ".join(values))]})
    return given if many else text


def int_arg(name: str) -> int | None:
    """The query argument `name` as a whole number from 1 (an id); None when absent."""
    text = request.args.get(name)
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= LARGEST_NUMBER:
        raise validation_error({name: [_("Phải là số nguyên dương.")]})
    return int(text)


def paginate(statement: Select, serialize: Callable[[Any], dict]) -> dict:
    """The contract's list answer: {"items": [...], "total": N}."""
    limit, offset = page_args()
    total = db.session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = db.session.scalars(statement.limit(limit).offset(offset))
    return {"items": [serialize(row) for row in rows], "total": total}
