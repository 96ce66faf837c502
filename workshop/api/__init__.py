"""The JSON API under /api/v1 (CONTRACT.md). Each module declares its endpoints with
`routing.endpoint`, which authorizes and documents them in one place."""
from flask_babel import gettext as _

from ..extensions import limiter
from . import errors
from .routing import bp, staff_user

bp.register_error_handler(errors.ApiError, errors.handle_api_error)


def _is_staff_call() -> bool:
    """Staff calls are not rate limited (CONTRACT.md)."""
    try:
        return staff_user() is not None
    except errors.ApiError:
        return False


limiter.limit(
    "120 per minute",
    exempt_when=_is_staff_call,
    error_message=lambda: _("Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
)(bp)

# The route modules register their endpoints on import.
from . import (  # noqa: E402,F401
    checkins,
    documents,
    exports,
    feedback,
    invitations,
    openapi,
    organizations,
    outbox,
    questions,
    summary,
    tasks,
    workshops,
)
