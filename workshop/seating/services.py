"""The seating plan (sơ đồ chỗ ngồi) and who gets a name plate (biển tên).

Protocol order, as a Vietnamese hall is seated: the host agency's leaders first, then the
province's agencies (cơ quan thuộc UBND tỉnh), the departments (Sở, Ban, Ngành), the districts,
the sub-departments, the others; within one agency its head before the deputies ("Phó …"), and
agencies and people in Vietnamese alphabetical order (workshop/collation.py). The organizer
arranges the plan in that order, then moves people up or down or gives them a row and a place;
a seat is stored on the invitation itself (row 0 is the head table).

Seated are the invitations that may still come: every one but the declined ones and those
whose deputy the organizer refused (nobody comes for them until the invitee answers again; a
deputy still pending may come), walk-ins included once registered (they take the free places
after everyone else). A seat such an invitation held stays on its row, out of the plan and the
plates: an arrangement goes round it, a new one from the start frees it.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import audit
from ..collation import vietnamese_key
from ..extensions import db
from ..models import Invitation, User, Workshop

# The agencies' kinds in protocol order, after the host (ORGANIZATION_KINDS is the directory's
# order, which puts the province's agencies after the districts).
PROTOCOL_KINDS = ("provincial_agency", "department", "district", "subdepartment", "other")
HEAD_TABLE = 0
MAX_ROW, MAX_PER_ROW = 200, 100
DEFAULT_PER_ROW = 10


class SeatingError(ValueError):
    """A change the plan cannot take; `field` names the input at fault (422), else 409."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def protocol_key(invitation: Invitation, host_id: int | None) -> tuple:
    organization = invitation.organization
    if invitation.walk_in:
        group = len(PROTOCOL_KINDS) + 1
    elif organization is not None and organization.id == host_id:
        group = 0
    else:
        kind = organization.kind if organization is not None else "other"
        group = 1 + (PROTOCOL_KINDS.index(kind) if kind in PROTOCOL_KINDS else len(PROTOCOL_KINDS))
    title = (invitation.attendee_title or "").strip().lower()
    deputy_rank = title.startswith("phó")  # Giám đốc before Phó Giám đốc
    return (group, vietnamese_key(organization.name if organization else ""), deputy_rank,
            vietnamese_key(invitation.attendee_name), invitation.id)


# Who may still come, in SQL: not declined, and no deputy refused by the organizer.
MAY_COME = (Invitation.status != "declined",
            or_(Invitation.deputy_state.is_(None), Invitation.deputy_state != "refused"))


def may_come(invitation: Invitation) -> bool:
    """The same for one invitation."""
    return invitation.status != "declined" and invitation.deputy_state != "refused"


def invitees(workshop: Workshop) -> list[Invitation]:
    """Who may sit in the hall, in protocol order."""
    rows = db.session.scalars(
        select(Invitation).where(Invitation.workshop_id == workshop.id, *MAY_COME)
        .options(selectinload(Invitation.organization))).all()
    return sorted(rows, key=lambda invitation: protocol_key(invitation, workshop.host_organization_id))


def seat_key(invitation: Invitation) -> tuple[int, int]:
    return invitation.seat_row, invitation.seat_number


@dataclass(frozen=True)
class Row:
    number: int  # 0: the head table
    seats: list[Invitation]

    @property
    def is_head_table(self) -> bool:
        return self.number == HEAD_TABLE

    @property
    def label(self) -> str:
        return _("Bàn chủ tọa") if self.is_head_table else _("Hàng %(row)d", row=self.number)


@dataclass(frozen=True)
class Plan:
    rows: list[Row]
    unseated: list[Invitation]  # in protocol order

    @property
    def seated(self) -> list[Invitation]:
        return [invitation for row in self.rows for invitation in row.seats]

    @property
    def everyone(self) -> list[Invitation]:
        """The name plates' order: the head table, the rows, then those without a seat."""
        return self.seated + self.unseated


def plan_of(workshop: Workshop) -> Plan:
    people = invitees(workshop)
    seated = sorted((person for person in people if person.seat_row is not None), key=seat_key)
    rows: dict[int, list[Invitation]] = {}
    for person in seated:
        rows.setdefault(person.seat_row, []).append(person)
    return Plan([Row(number, seats) for number, seats in sorted(rows.items())],
                [person for person in people if person.seat_row is None])


def _check_numbers(per_row: int, head_table: int) -> None:
    if not 1 <= per_row <= MAX_PER_ROW:
        raise SeatingError(_("Số ghế mỗi hàng phải từ 1 đến %(max)d.", max=MAX_PER_ROW), "per_row")
    if not 0 <= head_table <= MAX_PER_ROW:
        raise SeatingError(_("Số ghế bàn chủ tọa phải từ 0 đến %(max)d.", max=MAX_PER_ROW),
                           "head_table")


def arrange(workshop: Workshop, *, per_row: int = DEFAULT_PER_ROW, head_table: int = 0,
            reset: bool = False, actor: User | None = None) -> Plan:
    """Seat in protocol order: with `reset` (or when nobody is seated yet), everyone anew (the
    first `head_table` people at the head table, then rows of `per_row`); without it, those
    already seated keep their seats and the others take the free places after the last seated
    row's people, row by row."""
    _check_numbers(per_row, head_table)
    people = invitees(workshop)
    with _one_change():
        _seat_in_order(workshop, people, per_row, head_table, reset, actor)
    return plan_of(workshop)


