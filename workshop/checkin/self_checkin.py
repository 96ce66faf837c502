"""Self check-in at the door: an attendee's own phone, the personal link it opened, and the
secret of the poster at the door (derived, never stored), on the workshop's day(s) only."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, datetime, timedelta

from flask import current_app

from ..invitations.services import find_by_token
from ..models import Invitation, Workshop
from ..phases import has_ended
from ..timeutil import as_local, utcnow
from .services import ScanAnswer, check_in


def self_check_in_open(workshop: Workshop, now: datetime | None = None) -> bool:
    """Self check-in opens on the workshop's day(s) only, in Vietnam dates, and closes when the
    workshop ends: the poster's link cannot check anybody in from home the week before."""
    now = now or utcnow()
    today = as_local(now).date()
    first = as_local(workshop.starts_at).date()
    return (first <= today <= as_local(workshop.ends_at or workshop.starts_at).date()
            and not has_ended(workshop, now))


def session_invitation(workshop: Workshop, token: str | None) -> Invitation | None:
    """The invitation of this workshop behind the personal-link token this browser opened."""
    invitation = find_by_token(token)
    return invitation if invitation and invitation.workshop_id == workshop.id else None


# The venue poster's secret: derived, never stored. A poster shown on a screen at the door
# carries the secret of the current 10-minute window (the current and the previous one are
# accepted, so that a phone that scanned just before the change still gets in); a printed
# poster carries the secret of its day, accepted on that day only.
DOOR_WINDOW_SECONDS = 600


def _door_mac(workshop: Workshop, label: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"door:{workshop.id}:{label}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def door_window(now: datetime | None = None) -> int:
    return int((now or utcnow()).timestamp()) // DOOR_WINDOW_SECONDS


def screen_secret(workshop: Workshop, now: datetime | None = None) -> str:
    """The secret of the poster on a screen at the door, for the current window."""
    return "s" + _door_mac(workshop, f"screen:{door_window(now)}")


def day_secret(workshop: Workshop, day: date) -> str:
    """The secret of a printed poster, valid on `day` (a Vietnam date) only."""
    return "d" + _door_mac(workshop, f"day:{day.isoformat()}")


def workshop_days(workshop: Workshop) -> list[date]:
    """The workshop's day(s), in Vietnam dates."""
    first = as_local(workshop.starts_at).date()
    last = max(first, as_local(workshop.ends_at or workshop.starts_at).date())
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def door_secret_valid(workshop: Workshop, secret: str | None, now: datetime | None = None) -> bool:
    """Whether `secret` is the poster's: the screen's current or previous window, or the
    printed poster of today."""
    if not secret or len(secret) > 32:
        return False
    now = now or utcnow()
    window = door_window(now)
    candidates = [
        "s" + _door_mac(workshop, f"screen:{window}"),
        "s" + _door_mac(workshop, f"screen:{window - 1}"),
        day_secret(workshop, as_local(now).date()),
    ]
    return any(hmac.compare_digest(secret, candidate) for candidate in candidates)


def self_check_in(workshop: Workshop, invitation: Invitation | None, secret: str | None, *,
                  client_id: str | None = None, now: datetime | None = None) -> ScanAnswer:
    """An attendee checks in at the door with their own phone: only the invitation whose
    personal link this browser opened (never a typed code), only with the secret of the
    poster at the door. `closed` outside the day(s) or once the workshop has ended,
    `not_at_door` without a valid secret, `no_invitation` without a personal link."""
    now = now or utcnow()
    if not self_check_in_open(workshop, now):
        return ScanAnswer("closed")
    if not door_secret_valid(workshop, secret, now):
        return ScanAnswer("not_at_door")
    if invitation is None or invitation.workshop_id != workshop.id:
        return ScanAnswer("no_invitation")
    return check_in(workshop, invitation.token, client_id=client_id, method="self", now=now)
