"""Role checks for pages."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort
from flask_login import current_user, login_required

from .rights import guard


def role_required(minimum: str) -> Callable:
    """Signed in with at least `minimum` (staff < chair < organizer), and allowed on the
    workshop the route names (auth/rights.py); else login or 403."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(minimum):
                abort(403)
            guard(current_user, minimum, kwargs)
            return view(*args, **kwargs)

        return wrapped

    return decorator