def _seat_in_order(workshop: Workshop, people: list[Invitation], per_row: int, head_table: int,
                   reset: bool, actor: User | None) -> None:
    # Seats still held by those who will not come (declined, deputy refused): freed when the
    # hall is seated anew, else gone round (they keep theirs should the invitee answer again).
    absent = db.session.scalars(select(Invitation).where(
        Invitation.workshop_id == workshop.id, Invitation.seat_row.is_not(None),
        Invitation.id.not_in([person.id for person in people]))).all()
    if reset:
        for person in [*people, *absent]:
            person.seat_row = person.seat_number = None
        db.session.flush()  # the old seats are free before anyone takes one
    taken = {seat_key(person) for person in people if person.seat_row is not None}
    if not reset:
        taken |= {seat_key(person) for person in absent}
    waiting = [person for person in people if person.seat_row is None]
    count = len(waiting)
    # The head table is filled when everyone is seated anew, and on a first arrangement too
    # (nobody seated yet): the organizer who asked for its seats expects them taken.
    if head_table and (reset or not taken):
        for number, person in enumerate(waiting[:head_table], start=1):
            person.seat_row, person.seat_number = HEAD_TABLE, number
        waiting = waiting[head_table:]
    row = max((seat[0] for seat in taken), default=0) if not reset else 1
    row, number = max(row, 1), 0
    for person in waiting:
        while True:
            number += 1
            if number > per_row:
                row, number = row + 1, 1
            if (row, number) not in taken:
                break
        if row > MAX_ROW:  # nothing is kept: _one_change rolls back
            raise SeatingError(_("Hội trường không đủ %(max)d hàng ghế cho số người này.",
                                 max=MAX_ROW), "per_row")
        person.seat_row, person.seat_number = row, number
    audit.log("seating.arrange", workshop=workshop, actor=actor,
              detail=_("Xếp %(count)d người, %(per_row)d ghế mỗi hàng", count=count,
                       per_row=per_row) + (" (" + _("xếp lại từ đầu") + ")" if reset else ""))


def _invitation(workshop: Workshop, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.workshop_id != workshop.id:
        raise LookupError(invitation_id)
    if invitation.status == "declined":
        raise SeatingError(_("Người này đã báo không tham dự nên không xếp chỗ."))
    if not may_come(invitation):
        raise SeatingError(_("Ban tổ chức không chấp thuận người dự thay nên không xếp chỗ."))
    return invitation


def _swap(first: Invitation, second: Invitation | None, seat: tuple[int | None, int | None]) -> None:
    """`first` takes `seat`; `second`, who held it, takes `first`'s old seat (or none). The
    seats are freed first: the unique seat constraint holds at every statement."""
    old = (first.seat_row, first.seat_number)
    first.seat_row = first.seat_number = None
    if second is not None:
        second.seat_row = second.seat_number = None
    db.session.flush()
    if second is not None and old[0] is not None:
        second.seat_row, second.seat_number = old
    first.seat_row, first.seat_number = seat
    db.session.flush()


def set_seat(workshop: Workshop, invitation_id: int, row: int | None, number: int | None,
             actor: User | None = None) -> Invitation:
    """Give the person `row`, `number` (None, None: no seat). A seat someone else holds is
    swapped: they take the person's old seat, or none."""
    invitation = _invitation(workshop, invitation_id)
    if (row is None) != (number is None):
        raise SeatingError(_("Cần cả hàng và số ghế."), "number" if number is None else "row")
    if row is not None and not 0 <= row <= MAX_ROW:
        raise SeatingError(_("Hàng phải từ 0 (bàn chủ tọa) đến %(max)d.", max=MAX_ROW), "row")
    if number is not None and not 1 <= number <= MAX_PER_ROW:
        raise SeatingError(_("Số ghế phải từ 1 đến %(max)d.", max=MAX_PER_ROW), "number")
    holder = None
    if row is not None:
        holder = db.session.scalar(select(Invitation).where(
            Invitation.workshop_id == workshop.id, Invitation.seat_row == row,
            Invitation.seat_number == number, Invitation.id != invitation.id))
    with _one_change():
        _swap(invitation, holder, (row, number))
        audit.log("seating.move", workshop=workshop, actor=actor,
                  detail=f"{invitation.attendee_name}: {invitation.seat_label or _('chưa xếp chỗ')}")
    return invitation


def move(workshop: Workshop, invitation_id: int, direction: str,
         actor: User | None = None) -> Invitation:
    """Swap seats with the person before (`up`) or after (`down`) in the plan's order."""
    invitation = _invitation(workshop, invitation_id)
    if direction not in ("up", "down"):
        raise SeatingError(_("Hướng chuyển không hợp lệ."), "direction")
    if invitation.seat_row is None:
        raise SeatingError(_("Người này chưa được xếp chỗ."))
    seated = plan_of(workshop).seated
    index = seated.index(invitation) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(seated):
        raise SeatingError(_("Đã ở đầu sơ đồ.") if direction == "up" else _("Đã ở cuối sơ đồ."))
    neighbour = seated[index]
    with _one_change():
        _swap(invitation, neighbour, seat_key(neighbour))
        audit.log("seating.move", workshop=workshop, actor=actor,
                  detail=f"{invitation.attendee_name}: {invitation.seat_label}")
    return invitation


@contextmanager
def _one_change():
    """The change and its audit row in one commit. Another organizer changing the same seats
    at the same moment breaks the one-person-a-seat constraint at a flush or at the commit:
    nothing of this change is kept, and they are told to reload. A refusal midway (a hall too
    small) keeps nothing either."""
    try:
        yield
        db.session.commit()
    except SeatingError:
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()
        raise SeatingError(_("Sơ đồ vừa được người khác thay đổi, vui lòng tải lại và thử lại.")) \
            from None
