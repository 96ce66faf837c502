"""Who is invited, expected and present: the one definition of every attendance number that the
scanner's counter, the board, the dashboard, the workshop list, the summary and the API show.

- invited: every invitation that is not a walk-in, sent or not;
  invited = accepted + delegated + declined + unanswered.
- expected: the invitations accepted or delegated (the invitee, or the deputy sent instead).
  A deputy the organizer refused is not coming, and the invitee has not said yet what they do
  instead: such an invitation counts as unanswered (`counted_status`) until the invitee answers
  again (another deputy, or in person, or not at all).
- present: the expected people who checked in. The counter reads "Có mặt present/expected".
- walk_ins: walk-ins (đến trực tiếp, no invitation) who checked in.
- unannounced: invited people who never answered or declined, and came all the same.
- checked_in: everyone checked in = present + walk_ins + unannounced.

An invited agency is *without anyone* when it has at least one invitation (not a walk-in) to the
workshop, nobody from it is present (no check-in of its invitees, deputies or walk-ins) and,
until the workshop has ended, nobody from it is expected either. Once the workshop is over an
expected person who never came no longer counts: the agency had nobody there.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Integer, and_, case, cast, func, literal_column, or_, select, true

from .collation import agency_key
from .extensions import db
from .models import (
    ANSWERED_STATUSES,
    EXPECTED_STATUSES,
    INVITATION_STATUSES,
    KIND_LABELS,
    ORGANIZATION_KINDS,
    UNANSWERED_STATUSES,
    CheckIn,
    DoorGroup,
    Invitation,
    Organization,
    Workshop,
)
from .phases import has_ended


def counted_status(status: str, deputy_state: str | None) -> str:
    """The state an invitation counts in: its own, but unanswered ("sent": the letter reached
    the invitee, who answered) while the deputy named is refused."""
    return "sent" if status == "delegated" and deputy_state == "refused" else status


def _constant(value: str | int):
    """One of our own constants written into the SQL, not bound at each execution: the scan
    runs the counter each time, and each parameter bound costs the driver and SQLAlchemy CPU
    (the values are the model's state names, never anything a user typed)."""
    return literal_column(f"'{value}'" if isinstance(value, str) else str(int(value)))


def counted_status_of(status, deputy_state):
    """counted_status in SQL, of these columns."""
    return case((and_(status == _constant("delegated"), deputy_state == _constant("refused")),
                 _constant("sent")), else_=status)


# The same of an invitation, for the counting queries.
COUNTED_STATUS = counted_status_of(Invitation.status, Invitation.deputy_state)


# The numbers of one group (a workshop, or one agency kind of it), in the API's names.
FIELDS = ("invited", "accepted", "delegated", "declined", "unanswered", "expected", "present",
          "walk_ins", "unannounced", "checked_in")


@dataclass
class Counts:
    """Invitations by state (walk-ins are not invitations), and who checked in, told apart: of a
    whole workshop, or of one agency `kind` of it."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(INVITATION_STATUSES, 0))
    present: int = 0
    walk_ins: int = 0
    unannounced: int = 0
    kind: str | None = None

    @property
    def label(self) -> str:
        """The agency kind's name ("Sở, ban, ngành")."""
        return str(KIND_LABELS[self.kind]) if self.kind else ""

    @property
    def invited(self) -> int:
        return sum(self.by_status.values())

    @property
    def accepted(self) -> int:
        return self.by_status["accepted"]

    @property
    def delegated(self) -> int:
        return self.by_status["delegated"]

    @property
    def declined(self) -> int:
        return self.by_status["declined"]

    @property
    def unanswered(self) -> int:
        return sum(self.by_status[status] for status in UNANSWERED_STATUSES)

    @property
    def answered(self) -> int:
        return sum(self.by_status[status] for status in ANSWERED_STATUSES)

    @property
    def expected(self) -> int:
        return sum(self.by_status[status] for status in EXPECTED_STATUSES)

    @property
    def checked_in(self) -> int:
        return self.present + self.walk_ins + self.unannounced

    @property
    def extra(self) -> int:
        """Checked in without being expected: walk-ins and unannounced arrivals."""
        return self.walk_ins + self.unannounced

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIELDS}

    def _add(self, status: str, walk_in: bool, invitations: int, checked_in: int) -> None:
        if walk_in:
            self.walk_ins += checked_in
            return
        self.by_status[status] += invitations
        if status in EXPECTED_STATUSES:
            self.present += checked_in
        else:
            self.unannounced += checked_in


