"""Check-in at the door: exactly one per invitation, every attempt recorded, retries answered
the same.

Uniqueness is the database's job (one CheckIn row per invitation, one attempt per client_id in a
workshop): two phones scanning one pass at the same moment both insert, one wins, the other's
IntegrityError becomes "already checked in". No look-then-insert.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..attendance import Attendance, attendance  # noqa: F401  (the counts' one home)
from ..extensions import db
from ..models import CheckIn, CheckInAttempt, DeputyNomination, Invitation, User, Workshop
from ..phases import has_ended
from ..timeutil import utcnow

# A scan refused because the person is checked in, whose check-in is gone when we look (undone
# at that moment), tries again; twice more is plenty for a person undone and re-scanned by hand.
CHECK_IN_TRIES = 3


@dataclass
class ScanAnswer:
    """What the scanner is told: `result` is checked_in, already_checked_in, unknown,
    other_workshop, workshop_ended or replaced (an earlier pass, handed to an approved deputy);
    `checked_in_at` is when the (first) check-in happened."""

    result: str
    invitation: Invitation | None = None
    checked_in_at: datetime | None = None


def code_from_scan(scanned: str) -> str:
    """The token inside what a camera read: a bare token, or a personal link URL (the letter's
    QR code holds the link, the phone pass holds the pass token)."""
    code = scanned.strip()
    if "/i/" in code:
        code = code.rsplit("/i/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
        code = code.split("/", 1)[0]
    return code


def find_invitation(workshop: Workshop, scanned: str) -> Invitation | None:
    """The invitation behind a pass token, a personal-link token or link, or the short code
    printed on this workshop's letters."""
    code = code_from_scan(scanned)
    if not code:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(or_(
            Invitation.pass_token == code, Invitation.token == code,
            # A pass replaced by a deputy's own: found, to be refused as "replaced".
            Invitation.id.in_(select(DeputyNomination.invitation_id).where(or_(
                DeputyNomination.replaced_pass_token == code, DeputyNomination.pass_token == code
            ))),
        ))
    )
    if invitation is None and len(code) <= 12:
        invitation = db.session.scalar(
            select(Invitation).where(
                Invitation.workshop_id == workshop.id, Invitation.short_code == code.upper()
            )
        )
    return invitation


def _previous_answer(workshop: Workshop, client_id: str | None) -> ScanAnswer | None:
    if not client_id:
        return None
    attempt = db.session.scalar(
        select(CheckInAttempt).where(
            CheckInAttempt.workshop_id == workshop.id, CheckInAttempt.client_id == client_id
        )
    )
    if attempt is None:
        return None
    invitation = attempt.invitation
    checkin = invitation.checkin if invitation else None
    return ScanAnswer(attempt.result, invitation, checkin.checked_in_at if checkin else None)


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


def scan_time_problem(workshop: Workshop, scanned_at: datetime, now: datetime) -> str | None:
    if scanned_at > now + SCAN_CLOCK_DRIFT:
        return _("Thời điểm quét ở tương lai: vui lòng kiểm tra đồng hồ của máy quét.")
    if scanned_at < min(workshop.starts_at, now) - SCAN_EARLIEST:
        return _("Thời điểm quét quá sớm so với hội thảo: vui lòng kiểm tra đồng hồ của máy quét.")
    return None


def _existing_checkin(invitation_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(CheckIn.invitation_id == invitation_id))


