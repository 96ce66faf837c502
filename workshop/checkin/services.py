"""Check-in at the door: exactly one per invitation, every attempt recorded, retries answered
the same.

Uniqueness is the database's job (one CheckIn row per invitation, one attempt per client_id in a
workshop): two phones scanning one pass at the same moment both insert, one wins, the other's
IntegrityError becomes "already checked in". No look-then-insert.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import CheckIn, CheckInAttempt, Invitation, Organization, User, Workshop
from ..timeutil import utcnow


@dataclass
class ScanAnswer:
    """What the scanner is told: `result` is checked_in, already_checked_in, unknown or
    other_workshop; `checked_in_at` is when the (first) check-in happened."""

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
        select(Invitation).where(or_(Invitation.pass_token == code, Invitation.token == code))
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
) -> ScanAnswer:
    """Check in whoever `scanned` names, once. The same `client_id` is the same scan: it gets
    the first answer again. An offline scan keeps its `scanned_at` (never later than now)."""
    now = now or utcnow()
    previous = _previous_answer(workshop, client_id)
    if previous is not None:
        return previous

    invitation = find_invitation(workshop, scanned)
    when = min(scanned_at, now) if scanned_at else now
    if invitation is None or invitation.workshop_id != workshop.id:
        result = "unknown" if invitation is None else "other_workshop"
        answer = ScanAnswer(result)
        _record(workshop, scanned, client_id, result, None, when, now, staff)
        return answer

    invitation_id, staff_id = invitation.id, staff.id if staff else None
    db.session.add(CheckIn(invitation_id=invitation_id, workshop_id=workshop.id,
                           checked_in_at=when, recorded_at=now, method=method,
                           staff_user_id=staff_id))
    db.session.add(_attempt(workshop, scanned, client_id, "checked_in", invitation_id, when, now,
                            staff_id))
    try:
        db.session.commit()
        return ScanAnswer("checked_in", db.session.get(Invitation, invitation_id), when)
    except IntegrityError:
        db.session.rollback()
    # Either this invitation was already checked in, or the same client_id raced us.
    previous = _previous_answer(workshop, client_id)
    if previous is not None:
        return previous
    _record(workshop, scanned, client_id, "already_checked_in", invitation_id, when, now, staff)
    first = _existing_checkin(invitation_id)
    return _previous_answer(workshop, client_id) or ScanAnswer(
        "already_checked_in", db.session.get(Invitation, invitation_id),
        first.checked_in_at if first else None,
    )


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


def undo_check_in(invitation: Invitation, staff: User | None = None) -> bool:
    """Remove a mistaken check-in; the audit keeps both the check-in and its undoing."""
    checkin = _existing_checkin(invitation.id)
    if checkin is None:
        return False
    now = utcnow()
    db.session.delete(checkin)
    db.session.add(_attempt(invitation.workshop, invitation.pass_token, None, "undone",
                            invitation.id, now, now, staff.id if staff else None))
    db.session.commit()
    return True


def register_walk_in(
    workshop: Workshop,
    name: str,
    title: str | None,
    organization_id: int | None,
    staff: User | None = None,
    now: datetime | None = None,
) -> ScanAnswer:
    """A person who came without an invitation: registered and checked in in one step."""
    invitation = Invitation(workshop_id=workshop.id, name=name.strip(), title=title or None,
                            organization_id=organization_id, status="accepted", walk_in=True,
                            responded_at=now or utcnow())
    db.session.add(invitation)
    db.session.flush()
    return check_in(workshop, invitation.pass_token, staff=staff, method="walk_in", now=now)


@dataclass
class Attendance:
    invited: int
    accepted: int
    declined: int
    delegated: int
    checked_in: int
    walk_ins: int
    by_kind: dict[str, dict[str, int]]
    absent: list[Organization]


def attendance(workshop: Workshop) -> Attendance:
    """Who was invited and who is here, by agency kind, and the invited agencies nobody has
    represented yet. Walk-ins are counted as present, not as invited."""
    kind = func.coalesce(Organization.kind, "other")
    rows = db.session.execute(
        select(kind, Invitation.status, Invitation.walk_in, func.count(Invitation.id),
               func.count(CheckIn.id))
        .select_from(Invitation)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .outerjoin(CheckIn, CheckIn.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop.id)
        .group_by(kind, Invitation.status, Invitation.walk_in)
    ).all()
    by_status: dict[str, int] = {}
    by_kind: dict[str, dict[str, int]] = {}
    checked_in = walk_ins = 0
    for kind_name, status, walk_in, count, present in rows:
        bucket = by_kind.setdefault(kind_name, {"invited": 0, "checked_in": 0})
        bucket["checked_in"] += present
        checked_in += present
        if walk_in:
            walk_ins += count
            continue
        bucket["invited"] += count
        by_status[status] = by_status.get(status, 0) + count
    represented = (
        select(Invitation.organization_id)
        .join(CheckIn, CheckIn.invitation_id == Invitation.id)
        .where(Invitation.workshop_id == workshop.id, Invitation.organization_id.is_not(None))
    )
    absent = db.session.scalars(
        select(Organization)
        .where(
            Organization.id.in_(
                select(Invitation.organization_id).where(
                    Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False)
                )
            ),
            Organization.id.not_in(represented),
        )
        .order_by(Organization.kind, Organization.name)
    ).all()
    return Attendance(
        invited=sum(by_status.values()),
        accepted=by_status.get("accepted", 0),
        declined=by_status.get("declined", 0),
        delegated=by_status.get("delegated", 0),
        checked_in=checked_in,
        walk_ins=walk_ins,
        by_kind=by_kind,
        absent=list(absent),
    )
