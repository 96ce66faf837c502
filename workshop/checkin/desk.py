"""The check-in desk's pages: the search by name, the arrivals board, the printable sign-in
sheet and the attendance workbook. Reads only; checking in is `services.check_in`."""
from __future__ import annotations

import hashlib
from itertools import groupby
from operator import attrgetter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..attendance import attendance
from ..collation import invitation_key, vietnamese_key
from ..extensions import db
from ..models import KIND_LABELS, CheckIn, CheckInAttempt, Invitation, Workshop
from ..office.sheets import add_sheet, workbook_bytes, workshop_heading
from ..text import fold

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
    return version_of(db.session.execute(board_version_statement(workshop.id)).one())


def board_version_statement(workshop_id: int):
    """The one query behind `board_version`; the poll gate (workshop/polls.py) runs it too."""
    last_attempt = (select(func.max(CheckInAttempt.id))
                    .where(CheckInAttempt.workshop_id == workshop_id).scalar_subquery())
    return (select(last_attempt, func.count(Invitation.id), func.max(Invitation.id),
                   func.max(Invitation.responded_at))
            .where(Invitation.workshop_id == workshop_id))


def version_of(row) -> str:
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:20]


def board_etag(version: str, locale: str) -> str:
    """The board's ETag: its numbers' version in the language its labels are in."""
    return f"{version}-{locale}"


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