@dataclass
class AgencyWithoutAnyone:
    """An invited agency without anyone (see the module), with its invitations' answers."""

    organization: Organization
    invited: int
    declined: int
    unanswered: int
    no_show: int  # accepted or delegated but nobody came (only once the workshop has ended)


@dataclass
class Attendance(Counts):
    """A workshop's numbers, by agency kind (`kinds`, in directory order: every kind someone
    of it was invited or came from) and the invited agencies without anyone."""

    kinds: dict[str, Counts] = field(default_factory=dict)
    without_anyone: list[AgencyWithoutAnyone] = field(default_factory=list)

    @property
    def by_kind(self) -> dict[str, dict[str, int]]:
        """The numbers of each kind as FIELDS (the API's and the board's `by_kind`)."""
        return {kind: numbers.as_dict() for kind, numbers in self.kinds.items()}

    @property
    def invited_kinds(self) -> dict[str, Counts]:
        """The kinds with invitations (not only walk-ins): the rows of the tracking lists."""
        return {kind: numbers for kind, numbers in self.kinds.items() if numbers.invited}

    @property
    def absent(self) -> list[Organization]:
        return [agency.organization for agency in self.without_anyone]


def _rows(workshop_id: int | None):
    kind = Invitation.agency_kind
    status = COUNTED_STATUS.label("status")
    statement = (
        select(Invitation.workshop_id, kind, status, Invitation.walk_in,
               func.count(Invitation.id), func.count(CheckIn.id))
        .select_from(Invitation)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .outerjoin(CheckIn, CheckIn.invitation_id == Invitation.id)
        .group_by(Invitation.workshop_id, kind, status, Invitation.walk_in)
    )
    if workshop_id is not None:
        statement = statement.where(Invitation.workshop_id == workshop_id)
    return db.session.execute(statement)


def attendance_by_workshop(workshop_id: int | None = None) -> dict[int, Attendance]:
    """The numbers of every workshop (or of one) from one grouped query; no `without_anyone`."""
    totals: dict[int, Attendance] = defaultdict(Attendance)
    kinds: dict[int, dict[str, Counts]] = defaultdict(dict)
    for row_workshop, kind, status, walk_in, invitations, checked_in in _rows(workshop_id):
        totals[row_workshop]._add(status, walk_in, invitations, checked_in)
        kinds[row_workshop].setdefault(kind, Counts(kind=kind))._add(status, walk_in, invitations,
                                                                     checked_in)
    for row_workshop, numbers in totals.items():
        numbers.kinds = {kind: kinds[row_workshop][kind]
                         for kind in ORGANIZATION_KINDS if kind in kinds[row_workshop]}
    return totals


# The numbers of the scanner's counter, as the board names them (a subset of FIELDS).
DOOR_FIELDS = ("expected", "present", "walk_ins", "unannounced", "checked_in")


@dataclass(frozen=True)
class DoorCount:
    """The scanner's counter ("Có mặt present/expected", and who came besides): the numbers of
    Counts that the door shows, by the same definitions, read in the scan's own query
    (`door_count`) instead of the grouped one."""

    expected: int = 0
    present: int = 0
    walk_ins: int = 0
    unannounced: int = 0

    @property
    def checked_in(self) -> int:
        return self.present + self.walk_ins + self.unannounced

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in DOOR_FIELDS}

    def with_arrival(self, invitation: Invitation) -> DoorCount:
        """The numbers once `invitation` is checked in too (as Counts._add files a check-in)."""
        if invitation.walk_in:
            return replace(self, walk_ins=self.walk_ins + 1)
        if counted_status(invitation.status, invitation.deputy_state) in EXPECTED_STATUSES:
            return replace(self, present=self.present + 1)
        return replace(self, unannounced=self.unannounced + 1)


def door_count(workshop_id):
    """The subquery of one row that DoorCount reads: a scan joins the pass it looks up to it,
    so that its answer carries the counter without a statement of its own.

    The workshop's few rows of door_groups, read by key: the grouped recount of its
    invitations and check-ins (`door_recount`), kept by the database (models/door.py), to
    which the rules apply here as to the recount. Counting every invitation at each scan cost
    a third of the scan's database time, more as the workshop grows."""
    groups = (
        select(DoorGroup.walk_in, DoorGroup.status, DoorGroup.deputy_state, DoorGroup.invited,
               DoorGroup.arrived)
        .where(DoorGroup.workshop_id == workshop_id)
        .subquery("door_groups")
    )
    return door_numbers(groups)


