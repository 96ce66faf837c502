"""Check-in at the door: exactly one per invitation, every attempt recorded, retries answered
the same.

Uniqueness is the database's job (one CheckIn row per invitation, one attempt per client_id in a
workshop): two phones scanning one pass at the same moment both insert, one wins, the other's
IntegrityError becomes "already checked in". No look-then-insert.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import attrgetter

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..attendance import Attendance, attendance  # noqa: F401  (the counts' one home)
from ..collation import invitation_key, vietnamese_key
from ..extensions import db
from ..invitations.services import find_by_token
from ..models import (
    KIND_LABELS,
    CheckIn,
    CheckInAttempt,
    Invitation,
    User,
    Workshop,
)
from ..office.sheets import add_sheet, workbook_bytes, workshop_heading
from ..phases import has_ended
from ..text import fold
from ..timeutil import as_local, utcnow

# A scan refused because the person is checked in, whose check-in is gone when we look (undone
# at that moment), tries again; twice more is plenty for a person undone and re-scanned by hand.
CHECK_IN_TRIES = 3


@dataclass
class ScanAnswer:
    """What the scanner is told: `result` is checked_in, already_checked_in, unknown,
    other_workshop or workshop_ended; `checked_in_at` is when the (first) check-in happened."""

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
) -> ScanAnswer:
    """Check in whoever `scanned` names, once. The same `client_id` is the same scan: it gets
    the first answer again. An offline scan keeps its `scanned_at` (never later than now); one
    outside the bounds of `scan_time_problem` raises ScanTimeRefused."""
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

    invitation_id, staff_id = invitation.id, staff.id if staff else None
    first = None
    for _try in range(CHECK_IN_TRIES):
        db.session.add(CheckIn(invitation_id=invitation_id, workshop_id=workshop.id,
                               checked_in_at=when, recorded_at=now, method=method,
                               staff_user_id=staff_id))
        db.session.add(_attempt(workshop, scanned, client_id, "checked_in", invitation_id, when,
                                now, staff_id))
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


def undo_check_in(invitation: Invitation, staff: User | None = None) -> bool:
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
    """A person who came without an invitation: registered and checked in in one step; not
    once the workshop has ended."""
    if has_ended(workshop, now):
        return ScanAnswer("workshop_ended")
    invitation = Invitation(workshop_id=workshop.id, name=name.strip(), title=title or None,
                            organization_id=organization_id, status="accepted", walk_in=True,
                            responded_at=now or utcnow())
    db.session.add(invitation)
    db.session.flush()
    return check_in(workshop, invitation.pass_token, staff=staff, method="walk_in", now=now)


# --- the desk's pages: search, board, sign-in sheet, export, self check-in ----------------

SEARCH_LIMIT = 20
METHOD_LABELS = {
    "scan": _l("Quét mã"),
    "manual": _l("Nhập mã"),
    "self": _l("Tự điểm danh"),
    "walk_in": _l("Đến trực tiếp"),
}


def _with_people(statement):
    """Load each invitation's agency and check-in with it: every list below shows both."""
    return statement.options(selectinload(Invitation.organization), selectinload(Invitation.checkin))


def search_invitations(workshop: Workshop, query: str, limit: int = SEARCH_LIMIT) -> list[Invitation]:
    """The workshop's invitations whose person, deputy, agency or short code holds every word of
    `query`, accents ignored ("nguyen an pho yen"). Invitations have no folded column, so the
    folding is done here, over one workshop's few hundred invitations."""
    words = fold(query).split()
    if not words:
        return []
    invitations = db.session.scalars(
        _with_people(select(Invitation).where(Invitation.workshop_id == workshop.id))
    )
    found = []
    for invitation in invitations:
        text = fold(" ".join(filter(None, (
            invitation.name, invitation.delegate_name, invitation.short_code,
            invitation.organization.name if invitation.organization else None,
        ))))
        if all(word in text for word in words):
            found.append(invitation)
    # The first `limit` in Vietnamese order of the person (then the agency), found among all.
    found.sort(key=lambda invitation: (vietnamese_key(invitation.attendee_name),
                                       invitation_key(invitation)))
    return found[:limit]


def recent_arrivals(workshop: Workshop, limit: int = 10) -> list[CheckIn]:
    """The latest check-ins, by the time of the scan (an offline scan takes its own place)."""
    return list(db.session.scalars(
        select(CheckIn).where(CheckIn.workshop_id == workshop.id)
        .options(selectinload(CheckIn.invitation).selectinload(Invitation.organization))
        .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc())
        .limit(limit)
    ))


def board_version(workshop: Workshop) -> str:
    """Changes whenever what the board shows may have: every scan, undo and walk-in writes an
    attempt; invitations are added, removed or answered. One cheap query, so that a board
    polling every few seconds is answered 304 without counting anything."""
    last_attempt = (select(func.max(CheckInAttempt.id))
                    .where(CheckInAttempt.workshop_id == workshop.id).scalar_subquery())
    row = db.session.execute(
        select(last_attempt, func.count(Invitation.id), func.max(Invitation.id),
               func.max(Invitation.responded_at))
        .where(Invitation.workshop_id == workshop.id)
    ).one()
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:20]


def roster(workshop: Workshop, *, expected_only: bool = False) -> list[Invitation]:
    """The workshop's invitations by agency kind, agency and person, walk-ins last.
    `expected_only` leaves out walk-ins and those who declined: the people a sign-in sheet lists."""
    statement = _with_people(select(Invitation).where(Invitation.workshop_id == workshop.id))
    if expected_only:
        statement = statement.where(Invitation.walk_in.is_(False), Invitation.status != "declined")
    return sorted(db.session.scalars(statement),
                  key=lambda invitation: invitation_key(invitation, attendee=True))


