"""All models, imported in one place so that Alembic and every feature see the same metadata."""
from .audit import AuditEntry
from .checkins import CHECKIN_RESULTS, CheckIn, CheckInAttempt
from .door import DoorGroup
from .feedback import (
    CATEGORY_LABELS,
    FEEDBACK_CATEGORIES,
    Contribution,
    Feedback,
    SummaryVersion,
)
from .invitations import (
    ANSWERED_STATUSES,
    DEPUTY_STATE_LABELS,
    DEPUTY_STATES,
    EXPECTED_STATUSES,
    INVITATION_STATUSES,
    NOMINATION_STATES,
    SALUTATIONS,
    STATUS_LABELS,
    STATUS_ORDER,
    UNANSWERED_STATUSES,
    AtTheDoor,
    DeputyNomination,
    Invitation,
)
from .minutes import MINUTES_STATUSES, ConclusionItem, ConclusionNotice, Minutes
from .organizations import KIND_LABELS, ORGANIZATION_KINDS, Organization
from .outbox import ERROR_REASONS, OUTBOX_STATUSES, OutboxHeartbeat, OutboxMessage
from .questions import (
    MAX_QUESTION_LENGTH,
    QUESTION_STATUS_LABELS,
    QUESTION_STATUSES,
    Question,
    QuestionVote,
)
from .tasks import TASK_STATES, TASK_STATUS_LABELS, TASK_STATUSES, Task, TaskReport, new_task_token
from .users import ROLE_LABELS, ROLE_RANK, ROLES, TEAM_ROLES, ApiToken, Login, TeamMember, User, hash_token
from .workshops import Workshop, WorkshopSession

__all__ = [
    "DEPUTY_STATE_LABELS",
    "DEPUTY_STATES",
    "NOMINATION_STATES",
    "DeputyNomination",
    "AuditEntry",
    "DoorGroup",
    "CATEGORY_LABELS",
    "FEEDBACK_CATEGORIES",
    "MAX_QUESTION_LENGTH",
    "QUESTION_STATUSES",
    "QUESTION_STATUS_LABELS",
    "Contribution",
    "ConclusionItem",
    "ConclusionNotice",
    "MINUTES_STATUSES",
    "Minutes",
    "Feedback",
    "Question",
    "QuestionVote",
    "SummaryVersion",
    "INVITATION_STATUSES",
    "SALUTATIONS",
    "ANSWERED_STATUSES",
    "EXPECTED_STATUSES",
    "UNANSWERED_STATUSES",
    "OUTBOX_STATUSES",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "CHECKIN_RESULTS",
    "CheckIn",
    "CheckInAttempt",
    "AtTheDoor",
    "Invitation",
    "OutboxMessage",
    "OutboxHeartbeat",
    "ERROR_REASONS",
    "KIND_LABELS",
    "ORGANIZATION_KINDS",
    "ROLES",
    "ROLE_LABELS",
    "ROLE_RANK",
    "ApiToken",
    "Login",
    "Organization",
    "TEAM_ROLES",
    "TeamMember",
    "User",
    "Workshop",
    "WorkshopSession",
    "hash_token",
    "TASK_STATES",
    "TASK_STATUSES",
    "TASK_STATUS_LABELS",
    "Task",
    "TaskReport",
    "new_task_token",
]
