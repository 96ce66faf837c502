"""Check-in at the door: exactly one per invitation, every attempt recorded, retries answered
the same.

Uniqueness is the database's job (one CheckIn row per invitation, one attempt per client_id in a
workshop): two phones scanning one pass at the same moment both insert, one wins, the other's
IntegrityError becomes "already checked in". No look-then-insert.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, func, insert, literal_column, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from .. import audit, autocommit
from ..attendance import Attendance, DoorCount, attendance, door_count  # noqa: F401  (the counts' one home)
from ..auth.services import ACTING_ATTRIBUTES, token_account
from ..autocommit import Autocommit
from ..events.services import WorkshopClock
from ..extensions import db
from ..models import (
    AtTheDoor,
    AuditEntry,
    CheckIn,
    CheckInAttempt,
    DeputyNomination,
    Invitation,
    Organization,
    User,
    Workshop,
)
from ..phases import has_ended
from ..statements import built_once
from ..timeutil import utcnow

# A scan refused because the person is checked in, whose check-in is gone when we look (undone
# at that moment), tries again; twice more is plenty for a person undone and re-scanned by hand.
CHECK_IN_TRIES = 3
# What a typed short code can be at most (the column's width); a longer code is a token.
SHORT_CODE_LENGTH = 12


@dataclass
class ScanAnswer:
    """What the scanner is told: `result` is checked_in, already_checked_in, unknown,
    other_workshop, workshop_ended or replaced (an earlier pass, handed to an approved deputy);
    `checked_in_at` is when the (first) check-in happened; `count` the scanner's counter once
    this scan is counted (None when not read)."""

    result: str
    invitation: Invitation | Pass | None = None
    checked_in_at: datetime | None = None
    count: DoorCount | None = None


def code_from_scan(scanned: str) -> str:
    """The token inside what a camera read: a bare token, or a personal link URL (the letter's
    QR code holds the link, the phone pass holds the pass token)."""
    code = scanned.strip()
    if "/i/" in code:
        code = code.rsplit("/i/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
        code = code.split("/", 1)[0]
    return code


@dataclass(frozen=True)
class Agency:
    """The agency of the person at the door, as the scan's answer names it."""

    name: str


@dataclass
class Pass(AtTheDoor):
    """The invitation behind a scan, as the door's one read has it: the columns the scan and
    its answer need, read as a plain row (loading an ORM entity cost more CPU than the query).
    Who stands at the door comes from the same rules as an Invitation's (models.AtTheDoor);
    `organization` is the agency, as on an Invitation."""

    id: int
    workshop_id: int
    name: str
    title: str | None
    status: str
    walk_in: bool
    delegate_name: str | None
    delegate_title: str | None
    deputy_state: str | None
    seat_row: int | None
    seat_number: int | None
    pass_token: str
    token: str
    short_code: str
    organization: Agency | None


# The columns of Pass, in its order (its last field, the agency, is read on its own).
PASS_COLUMNS = tuple(getattr(Invitation, name) for name in list(Pass.__dataclass_fields__)[:-1])


@dataclass
class Door:
    """What one read tells about a scan at the door: whose pass it is (`invitation`, with its
    agency), when they were checked in if they were (`checked_in_at`), the workshop's counter
    before this scan (`count`), and, when the same client_id was answered before, that first
    answer's result and invitation id (`answered`)."""

    invitation: Pass | None
    checked_in_at: datetime | None
    count: DoorCount
    answered: tuple[str, int | None] | None = None
    # The workshop's clock, when the read named the workshop by its code (None: no such code).
    workshop: WorkshopClock | None = None
    # The staff account of the token hash the read was given (auth/services.py
    # `token_account`'s columns, all None when there is none); None when it was given none.
    staff: tuple | None = None


