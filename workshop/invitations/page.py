"""The invitee's personal page /i/<token> as its GET reads it: one Core statement, its plain rows
made into read-only objects, no ORM entity. A phone opens the page again and again on the day;
loading the invitation, its workshop, agenda, agencies and deputies as entities cost several
times what running the statement costs (issue 13). The answer sent from the page, and
everything that changes an invitation, loads the model (services.find_for_personal_page).

The objects carry what the page (templates/invitations/personal.html and what it includes) and
the helpers its view calls (rsvp, sharing, summary.services.published_summary) read of an
Invitation and its workshop, by the same names. The rules the page reads have one home, shared
with the model: the answer and the deputy named now (models.Answered), who stands at the door
(models.AtTheDoor), the workshop's phases (phases.py) and deadline (rsvp.answer_deadline).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from itertools import accumulate

from flask import current_app
from sqlalchemy import Select, bindparam, exists, inspect, select

from .. import autocommit
from ..models import (
    Answered,
    CheckIn,
    DeputyNomination,
    Invitation,
    Organization,
    SummaryVersion,
    Workshop,
    WorkshopSession,
)
from ..statements import built_once


@dataclass(frozen=True)
class Agency:
    """The invitee's agency, as the page names it."""

    name: str


@dataclass(frozen=True)
class Host:
    """The host agency: who invites, and whom to contact."""

    name: str
    phone: str | None
    email: str | None
    address: str | None


@dataclass(frozen=True)
class AgendaItem:
    """One session of the agenda, as the page lists it."""

    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    presenter: str | None


@dataclass(frozen=True)
class Nomination:
    """A deputy the invitee named: the page reads the organizer's reason for a refusal, and
    the deputy's e-mail."""

    email: str | None
    reason: str | None


@dataclass(frozen=True)
class CheckedIn:
    checked_in_at: datetime


@dataclass(frozen=True)
class PageWorkshop:
    """The invitation's workshop with its host agency, its agenda (in the model's order) and
    whether a summary is published."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    rsvp_deadline: datetime | None
    venue: str
    description: str | None
    signer_title: str | None
    signer_name: str | None
    host_organization: Host | None
    sessions: tuple[AgendaItem, ...]
    summary_published: bool


@dataclass(frozen=True)
class PageInvitation(Answered):
    """The invitation of a personal link as its page shows it, with the invitee's agency, the
    check-in, the deputies named (oldest first) and the workshop."""

    id: int
    token: str
    pass_token: str
    short_code: str
    salutation: str | None
    name: str
    title: str | None
    status: str
    delegate_name: str | None
    delegate_title: str | None
    delegate_phone: str | None
    deputy_state: str | None
    seat_row: int | None
    seat_number: int | None
    organization: Agency | None
    checkin: CheckedIn | None
    nominations: tuple[Nomination, ...]
    workshop: PageWorkshop


def _columns(table, cls, skip: int = 0) -> list:
    """The columns of `table` that are the fields of `cls`, in its order (less its last
    `skip` fields, which are not columns)."""
    names = [field.name for field in fields(cls)]
    return [table.c[name] for name in names[:len(names) - skip]]


# The row, in this order: the invitation's columns, the workshop's, whether a summary is
# published, the host agency's, the invitee's agency's name, the check-in's time, then one
# session and one nomination (with their ids, which group the rows).
_INVITATION = _columns(Invitation.__table__, PageInvitation, skip=4)
_WORKSHOP = _columns(Workshop.__table__, PageWorkshop, skip=3)
_HOST = _columns(Organization.__table__.alias("host"), Host)
_SESSION = _columns(WorkshopSession.__table__, AgendaItem)
_NOMINATION = _columns(DeputyNomination.__table__, Nomination)


def _slices(*sizes: int) -> list[slice]:
    """Consecutive parts of a row, of these sizes."""
    ends = list(accumulate(sizes))
    return [slice(end - size, end) for end, size in zip(ends, sizes, strict=True)]


(_AT_INVITATION, _AT_WORKSHOP, _AT_PUBLISHED, _AT_HOST, _AT_AGENCY, _AT_CHECKIN, _AT_SESSION,
 _AT_NOMINATION) = _slices(len(_INVITATION), len(_WORKSHOP), 1, len(_HOST), 1, 1,
                           1 + len(_SESSION), 1 + len(_NOMINATION))


def personal_page(token: str | None) -> PageInvitation | None:
    """The invitation of a personal link with everything its page shows, in one statement that
    stands alone: not through the session (plain rows need none of the ORM's handling, which
    cost more CPU than the statement), and on PostgreSQL outside any transaction, no BEGIN and
    ROLLBACK around it (workshop/autocommit.py). Rows are of now, whatever the session holds.
    None for an unknown token."""
    if not token or len(token) > 64:
        return None
    rows = autocommit.read(current_app._get_current_object(), _statement(), {"token": token})
    if not rows:
        return None
    # One row per session and nomination of the invitation (an outer join of each): the
    # invitation, its workshop and agencies are on every row.
    sessions: dict[int, AgendaItem] = {}
    nominations: dict[int, Nomination] = {}
    for row in rows:
        session_id, *session = row[_AT_SESSION]
        if session_id is not None and session_id not in sessions:
            sessions[session_id] = AgendaItem(*session)
        nomination_id, *nomination = row[_AT_NOMINATION]
        if nomination_id is not None and nomination_id not in nominations:
            nominations[nomination_id] = Nomination(*nomination)
    row = rows[0]
    host = row[_AT_HOST]
    (agency,), (checked_in_at,), (published,) = (row[_AT_AGENCY], row[_AT_CHECKIN],
                                                  row[_AT_PUBLISHED])
    workshop = PageWorkshop(*row[_AT_WORKSHOP], Host(*host) if host[0] is not None else None,
                            tuple(sessions.values()), bool(published))
    return PageInvitation(
        *row[_AT_INVITATION], Agency(agency) if agency is not None else None,
        CheckedIn(checked_in_at) if checked_in_at is not None else None,
        tuple(nominations.values()), workshop)


@built_once
def _statement() -> Select:
    """personal_page's statement, built once (its token bound at each visit): building it
    again cost as much as running it. The agenda and the nominations come in the order the
    model gives them (Workshop.sessions, Invitation.nominations)."""
    invitations, workshops = Invitation.__table__, Workshop.__table__
    host = _HOST[0].table
    agency = Organization.__table__.alias("agency")
    checkins = CheckIn.__table__
    sessions, nominations = WorkshopSession.__table__, DeputyNomination.__table__
    summaries = SummaryVersion.__table__
    published = exists().where(summaries.c.workshop_id == workshops.c.id,
                               summaries.c.status == "final")
    order = [*inspect(Workshop).relationships["sessions"].order_by,
             *inspect(Invitation).relationships["nominations"].order_by]
    return (
        select(*_INVITATION, *_WORKSHOP, published.label("summary_published"), *_HOST,
               agency.c.name, checkins.c.checked_in_at, sessions.c.id, *_SESSION,
               nominations.c.id, *_NOMINATION)
        .select_from(invitations)
        .join(workshops, workshops.c.id == invitations.c.workshop_id)
        .outerjoin(host, host.c.id == workshops.c.host_organization_id)
        .outerjoin(agency, agency.c.id == invitations.c.organization_id)
        .outerjoin(checkins, checkins.c.invitation_id == invitations.c.id)
        .outerjoin(sessions, sessions.c.workshop_id == workshops.c.id)
        .outerjoin(nominations, nominations.c.invitation_id == invitations.c.id)
        .where(invitations.c.token == bindparam("token"))
        .order_by(*order)
    )
