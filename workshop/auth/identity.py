"""Who a request is from: a staff account (a Bearer token or a signed-in browser) or an
invitee (the token of their personal link, in a header or in the session the personal page
opened). The API authorizes with these; pages and the audit log read them too.

Each answer is worked out once per request and kept in the WSGI environ."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Request, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ApiError
from ..extensions import csrf
from ..models import Invitation, User
from ..ratelimit import invitation_key, lookup_name, request_invitation

if TYPE_CHECKING:
    from .services import ActingAccount

STAFF_ROLES = ("staff", "chair", "organizer")
# The hash of a Bearer token that a view reads with its own rows (`defer_staff_token`).
DEFERRED_BEARER = "workshop.deferred_bearer"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The invitee, known by the token of their personal link (CONTRACT.md "Attendee calls").
INVITATION_HEADER = "X-Invitation-Token"
# Where the personal page keeps its token, so that its scripts can call the API.
SESSION_INVITATION_KEY = "invitation_token"
T = TypeVar("T")


def is_bearer_call(incoming: Request) -> bool:
    """A call that names its staff account by a Bearer token: a script's, not a browser's."""
    return incoming.headers.get("Authorization", "")[:7].lower() == "bearer "


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except for a Bearer call: the token says who calls, so
    its session is empty from the start and never saved. Nothing a browser sent along (a
    session cookie, a remember cookie) is decoded, read (no sign-in loaded, no language
    chosen from it) or answered with a Set-Cookie or a `Vary: Cookie`."""

    def open_session(self, app, incoming):
        if is_bearer_call(incoming):
            return self.session_class()
        return super().open_session(app, incoming)

    def save_session(self, app, session, response) -> None:
        if not is_bearer_call(request):
            super().save_session(app, session, response)


def invalid_token() -> ApiError:
    """A Bearer token unknown or revoked (or its account inactive)."""
    return ApiError(401, "invalid_token", _("Mã truy cập API không hợp lệ hoặc đã bị thu hồi."))


def staff_user() -> User | ActingAccount | None:
    """The staff account behind this request: a Bearer token, or a signed-in browser (which
    must then prove with the CSRF header that an unsafe request came from our page). A Bearer
    token that is unknown or revoked is a 401."""
    if "workshop.staff_user" in request.environ:
        return request.environ["workshop.staff_user"]
    from .services import user_for_token

    request.environ.pop(DEFERRED_BEARER, None)  # asked for before the view read it: read now

    user = None
    if is_bearer_call(request):
        user = user_for_token(request.headers["Authorization"][7:].strip())
        if user is None:
            raise invalid_token()
    elif current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        user = current_user._get_current_object()
    request.environ["workshop.staff_user"] = user
    return user


def defer_staff_token() -> bool:
    """Leave the Bearer token of this call to be read by the view with its own rows (the API's
    scan reads the account in its door's statement: one round trip fewer for every scan), when
    the call has one and nobody has read it yet. The view then calls `settle_staff_token` with
    the account's columns (auth/services.py `token_account`) before anything else; until then
    `deferred_staff_token` is the token's hash, and `staff_user()` still reads it itself."""
    if "workshop.staff_user" in request.environ or not is_bearer_call(request):
        return False
    token = request.headers["Authorization"][7:].strip()
    if not token:
        return False  # staff_user()'s own 401
    from ..models import hash_token

    request.environ[DEFERRED_BEARER] = hash_token(token)
    return True


def deferred_staff_token() -> str | None:
    """The hash of this call's Bearer token while the view is to read it (defer_staff_token)."""
    return request.environ.get(DEFERRED_BEARER)


def settle_staff_token(row) -> ActingAccount:
    """The account the view read for the deferred token (auth/services.py `token_account`'s
    columns), kept as `staff_user()`'s answer: an ActingAccount, not an ORM entity (the view
    only authorizes and records with it). The same 401 as staff_user() when there is none (the
    token unknown or revoked, the account inactive)."""
    from .services import account_of_row

    request.environ.pop(DEFERRED_BEARER, None)
    user = account_of_row(row)
    if user is None:
        raise invalid_token()
    request.environ["workshop.staff_user"] = user
    return user


def invitation_token() -> str | None:
    """The token an attendee call carries: the header, else the one the personal page stored."""
    header = request.headers.get(INVITATION_HEADER)
    if header is not None:
        return header.strip()
    return session.get(SESSION_INVITATION_KEY)


def current_invitation(invitee: Callable[[str | None], T] | None = None) -> Invitation | T | None:
    """The invitation behind this request: `X-Invitation-Token`, or the browser session that
    the personal page opened (which must then send the CSRF header on unsafe methods, as a
    signed-in browser does). A header with an unknown token is a 401.

    `invitee` (a view's own lookup, `allow(..., invitee=)`) resolves the token to what that
    view needs of the invitation instead of the whole model: anything with its `id`, or None
    for an unknown token (the polled question list's reads its votes beside it)."""
    key = "workshop.invitation" if invitee is None else f"workshop.{lookup_name(invitee)}"
    if key in request.environ:
        return request.environ[key]
    invitation = None
    if INVITATION_HEADER in request.headers:
        invitation = request_invitation(invitation_token(), invitee)
        if invitation is None:
            raise ApiError(401, "invalid_invitation_token",
                           _("Đường link giấy mời không đúng hoặc không còn hiệu lực."))
    elif session.get(SESSION_INVITATION_KEY):
        invitation = request_invitation(session[SESSION_INVITATION_KEY], invitee)
        if invitation is not None and request.method not in SAFE_METHODS:
            csrf.protect()
    request.environ[key] = invitation
    return invitation


def attendee_holder(invitee: Callable[[str | None], Any] | None = None) -> str | None:
    """Whose rate-limit budget an attendee call spends: the valid invitation it carries, else
    None (then it counts against its address). Shares `current_invitation`'s lookup (the
    view's own `invitee`, if any), without its 401."""
    return invitation_key(request_invitation(invitation_token(), invitee))