def at_the_door(workshop_id: int | None, code: str, client_id: str | None = None, *,
                workshop_code: str | None = None, kept: Autocommit | None = None,
                staff_token: str | None = None) -> Door:
    """Read everything a scan of `code` needs in ONE statement: the counter's subquery (always
    one row), outer-joined to the invitation behind a pass token, a personal-link token or the
    short code printed on this workshop's letters (a token first), its agency, its check-in and
    this workshop's attempt with `client_id`. A scan is the door's hot path: each statement more
    is a round trip more for every person in the queue.

    With `workshop_code` instead of the id (the API's scan), the workshop is the one with this
    code, and its clock is read too (`Door.workshop`, None when no workshop has the code).
    With `kept`, read there, outside any transaction (check_in_by_code). With `staff_token`
    (a Bearer token's hash), the account behind it is read too (`Door.staff`): the API's scan
    needs no statement of its own for it either."""
    short_code = code.upper() if len(code) <= SHORT_CODE_LENGTH else None
    by_code = workshop_code is not None
    with_staff = staff_token is not None
    values = {"code": code, "short_code": short_code, "client_id": client_id}
    values.update({"workshop_code": workshop_code} if by_code else {"workshop_id": workshop_id})
    if with_staff:
        values["token_hash"] = staff_token
    statement = _door_statement(by_code, with_staff)
    if kept is not None:
        row = kept.first(statement, values)  # always one row: the counter's
    else:
        # On the session's connection, not through the session: a plain row needs none of the
        # ORM's handling of a statement, which cost more CPU than running it.
        row = db.session.connection().execute(statement, values).one()
    numbers = DoorCount(*row[:4])
    answered = (row.result, row.earlier_invitation_id) if row.result is not None else None
    invitation = None
    if row.id is not None:
        agency = Agency(row.agency_name) if row.agency_name is not None else None
        invitation = Pass(*row[4:4 + len(PASS_COLUMNS)], agency)
    clock = None
    if by_code and row.workshop_id_by_code is not None:
        clock = WorkshopClock(row.workshop_id_by_code, row.workshop_starts_at,
                              row.workshop_ends_at)
    staff = tuple(row[-len(ACTING_ATTRIBUTES):]) if with_staff else None
    return Door(invitation, row.checked_in_at, numbers, answered, clock, staff)


@built_once
def _door_statement(by_code: bool = False, with_staff: bool = False):
    """at_the_door's statement, built once with its parameters bound at each scan: building
    it again for each scan cost more CPU than running it. A NULL short code or client_id (a
    long token, a scan without one) matches nothing. Plain columns, no ORM entity: the rows
    read are of now, whatever this session holds.

    `by_code`: the workshop named by its code (a probe of its unique index wherever the id is
    asked), its id and times read too, so that the API's scan needs no statement of its own
    for the workshop. `with_staff`: the account of the token hashed `:token_hash` too, its
    columns last (a probe of the unique index of the hashes, outer-joined: the row is there
    whether or not the token is)."""
    code = bindparam("code")
    clock = []
    if by_code:
        def of_workshop(column):
            return (select(column).where(Workshop.code == bindparam("workshop_code"))
                    .scalar_subquery())

        workshop_id = of_workshop(Workshop.id)
        clock = [workshop_id.label("workshop_id_by_code"),
                 of_workshop(Workshop.starts_at).label("workshop_starts_at"),
                 of_workshop(Workshop.ends_at).label("workshop_ends_at")]
    else:
        workshop_id = bindparam("workshop_id")
    count = door_count(workshop_id)

    def one(column, condition):
        # LIMIT 1 written in, not bound: one parameter fewer for the driver at each scan.
        return select(column).where(condition).limit(literal_column("1")).scalar_subquery()

    # Whose pass it is, by four probes of unique indexes, the first that finds it: a pass
    # token, a personal-link token, this workshop's short code, then a pass replaced by a
    # deputy's own (found, to be refused as "replaced"). As one OR in the join, the nominations'
    # subquery made PostgreSQL read every invitation of every workshop on the server per scan.
    found = func.coalesce(
        one(Invitation.id, Invitation.pass_token == code),
        one(Invitation.id, Invitation.token == code),
        one(Invitation.id, and_(Invitation.workshop_id == workshop_id,
                                Invitation.short_code == bindparam("short_code"))),
        one(DeputyNomination.invitation_id, or_(DeputyNomination.replaced_pass_token == code,
                                                DeputyNomination.pass_token == code)),
    )
    earlier = aliased(CheckInAttempt)
    staff = token_account() if with_staff else None
    statement = (
        select(*count.c, *PASS_COLUMNS, Organization.name.label("agency_name"),
               CheckIn.checked_in_at, earlier.result,
               earlier.invitation_id.label("earlier_invitation_id"), *clock,
               *(staff.c if staff is not None else ()))
        .select_from(count)
        .outerjoin(Invitation, Invitation.id == found)
        .outerjoin(Organization, Organization.id == Invitation.organization_id)
        .outerjoin(CheckIn, CheckIn.invitation_id == Invitation.id)
        .outerjoin(earlier, and_(earlier.workshop_id == workshop_id,
                                 earlier.client_id == bindparam("client_id")))
    )
    return statement if staff is None else statement.outerjoin(staff, true())


