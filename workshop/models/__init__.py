"""All models, imported in one place so that Alembic and every feature see the same metadata."""
from .organizations import KIND_LABELS, ORGANIZATION_KINDS, Organization
from .users import ROLE_LABELS, ROLE_RANK, ROLES, ApiToken, User, hash_token
from .workshops import Workshop, WorkshopSession

__all__ = [
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
