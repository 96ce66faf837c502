"""Rate limits of the calls that phones make (CONTRACT.md "Rate limits, precisely").

A hall of 300 phones shares the venue's one Wi-Fi address, so an attendee call is limited by the
invitation it carries, never by its address: each valid token has its own budget. Only calls
that carry no valid token (none, a mistyped or a guessed one) are counted per address, in a
bucket of their own, so that a flood of wrong tokens never eats into a valid token's budget. A
poll answered 304 costs almost nothing and counts against no limit. Staff calls are not limited.

The token is resolved to its invitation once per request (`request_invitation`): the limits
and the view share that answer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, request, session
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from .extensions import limiter
from .models import Invitation

# A rate, not a password. CONTRACT.md: at least 10 questions and 120 other calls a minute.
PER_TOKEN = "120 per minute"  # nosec B105
QUESTIONS_PER_TOKEN = "10 per minute"  # nosec B105
# Calls without a valid token, from one address: people who mistyped a link, or someone guessing.
PER_ADDRESS = "300 per minute"

T = TypeVar("T")


def once_per_request(kind: str, secret: str | None, lookup: Callable[[str | None], T]) -> T:
    """`lookup(secret)`, worked out once per request: the limits and the view share it."""
    found = request.environ.setdefault(f"workshop.{kind}_by_secret", {})
    if secret not in found:
        found[secret] = lookup(secret)
    return found[secret]


def request_invitation(token: str | None,
                       invitee: Callable[[str | None], T] | None = None) -> Invitation | T | None:
    """The invitation whose personal link carries `token`, looked up once per request: the
    model, or what a view's own lookup `invitee` makes of it (auth/identity.py)."""
    if invitee is not None:
        return once_per_request(lookup_name(invitee), token, invitee)
    from .invitations.services import find_by_token

    return once_per_request("invitation", token, find_by_token)


def hand_on(environ: dict, token: str, invitee: Callable[[str | None], T], found: T | None) -> None:
    """What `invitee(token)` gave before Flask (the poll gate's read, workshop/polls.py),
    handed on to the request it goes on to: `request_invitation(token, invitee)` then answers
    it without looking it up again."""
    environ.setdefault(f"workshop.{lookup_name(invitee)}_by_secret", {})[token] = found


def lookup_name(invitee: Callable) -> str:
    """What a view's own lookup of the invitation is known by in the request's environ."""
    return f"invitation.{invitee.__module__}.{invitee.__qualname__}"


def counted(response: Response) -> bool:
    """Whether a response counts against a limit: a 304 poll does not."""
    return response.status_code != 304


def too_many() -> str:
    return _("Có quá nhiều yêu cầu được gửi. Vui lòng thử lại sau ít phút.")


def holder_limits(
    scope: str,
    holder: Callable[[], str | None],
    *,
    per_holder: str = PER_TOKEN,
    per_address: str = PER_ADDRESS,
    methods: list[str] | None = None,
    exempt: Callable[[], bool] | None = None,
    error_message: Callable[[], str] = too_many,
) -> Callable[[Callable], Callable]:
    """Limit a view per holder of a valid secret, and per address only the calls with none.

    `holder()` names who the call is from ("invitation:42"), or None when it carries no valid
    token; `exempt()` says when the call is not limited at all (staff). Views decorated with the
    same `scope` share one budget per holder and one per address."""

    def skipped() -> bool:
        return bool(exempt and exempt())

    def by_holder() -> str:
        return holder() or ""

    per_token = limiter.shared_limit(
        per_holder, scope=f"{scope}-token", key_func=by_holder, methods=methods,
        exempt_when=lambda: skipped() or holder() is None, deduct_when=counted,
        error_message=error_message)
    per_addr = limiter.shared_limit(
        per_address, scope=f"{scope}-address", key_func=get_remote_address, methods=methods,
        exempt_when=lambda: skipped() or holder() is not None, deduct_when=counted,
        error_message=error_message)
    return lambda view: per_addr(per_token(view))


def question_limit(holder: Callable[[], str | None],
                   error_message: Callable[[], str] = too_many) -> Callable[[Callable], Callable]:
    """At most QUESTIONS_PER_TOKEN questions a minute per invitation, from the page and the API
    alike; a call without a valid token is left to the per-address limit of `holder_limits`."""
    return limiter.shared_limit(
        QUESTIONS_PER_TOKEN, scope="questions-asked", key_func=lambda: holder() or "",
        methods=["POST"], exempt_when=lambda: holder() is None, error_message=error_message)


def invitation_key(invitation: Invitation | Any | None) -> str | None:
    """The key of an invitation's budget (the model, or a view's own lookup of it with its
    `id`): its id, so the secret itself is never stored."""
    return f"invitation:{invitation.id}" if invitation is not None else None


def url_token_holder() -> str | None:
    """The holder of a page whose URL carries the personal link's token (/i/<token>/...)."""
    return invitation_key(request_invitation((request.view_args or {}).get("token")))


def session_holder(key: str) -> Callable[[], str | None]:
    """The holder of a page that knows the attendee by the token the personal page stored in
    the session under `key`."""
    return lambda: invitation_key(request_invitation(session.get(key)))


def attendee_page_limits(holder: Callable[[], str | None] = url_token_holder
                         ) -> Callable[[Callable], Callable]:
    """The limits of the attendee's pages under the personal link (/i/<token>, its pass,
    questions and feedback): they share one budget per link, and one per address for the calls
    without a valid one. `holder` for a page that reads the token's invitation its own way (the
    personal page's GET reads plain rows): it must name the same holder, `invitation_key`."""
    return holder_limits("attendee-pages", holder)


attendee_pages = attendee_page_limits()