def _previous_answer(workshop_id: int, client_id: str | None) -> ScanAnswer | None:
    """The first answer to the scan with this client_id, read on its own (at_the_door reads it
    with the pass, which serves the common case)."""
    if not client_id:
        return None
    attempt = db.session.scalar(
        select(CheckInAttempt)
        .options(joinedload(CheckInAttempt.invitation).joinedload(Invitation.organization),
                 joinedload(CheckInAttempt.invitation).joinedload(Invitation.checkin))
        .where(CheckInAttempt.workshop_id == workshop_id, CheckInAttempt.client_id == client_id)
    )
    if attempt is None:
        return None
    invitation = attempt.invitation
    checkin = invitation.checkin if invitation else None
    return ScanAnswer(attempt.result, invitation, checkin.checked_in_at if checkin else None)


def _first_answer(door: Door, workshop_id: int, client_id: str) -> ScanAnswer:
    """The answer a scan with this client_id got the first time, with today's counter: from
    the door's read when it is of the same pass (a retried scan is), else read on its own."""
    result, invitation_id = door.answered
    if invitation_id is None:
        return ScanAnswer(result, count=door.count)
    if door.invitation is not None and door.invitation.id == invitation_id:
        return ScanAnswer(result, door.invitation, door.checked_in_at, door.count)
    return replace(_previous_answer(workshop_id, client_id), count=door.count)


# The time an offline scan carries (`scanned_at`): from a day before the workshop starts (the
# door may open early, a scanner be tried the evening before), or a day before now when the scan
# itself is made earlier still, to a few minutes past the server's clock (phones' clocks drift).
# Anything else is a wrong clock or a forged time: refused, nothing recorded.
SCAN_EARLIEST = timedelta(days=1)
SCAN_CLOCK_DRIFT = timedelta(minutes=10)


