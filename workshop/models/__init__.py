"""All models, imported in one place so that Alembic and every feature see the same metadata."""
from .audit import AuditEntry
from .checkins import CHECKIN_RESULTS, CheckIn, CheckInAttempt
from .feedback import (
    CATEGORY_LABELS,
    FEEDBACK_CATEGORIES,
    Contribution,
    Feedback,
    SummaryVersion,
)
from .invitations import INVITATION_STATUSES, STATUS_LABELS, Invitation
from .organizations import KIND_LABELS, ORGANIZATION_KINDS, Organization
from .outbox import OUTBOX_STATUSES, OutboxMessage
from .questions import (
    MAX_QUESTION_LENGTH,
    QUESTION_STATUS_LABELS,
    QUESTION_STATUSES,
    Question,
    QuestionVote,
)
from .users import ROLE_LABELS, ROLE_RANK, ROLES, ApiToken, Login, User, hash_token
from .workshops import Workshop, WorkshopSession

__all__ = [
    "AuditEntry",
    "CATEGORY_LABELS",
    "FEEDBACK_CATEGORIES",
    "MAX_QUESTION_LENGTH",
    "QUESTION_STATUSES",
    "QUESTION_STATUS_LABELS",
    "Contribution",
    "Feedback",
    "Question",
    "QuestionVote",
    "SummaryVersion",
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
    "Login",
    "Organization",
    "User",
    "Workshop",
    "WorkshopSession",
    "hash_token",
]