def sign_in_sheet(workshop: Workshop) -> list[tuple[str, list[Invitation]]]:
    """The printable backup sign-in sheet: the expected people grouped by agency kind."""
    return [(str(KIND_LABELS[kind]), list(rows))
            for kind, rows in groupby(roster(workshop, expected_only=True),
                                      key=attrgetter("agency_kind"))]


def attendance_xlsx(workshop: Workshop) -> bytes:
    """Attendance as a workbook: one row per invitation with its answer and check-in time (Vietnam
    time), then the counts by agency kind and the agencies nobody has represented."""
    workbook = Workbook()
    heading = workshop_heading(workshop)
    people = []
    for number, invitation in enumerate(roster(workshop), start=1):
        checkin = invitation.checkin
        people.append([
            number,
            invitation.organization.name if invitation.organization else None,
            str(KIND_LABELS[invitation.agency_kind]),
            invitation.attendee_name,
            invitation.attendee_title,
            invitation.stands_in_for,
            _("Đến trực tiếp") if invitation.walk_in else invitation.status_label,
            checkin.checked_in_at if checkin else None,
            str(METHOD_LABELS.get(checkin.method, checkin.method)) if checkin else None,
        ])
    add_sheet(workbook, _("Điểm danh"),
              (_("STT"), _("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Họ và tên"), _("Chức vụ"),
               _("Dự thay cho"), _("Trả lời"), _("Giờ điểm danh"), _("Cách điểm danh")),
              people, first=True, heading=heading)

    numbers = attendance(workshop)
    kinds = [[counts.label, counts.invited, counts.checked_in] for counts in numbers.kinds.values()]
    kinds.append([_("Tổng cộng"), numbers.invited, numbers.checked_in])
    add_sheet(workbook, _("Theo loại cơ quan"), (_("Loại cơ quan"), _("Được mời"), _("Có mặt")),
              kinds, heading=heading)
    add_sheet(workbook, _("Chưa có đại biểu"), (_("Cơ quan, đơn vị"), _("Loại cơ quan")),
              [[organization.name, organization.kind_label] for organization in numbers.absent],
              heading=heading)
    return workbook_bytes(workbook)


def self_check_in_open(workshop: Workshop, now: datetime | None = None) -> bool:
    """Self check-in opens on the workshop's day(s) only, in Vietnam dates, and closes when the
    workshop ends: the poster's link cannot check anybody in from home the week before."""
    now = now or utcnow()
    today = as_local(now).date()
    first = as_local(workshop.starts_at).date()
    return (first <= today <= as_local(workshop.ends_at or workshop.starts_at).date()
            and not has_ended(workshop, now))


def session_invitation(workshop: Workshop, token: str | None) -> Invitation | None:
    """The invitation of this workshop behind the personal-link token this browser opened."""
    invitation = find_by_token(token)
    return invitation if invitation and invitation.workshop_id == workshop.id else None


# The venue poster's secret: derived, never stored. A poster shown on a screen at the door
# carries the secret of the current 10-minute window (the current and the previous one are
# accepted, so that a phone that scanned just before the change still gets in); a printed
# poster carries the secret of its day, accepted on that day only.
DOOR_WINDOW_SECONDS = 600


def _door_mac(workshop: Workshop, label: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"door:{workshop.id}:{label}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def door_window(now: datetime | None = None) -> int:
    return int((now or utcnow()).timestamp()) // DOOR_WINDOW_SECONDS


def screen_secret(workshop: Workshop, now: datetime | None = None) -> str:
    """The secret of the poster on a screen at the door, for the current window."""
    return "s" + _door_mac(workshop, f"screen:{door_window(now)}")


def day_secret(workshop: Workshop, day: date) -> str:
    """The secret of a printed poster, valid on `day` (a Vietnam date) only."""
    return "d" + _door_mac(workshop, f"day:{day.isoformat()}")


def workshop_days(workshop: Workshop) -> list[date]:
    """The workshop's day(s), in Vietnam dates."""
    first = as_local(workshop.starts_at).date()
    last = max(first, as_local(workshop.ends_at or workshop.starts_at).date())
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def door_secret_valid(workshop: Workshop, secret: str | None, now: datetime | None = None) -> bool:
    """Whether `secret` is the poster's: the screen's current or previous window, or the
    printed poster of today."""
    if not secret or len(secret) > 32:
        return False
    now = now or utcnow()
    window = door_window(now)
    candidates = [
        "s" + _door_mac(workshop, f"screen:{window}"),
        "s" + _door_mac(workshop, f"screen:{window - 1}"),
        day_secret(workshop, as_local(now).date()),
    ]
    return any(hmac.compare_digest(secret, candidate) for candidate in candidates)


def self_check_in(workshop: Workshop, invitation: Invitation | None, secret: str | None, *,
                  client_id: str | None = None, now: datetime | None = None) -> ScanAnswer:
    """An attendee checks in at the door with their own phone: only the invitation whose
    personal link this browser opened (never a typed code), only with the secret of the
    poster at the door. `closed` outside the day(s) or once the workshop has ended,
    `not_at_door` without a valid secret, `no_invitation` without a personal link."""
    now = now or utcnow()
    if not self_check_in_open(workshop, now):
        return ScanAnswer("closed")
    if not door_secret_valid(workshop, secret, now):
        return ScanAnswer("not_at_door")
    if invitation is None or invitation.workshop_id != workshop.id:
        return ScanAnswer("no_invitation")
    return check_in(workshop, invitation.token, client_id=client_id, method="self", now=now)