def door_recount(workshop_id):
    """What door_count reads, counted from the invitations and their check-ins: what the kept
    rows must equal at all times (the tests hold them to it)."""
    groups = (
        select(Invitation.walk_in, Invitation.status, Invitation.deputy_state,
               func.count(Invitation.id).label("invited"),
               func.count(CheckIn.id).label("arrived"))
        .select_from(Invitation)
        .outerjoin(CheckIn, CheckIn.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop_id)
        .group_by(Invitation.walk_in, Invitation.status, Invitation.deputy_state)
        .subquery("door_groups")
    )
    return door_numbers(groups)


def door_numbers(groups):
    """DoorCount's one row from `groups`: rows of invitations with the same walk_in, status
    and deputy_state, how many (`invited`) and how many of them checked in (`arrived`). A
    kept row's deputy_state is '' for none, a state no rule names, as NULL is not."""
    # Whether a group is expected, worked out once per group, not in each of the sums: the
    # scan's statement is the shorter for it (psycopg converts a statement of more than 4096
    # characters again at each execution, workshop/checkin/services.py `_door_statement`).
    expected = (groups.c.walk_in.is_(False)
                & _counted_as_expected(counted_status_of(groups.c.status, groups.c.deputy_state)))
    rows = select(groups.c.walk_in, expected.label("expected"), groups.c.invited,
                  groups.c.arrived).subquery("door_rows")
    invited = rows.c.walk_in.is_(False)

    def how_many(condition, column):
        # An integer on both databases (PostgreSQL sums integers as numeric).
        total = func.sum(case((condition, column), else_=_constant(0)))
        return cast(func.coalesce(total, _constant(0)), Integer)

    return (
        select(how_many(rows.c.expected, rows.c.invited).label("expected"),
               how_many(rows.c.expected, rows.c.arrived).label("present"),
               how_many(rows.c.walk_in.is_(True), rows.c.arrived).label("walk_ins"),
               how_many(invited & ~rows.c.expected, rows.c.arrived).label("unannounced"))
        .select_from(rows)
        .subquery("door_count")
    )


def _counted_as_expected(status):
    """A counted `status` among EXPECTED_STATUSES, written out (no IN list: a list is
    expanded at each execution, and the scan runs this every time)."""
    return or_(*(status == _constant(expected) for expected in EXPECTED_STATUSES))


def _invitations(condition):
    """How many of a group's invitations (walk-ins are not) meet `condition`."""
    return func.sum(case((Invitation.walk_in.is_(False) & condition, 1), else_=0))


def agencies_without_anyone(workshop: Workshop, now: datetime | None = None
                            ) -> list[AgencyWithoutAnyone]:
    """The invited agencies without anyone (see the module), in directory order."""
    invited = _invitations(true())
    declined = _invitations(COUNTED_STATUS == "declined")
    unanswered = _invitations(COUNTED_STATUS.in_(UNANSWERED_STATUSES))
    expected = _invitations(COUNTED_STATUS.in_(EXPECTED_STATUSES))
    having = [invited > 0, func.count(CheckIn.id) == 0]
    if not has_ended(workshop, now):
        having.append(expected == 0)
    rows = db.session.execute(
        select(Organization, invited, declined, unanswered, expected)
        .join(Invitation, Invitation.organization_id == Organization.id)
        .outerjoin(CheckIn, CheckIn.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop.id)
        .group_by(Organization.id)
        .having(*having)
    ).all()
    agencies = [AgencyWithoutAnyone(organization, n_invited, n_declined, n_unanswered, n_expected)
                for organization, n_invited, n_declined, n_unanswered, n_expected in rows]
    return sorted(agencies, key=lambda agency: agency_key(agency.organization))


def invited_agencies(workshop: Workshop) -> int:
    """How many agencies have at least one invitation (not a walk-in) to the workshop; the
    agencies without anyone are among them."""
    return db.session.scalar(
        select(func.count(func.distinct(Invitation.organization_id)))
        .where(Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False),
               Invitation.organization_id.is_not(None))
    ) or 0


def attendance(workshop: Workshop, now: datetime | None = None) -> Attendance:
    """Every number of one workshop, with the invited agencies without anyone."""
    numbers = attendance_by_workshop(workshop.id).get(workshop.id) or Attendance()
    numbers.without_anyone = agencies_without_anyone(workshop, now)
    return numbers