def check_in(
    workshop: Workshop,
    scanned: str,
    *,
    client_id: str | None = None,
    scanned_at: datetime | None = None,
    staff: User | None = None,
    method: str = "scan",
    now: datetime | None = None,
    actor: User | None = None,
) -> ScanAnswer:
    """Check in whoever `scanned` names, once. The same `client_id` is the same scan: it gets
    the first answer again. An offline scan keeps its `scanned_at` (never later than now); one
    outside the bounds of `scan_time_problem` raises ScanTimeRefused. A check-in by staff is
    in the audit log (`actor`, else the request's account); an attendee's own is not."""
    now = now or utcnow()
    if scanned_at is not None and (problem := scan_time_problem(workshop, scanned_at, now)):
        raise ScanTimeRefused(problem)
    previous = _previous_answer(workshop, client_id)
    if previous is not None:
        return previous

    when = min(scanned_at, now) if scanned_at else now
    if has_ended(workshop, when):
        # Too late: nobody is checked in once the workshop is over (an offline scan made
        # before the end still counts when it syncs). Undoing a mistake stays possible.
        return ScanAnswer("workshop_ended")
    invitation = find_invitation(workshop, scanned)
    if invitation is None or invitation.workshop_id != workshop.id:
        result = "unknown" if invitation is None else "other_workshop"
        answer = ScanAnswer(result)
        _record(workshop, scanned, client_id, result, None, when, now, staff)
        return answer

    code = code_from_scan(scanned)
    if code not in (invitation.pass_token, invitation.token) and code.upper() != invitation.short_code:
        # A pass no longer the invitation's: the deputy approved since carries their own.
        return ScanAnswer("replaced", invitation)

    invitation_id, staff_id = invitation.id, staff.id if staff else None
    name = invitation.name
    first = None
    for _try in range(CHECK_IN_TRIES):
        db.session.add(CheckIn(invitation_id=invitation_id, workshop_id=workshop.id,
                               checked_in_at=when, recorded_at=now, method=method,
                               staff_user_id=staff_id))
        db.session.add(_attempt(workshop, scanned, client_id, "checked_in", invitation_id, when,
                                now, staff_id))
        if method != "self":
            audit.log("checkin.walk_in" if method == "walk_in" else "checkin.check_in",
                      workshop=workshop, detail=name, actor=actor)
        try:
            db.session.commit()
            return ScanAnswer("checked_in", db.session.get(Invitation, invitation_id), when)
        except IntegrityError:
            db.session.rollback()
        # Either this invitation was already checked in, or the same client_id raced us.
        previous = _previous_answer(workshop, client_id)
        if previous is not None:
            return previous
        first = _existing_checkin(invitation_id)
        if first is not None:
            break
        # The check-in that refused ours was undone meanwhile: this scan comes after the undo,
        # so it checks the person in again rather than telling "already" about nothing.
    checked_in_at = first.checked_in_at if first else None
    _record(workshop, scanned, client_id, "already_checked_in", invitation_id, when, now, staff)
    previous = _previous_answer(workshop, client_id)  # the same client_id may have raced us
    if previous is not None and previous.result != "already_checked_in":
        return previous
    # The time of the check-in that refused ours, even if it is undone by now.
    return ScanAnswer("already_checked_in", db.session.get(Invitation, invitation_id),
                      checked_in_at)


def _attempt(workshop, scanned, client_id, result, invitation_id, when, now, staff_id):
    return CheckInAttempt(workshop_id=workshop.id, invitation_id=invitation_id,
                          code_seen=code_from_scan(scanned)[:16], client_id=client_id or None,
                          result=result, scanned_at=when, recorded_at=now,
                          staff_user_id=staff_id)


def _record(workshop, scanned, client_id, result, invitation_id, when, now, staff) -> None:
    """Write one attempt for the audit; a duplicate client_id means it is already written."""
    db.session.add(_attempt(workshop, scanned, client_id, result, invitation_id, when, now,
                            staff.id if staff else None))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


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
    db.session.add(_attempt(invitation.workshop, invitation.pass_token, None, "undone",
                            invitation.id, now, now, staff.id if staff else None))
    audit.log("checkin.undo", workshop=invitation.workshop, detail=invitation.name, actor=actor)
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
    return check_in(workshop, invitation.pass_token, staff=staff, method="walk_in", now=now,
                    actor=actor)
