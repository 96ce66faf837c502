"""All models, imported in one place so that Alembic and every feature see the same metadata."""
from .checkins import CHECKIN_RESULTS, CheckIn, CheckInAttempt
from .invitations import INVITATION_STATUSES, STATUS_LABELS, Invitation
from .organizations import KIND_LABELS, ORGANIZATION_KINDS, Organization
from .outbox import OUTBOX_STATUSES, OutboxMessage
from .users import ROLE_LABELS, ROLE_RANK, ROLES, ApiToken, User, hash_token
from .workshops import Workshop, WorkshopSession

__all__ = [
    "INVITATION_STATUSES",
    "OUTBOX_STATUSES",
    "STATUS_LABELS",
    "CHECKIN_RESULTS",
    "CheckIn",
    "CheckInAttempt",
    "Invitation",
    "OutboxMessage",
    "KIND_LABELS",
    "ORGANIZATION_KINDS",
    "ROLES",
    "ROLE_LABELS",
    "ROLE_RANK",
    "ApiToken",
    "Organization",
    "User",
    "Workshop",
    "WorkshopSession",
    "hash_token",
]