class ScanTimeRefused(ValueError):
    """`scanned_at` outside the bounds above: nothing was recorded."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def scan_time_problem(workshop: Workshop | WorkshopClock, scanned_at: datetime, now: datetime) -> str | None:
    if scanned_at > now + SCAN_CLOCK_DRIFT:
        return _("Thời điểm quét ở tương lai: vui lòng kiểm tra đồng hồ của máy quét.")
    if scanned_at < min(workshop.starts_at, now) - SCAN_EARLIEST:
        return _("Thời điểm quét quá sớm so với hội thảo: vui lòng kiểm tra đồng hồ của máy quét.")
    return None


def check_in(
    workshop: Workshop | WorkshopClock,
    scanned: str,
    *,
    client_id: str | None = None,
    scanned_at: datetime | None = None,
    staff: User | None = None,
    method: str = "scan",
    now: datetime | None = None,
    actor: User | None = None,
    door: Door | None = None,
    kept: Autocommit | None = None,
) -> ScanAnswer:
    """Check in whoever `scanned` names, once. The same `client_id` is the same scan: it gets
    the first answer again. An offline scan keeps its `scanned_at` (never later than now); one
    outside the bounds of `scan_time_problem` raises ScanTimeRefused. A check-in by staff is
    in the audit log (`actor`, else the request's account); an attendee's own is not.

    A first scan is one read (`at_the_door`) and one transaction writing the check-in, the
    attempt and the audit row; a scan told "already" or "unknown" writes the attempt only; a
    resent client_id writes nothing. `door`: the first read, when the caller made it already
    (check_in_by_code) with this scan's code and client_id.

    `kept` (check_in_by_code on PostgreSQL): every statement runs there, outside any
    transaction, and a first scan's three rows are ONE statement (a data-modifying CTE,
    `_first_scan_statement`), a transaction of its own: all three are written or, a unique row
    refused, none. No BEGIN, COMMIT or ROLLBACK is sent: a first scan is its read and its
    write, a resend its read."""
    now = now or utcnow()
    if scanned_at is not None and (problem := scan_time_problem(workshop, scanned_at, now)):
        raise ScanTimeRefused(problem)
    client_id = client_id or None
    workshop_id, staff_id = workshop.id, staff.id if staff else None
    when = min(scanned_at, now) if scanned_at else now
    if has_ended(workshop, when):
        # Too late: nobody is checked in once the workshop is over (an offline scan made
        # before the end still counts when it syncs). Undoing a mistake stays possible.
        return _previous_answer(workshop_id, client_id) or ScanAnswer("workshop_ended")
    code = code_from_scan(scanned)
    seen = (code, client_id, when, now, staff_id)
    invitation = None
    for _try in range(CHECK_IN_TRIES):
        if door is None or _try:
            door = at_the_door(workshop_id, code, client_id, kept=kept)  # read again, refused
        if door.answered is not None:
            return _first_answer(door, workshop_id, client_id)
        invitation = door.invitation
        if invitation is None or invitation.workshop_id != workshop_id:
            result = "unknown" if invitation is None else "other_workshop"
            return _record(workshop_id, ScanAnswer(result, count=door.count), None, *seen,
                           kept=kept)
        if _replaced(invitation, code):
            answer = ScanAnswer("replaced", invitation, count=door.count)
            return _record(workshop_id, answer, invitation.id, *seen, kept=kept)
        if door.checked_in_at is not None:
            answer = ScanAnswer("already_checked_in", invitation, door.checked_in_at,
                                door.count)
            return _record(workshop_id, answer, invitation.id, *seen, kept=kept)
        try:
            _write_check_in(workshop_id, invitation.id, invitation.name, method, actor, *seen,
                            kept=kept)
        except IntegrityError:
            pass
        else:
            return ScanAnswer("checked_in", invitation, when, door.count.with_arrival(invitation))
        # Another phone checked this pass in first, or sent this very scan (its client_id):
        # the next read tells which. If the check-in that refused ours is gone by then (undone
        # at that moment), this scan comes after the undo and checks the person in again.
    # Refused each time by a check-in undone before we looked: told "already", as the last
    # refusal said.
    return _record(workshop_id, ScanAnswer("already_checked_in", invitation), invitation.id,
                   *seen, kept=kept)


def check_in_by_code(
    workshop_code: str,
    scanned: str,
    *,
    client_id: str | None = None,
    scanned_at: datetime | None = None,
    staff: User | None = None,
    staff_token: str | None = None,
    admit: Callable[[tuple], User] | None = None,
) -> ScanAnswer | None:
    """check_in at the workshop with this code (the API's scan), or None when no workshop has
    it. The workshop's clock comes with the door's first read: one statement, not two.

    With `staff_token` (the hash of the caller's API token, not read yet), the door's read
    reads its account too, and `admit` (the API's) is given its columns before anything else
    is done or answered: it refuses the caller (raises) or gives the staff account that scans.
    A scan is then no more statements than its door's read and its write.

    On PostgreSQL the scan's statements run outside any transaction (workshop/autocommit.py),
    as the staff token's read before them (auth/services.py): each is one round trip, and
    there are no others. The API's scan is its request's only work: nothing uncommitted in
    the session for it to see."""
    client_id = client_id or None
    kept = autocommit.of(current_app)
    door = at_the_door(None, code_from_scan(scanned), client_id, workshop_code=workshop_code,
                       kept=kept, staff_token=staff_token)
    if staff_token is not None:
        staff = admit(door.staff)
    if door.workshop is None:
        return None
    return check_in(door.workshop, scanned, client_id=client_id, scanned_at=scanned_at,
                    staff=staff, door=door, kept=kept)


def _write_check_in(workshop_id, invitation_id, name, method, actor, code, client_id, when,
                    now, staff_id, *, kept: Autocommit | None = None) -> None:
    """Write a first scan's rows, all or none: the check-in, its attempt and (a check-in by
    staff) the audit row. IntegrityError, nothing written, when a unique row refuses them: the
    pass checked in by another phone, or this client_id recorded by another worker. With
    `kept`, on PostgreSQL one statement (_first_scan_statement), on SQLite the kept
    connection's one transaction; else the session's transaction, committed."""
    seen = (code, client_id, when, now, staff_id)
    action = None
    if method != "self":
        action = "checkin.walk_in" if method == "walk_in" else "checkin.check_in"
    entry = action and audit.entry(action, workshop=workshop_id, detail=name, actor=actor)
    if kept is not None and kept.autocommit:
        kept.write(_first_scan_statement(entry is not None),
                   _first_scan_values(workshop_id, invitation_id, method, entry, *seen))
        return
    rows = [_row(CheckIn, {
        "invitation_id": invitation_id, "workshop_id": workshop_id, "checked_in_at": when,
        "recorded_at": now, "method": method, "staff_user_id": staff_id})]
    rows.append(_row(CheckInAttempt, _attempt(workshop_id, "checked_in", invitation_id, *seen)))
    if entry:
        rows.append(_row(AuditEntry, {**entry, "at": now}))
    if kept is not None:
        kept.write_all(rows)
        return
    try:
        connection = db.session.connection()
        for statement, values in rows:
            connection.execute(statement, values)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise


def _replaced(invitation: Pass, code: str) -> bool:
    """Whether `code` names the invitation but no longer opens the door: the pass it carries
    now is the only way in once an approved deputy holds it (the invitee's personal link and the
    letter's short code would let the invitee in instead), and a pass replaced by a deputy's own
    (found through the nomination) never again, unless it is the invitation's pass again."""
    if code == invitation.pass_token:
        return False
    if invitation.deputy_state == "approved":
        return True
    return code != invitation.token and code.upper() != invitation.short_code


# The columns an attempt is written with (`_attempt`'s keys).
ATTEMPT_COLUMNS = ("workshop_id", "invitation_id", "code_seen", "client_id", "result",
                   "scanned_at", "recorded_at", "staff_user_id")


def _attempt(workshop_id, result, invitation_id, code, client_id, when, now, staff_id) -> dict:
    return {"workshop_id": workshop_id, "invitation_id": invitation_id, "code_seen": code[:16],
            "client_id": client_id, "result": result, "scanned_at": when, "recorded_at": now,
            "staff_user_id": staff_id}


def _row(model, values: dict) -> tuple:
    """(statement, values) writing one row of `model` with these columns' values."""
    return _insert_statement(model, tuple(values)), values


@built_once
def _insert_statement(model, columns: tuple[str, ...]):
    """INSERT INTO model's table (columns) VALUES (:column, ...), built once per set of
    columns: its values name every column with a default, so that nothing is left to compute
    at each execution and the kept connections run it on the driver's cursor
    (workshop/statements.py)."""
    table = model.__table__
    return insert(table).values({name: bindparam(name, type_=table.c[name].type)
                                 for name in columns})


@built_once
def _first_scan_statement(audited: bool):
    """A first scan's rows in ONE statement, for PostgreSQL: WITH checkin AS (INSERT INTO
    checkins ...), attempt AS (INSERT INTO checkin_attempts ...) INSERT INTO audit_entries ...
    (the attempt is the main INSERT when there is no audit row). PostgreSQL runs every INSERT of
    a WITH, read or not; a unique row refused (the pass checked in by another phone, the
    client_id sent twice at once) fails the whole statement: nothing of it is written. Every
    column is bound (a CTE's INSERT gets none of the models' Python defaults). Built once, as
    the door's statement is."""
    def bound(table, **keys):
        return {name: bindparam(key, type_=table.c[name].type) for name, key in keys.items()}

    checkin = insert(CheckIn.__table__).values(bound(
        CheckIn.__table__, invitation_id="invitation_id", workshop_id="workshop_id",
        checked_in_at="scanned_at", recorded_at="recorded_at", method="method",
        staff_user_id="staff_user_id")).cte("checkin")
    attempt = insert(CheckInAttempt.__table__).values(bound(
        CheckInAttempt.__table__, **{name: name for name in ATTEMPT_COLUMNS}))
    if not audited:
        return attempt.add_cte(checkin)
    audit_columns = ("user_id", "user_email", "workshop_id", "action", "detail")
    return insert(AuditEntry.__table__).values(bound(
        AuditEntry.__table__, at="recorded_at",
        **{name: name if name == "workshop_id" else f"audit_{name}" for name in audit_columns},
    )).add_cte(checkin, attempt.cte("attempt"))


def _first_scan_values(workshop_id, invitation_id, method, entry, code, client_id, when, now,
                       staff_id) -> dict:
    """_first_scan_statement's values: the attempt's, the check-in's method, the audit row's."""
    values = _attempt(workshop_id, "checked_in", invitation_id, code, client_id, when, now,
                      staff_id)
    values["method"] = method
    for name, value in (entry or {}).items():
        if name != "workshop_id":
            values[f"audit_{name}"] = value
    return values


def _insert(model, **values) -> None:
    """One row by a plain INSERT in the session's transaction (a unique row refused raises
    IntegrityError here): a scan's rows need nothing of the ORM's unit of work, which cost
    more CPU than the inserts themselves."""
    db.session.connection().execute(*_row(model, values))


def _record(workshop_id, answer, invitation_id, code, client_id, when, now, staff_id,
            kept=None) -> ScanAnswer:
    """Write the attempt of a scan that checks nobody in, and give its answer; when its
    client_id is written already (the same scan, sent twice at once), the first answer."""
    values = _attempt(workshop_id, answer.result, invitation_id, code, client_id, when, now,
                      staff_id)
    try:
        if kept is not None:
            kept.write(*_row(CheckInAttempt, values))
        else:
            _insert(CheckInAttempt, **values)
            db.session.commit()
        return answer
    except IntegrityError:
        if kept is None:
            db.session.rollback()
    previous = _previous_answer(workshop_id, client_id)
    return answer if previous is None else replace(previous, count=answer.count)


def undo_check_in(invitation: Invitation, staff: User | None = None, *,
                  actor: User | None = None) -> bool:
    """Remove a mistaken check-in; the audit keeps both the check-in and its undoing.

    One DELETE decides: of two undos at once only one removes the row and says so, and a
    re-scan at the same moment either comes before (told "already", then undone) or after
    (checked in again)."""
    removed = db.session.execute(
        delete(CheckIn).where(CheckIn.invitation_id == invitation.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not removed:
        db.session.rollback()
        return False
    now = utcnow()
    db.session.add(CheckInAttempt(**_attempt(invitation.workshop_id, "undone", invitation.id,
                                             code_from_scan(invitation.pass_token), None, now,
                                             now, staff.id if staff else None)))
    audit.log("checkin.undo", workshop=invitation.workshop_id, detail=invitation.name, actor=actor)
    db.session.commit()
    return True


def register_walk_in(
    workshop: Workshop,
    name: str,
    title: str | None,
    organization_id: int | None,
    staff: User | None = None,
    now: datetime | None = None,
    *,
    actor: User | None = None,
) -> ScanAnswer:
    """A person who came without an invitation: registered and checked in in one step; not
    once the workshop has ended."""
    if has_ended(workshop, now):
        return ScanAnswer("workshop_ended")
    invitation = Invitation(workshop_id=workshop.id, name=name.strip(), title=title or None,
                            organization_id=organization_id, status="accepted", walk_in=True,
                            responded_at=now or utcnow())
    db.session.add(invitation)
    db.session.flush()
    answer = check_in(workshop, invitation.pass_token, staff=staff, method="walk_in", now=now,
                      actor=actor)
    # The invitation made here, not the door's plain row of it: the caller may change it.
    return replace(answer, invitation=invitation) if answer.invitation is not None else answer
