"""Invitations: finding them, and what the other modules of the feature share. Choosing invitees
and numbering their letters are in `inviting.py`, the invitee's answer in `rsvp.py`, the
organizer's tracking in `tracking.py`, the text sent by Zalo or SMS in `sharing.py`.

Every invitation names one person and carries its own random tokens (see the model); its
`letter_number` is the "Số: N/GM-…" of the official letter, unique within its workshop.
"""
from __future__ import annotations

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import joinedload, selectinload

from ..collation import invitation_key
from ..extensions import db
from ..models import (
    STATUS_ORDER,
    UNANSWERED_STATUSES,
    Invitation,
    Organization,
    SummaryVersion,
    Workshop,
)
from ..statements import built_once
from ..text import fold

# A filter of the tracking page besides the five states: every invitation not answered yet.
UNANSWERED_FILTER = "unanswered"
STATUS_FILTERS = (UNANSWERED_FILTER, *STATUS_ORDER)


class InvitationError(ValueError):
    """A refused action or input, with its message; `errors` names the fields at fault."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class AnswerClosed(InvitationError):
    """An answer after the RSVP deadline: the workshop's state refuses it, not the input."""


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- finding ------------------------------------------------------------------------------


def find_by_token(token: str | None) -> Invitation | None:
    """The invitation whose personal link carries `token`, else None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(_by_token(), {"token": token})


@built_once
def _by_token():
    """Built once: every poll of a phone's list that changed runs it (a bound token)."""
    # With its workshop: nearly every caller reads it next (a poll of the list, the pages).
    return (select(Invitation).options(joinedload(Invitation.workshop))
            .where(Invitation.token == bindparam("token")))


def find_for_personal_page(token: str | None) -> Invitation | None:
    """The invitation of a personal link with everything its page shows, in one statement: the
    workshop with its host agency, agenda and whether a summary is published; the invitee's
    agency, check-in and deputy nominations. The model, for the answer sent from the page (which
    changes it, then shows the page again when refused); the page's GET reads the same as plain
    rows (page.personal_page)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(_personal_page_statement(), {"token": token}).unique().one_or_none()


@built_once
def _personal_page_statement() -> Select:
    # Built once: putting its eager loads together costs as much as running it.
    published = exists().where(SummaryVersion.workshop_id == Workshop.id,
                               SummaryVersion.status == "final")
    workshop = joinedload(Invitation.workshop)
    return (
        select(Invitation)
        .options(workshop.joinedload(Workshop.host_organization),
                 workshop.joinedload(Workshop.sessions),
                 workshop.with_expression(Workshop.summary_published, published),
                 joinedload(Invitation.organization), joinedload(Invitation.checkin),
                 joinedload(Invitation.nominations))
        .where(Invitation.token == bindparam("token"))
    )


def get_invitation(workshop: Workshop, invitation_id: int) -> Invitation | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.workshop_id != workshop.id or invitation.walk_in:
        return None
    return invitation


def invitations_statement(workshop: Workshop, status: str | None = None,
                          kind: str | None = None) -> Select:
    """The workshop's invitations (walk-ins are not invitations), in letter-number order,
    with their agency and check-in loaded; `status` may also be "unanswered"."""
    statement = (
        select(Invitation)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .where(Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False))
        .options(selectinload(Invitation.organization), selectinload(Invitation.checkin))
        .order_by(Invitation.letter_number.is_(None), Invitation.letter_number, Invitation.id)
    )
    if status == UNANSWERED_FILTER:
        statement = statement.where(Invitation.status.in_(UNANSWERED_STATUSES))
    elif status:
        statement = statement.where(Invitation.status == status)
    if kind:
        statement = statement.where(Invitation.agency_kind == kind)
    return statement


def matches(invitation: Invitation, query: str | None) -> bool:
    """Whether `query` is found, without accents, in the invitee, the deputy, the agency or
    the contacts ("tran van" finds "Trần Văn")."""
    wanted = fold(query)
    if not wanted:
        return True
    organization = invitation.organization
    haystack = fold(" ".join(filter(None, [
        invitation.name, invitation.title, invitation.delegate_name, invitation.email,
        invitation.phone, invitation.short_code, organization.name if organization else None,
    ])))
    return wanted in haystack


def list_invitations(workshop: Workshop, status: str | None = None, kind: str | None = None,
                     query: str | None = None) -> list[Invitation]:
    """The tracking list, in directory order of the agencies and then by person (Vietnamese
    alphabetical order, workshop/collation.py). The text search and the sort run in Python on
    the workshop's few hundred rows: invitations have no folded search column. (The API's list
    pages through `invitations_statement` and keeps its letter-number order.)"""
    rows = db.session.scalars(invitations_statement(workshop, status, kind))
    return sorted((invitation for invitation in rows if matches(invitation, query)),
                  key=invitation_key)


