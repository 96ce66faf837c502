"""Workshops and their agendas: creation, the rules on times and chairs, and the numbers that
the list and the dashboard show."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NoReturn

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import audit
from ..attendance import Attendance, attendance, attendance_by_workshop  # noqa: F401
from ..auth.rights import can_act_on, visible_workshop_ids
from ..auth.services import normalize_email
from ..collation import agency_key
from ..extensions import db
from ..models import Organization, User, Workshop, WorkshopSession
from ..statements import built_once
from ..text import fold

CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]")
CHAIR_ROLES = ("chair", "organizer")


# Sessions and their chairs in two extra queries whatever the number of workshops.
AGENDA_LOADER = selectinload(Workshop.sessions).selectinload(WorkshopSession.chair)


class EventError(ValueError):
    """Refused input, with a message per field (the same names as the forms and the API)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


@dataclass
class WorkshopData:
    """What an organizer fills in for a workshop; the code is given only at creation."""

    title: str
    starts_at: datetime
    venue: str
    ends_at: datetime | None = None
    rsvp_deadline: datetime | None = None
    description: str | None = None
    host_organization_id: int | None = None
    host_parent_name: str | None = None
    letter_code: str | None = None
    letter_place: str | None = None
    signer_authority: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None
    letter_number: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contribution_deadline: datetime | None = None
    previous_code: str | None = None
    deputy_approval: bool = False

    def __post_init__(self) -> None:
        # A body or form that leaves the choice out (None) means no approval asked.
        self.deputy_approval = bool(self.deputy_approval)


@dataclass
class SessionData:
    """One agenda item; the chair is named by account id (pages) or e-mail (API)."""

    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    presenter: str | None = None
    moderated: bool = False
    description: str | None = None
    chair_id: int | None = None
    chair_email: str | None = None


@dataclass
class WorkshopRow:
    workshop: Workshop
    attendance: Attendance


def list_workshops(user: User | None = None) -> list[WorkshopRow]:
    """Workshops, the latest first, with invited / answered / present; given an account, only
    those it may act on."""
    query = select(Workshop).order_by(Workshop.starts_at.desc(), Workshop.id)
    visible = visible_workshop_ids(user) if user is not None else None
    if visible is not None:
        query = query.where(Workshop.id.in_(visible))
    workshops = db.session.scalars(query)
    numbers = attendance_by_workshop()
    return [WorkshopRow(workshop, numbers.get(workshop.id) or Attendance())
            for workshop in workshops]


def get_workshop(code: str, *, agenda: bool = True) -> Workshop | None:
    """The workshop with its agenda and the agenda's chairs, loaded together; `agenda=False`
    for a call that needs the workshop's own row only (a scan: one statement, not three)."""
    return db.session.scalar(_by_code(agenda), {"code": code})


@built_once
def _by_code(agenda: bool):
    """get_workshop's statements, built once: a scan and every call with a workshop's code run
    one, and building it again cost about as much CPU as running it."""
    statement = select(Workshop).where(Workshop.code == bindparam("code"))
    return statement.options(AGENDA_LOADER) if agenda else statement


def workshop_or_404(code: str, *, agenda: bool = True) -> Workshop:
    """The workshop for a page or an API call; an unknown code is a 404 that says so (a page
    in the user's language, or the API's JSON error)."""
    workshop = get_workshop(code, agenda=agenda)
    if workshop is None:
        no_such_workshop()
    return workshop


@dataclass(frozen=True)
class WorkshopClock:
    """A workshop's id and times, all a scan at the door asks of it (phases.has_ended reads
    the times as it reads a Workshop's): read with the pass, in the door's one statement."""

    id: int
    starts_at: datetime
    ends_at: datetime | None


def no_such_workshop() -> NoReturn:
    """The 404 of a code no workshop has (a page in the user's language, or the API's JSON
    error)."""
    abort(404, description=_("Không tìm thấy hội thảo có mã này."))


def _time_errors(starts_at: datetime | None, ends_at: datetime | None) -> dict[str, list[str]]:
    """The one rule on times that holds for a workshop and for each session: ends ≥ starts."""
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        return {"ends_at": [_("Thời gian kết thúc phải sau thời gian bắt đầu.")]}
    return {}


def _check_workshop(data: WorkshopData, workshop: Workshop | None = None) -> None:
    errors = _time_errors(data.starts_at, data.ends_at)
    if data.contribution_deadline is not None and data.contribution_deadline > data.starts_at:
        errors["contribution_deadline"] = [_("Hạn gửi báo cáo tham luận phải trước khi hội thảo "
                                             "bắt đầu.")]
    if data.previous_code is not None:
        if workshop is not None and data.previous_code == workshop.code:
            errors["previous_code"] = [_("Kỳ trước phải là một hội thảo khác.")]
        elif db.session.scalar(select(Workshop.id).where(Workshop.code == data.previous_code)) is None:
            errors["previous_code"] = [_("Không có hội thảo nào có mã này.")]
    if data.rsvp_deadline is not None and data.rsvp_deadline > data.starts_at:
        errors["rsvp_deadline"] = [_("Hạn trả lời phải trước khi hội thảo bắt đầu.")]
    if data.host_organization_id is not None and db.session.get(
        Organization, data.host_organization_id
    ) is None:
        errors["host_organization_id"] = [_("Không tìm thấy cơ quan này trong danh bạ.")]
    if errors:
        raise EventError(errors)


def _code_taken_error() -> EventError:
    return EventError({"code": [_("Mã hội thảo này đã được dùng. Vui lòng chọn mã khác.")]})


def _check_code(code: str) -> None:
    if not CODE_PATTERN.fullmatch(code):
        raise EventError({"code": [_(
            "Mã hội thảo dài 3–40 ký tự, chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, "
            "không bắt đầu hay kết thúc bằng dấu gạch ngang."
        )]})
    if db.session.scalar(select(Workshop.id).where(Workshop.code == code)) is not None:
        raise _code_taken_error()


def new_code(title: str, starts_at: datetime) -> str:
    """A readable unused code from the title and the year: "danh-gia-05-nam-ap-dung-2014"."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")
    words = words.removeprefix("hoi-thao-")  # every workshop is one; keep the words that tell
    if len(words) > 24:  # cut at the last whole word that fits
        cut = words[:25]
        words = cut.rsplit("-", 1)[0] if "-" in cut else cut[:24]
    base = f"{words.strip('-') or 'hoi-thao'}-{starts_at.year}"
    taken = set(db.session.scalars(select(Workshop.code).where(Workshop.code.like(f"{base}%"))))
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def create_workshop(data: WorkshopData, code: str | None = None, *,
                    actor: User | None = None) -> Workshop:
    """A new workshop; without a code, one is made from the title."""
    _check_workshop(data)
    if code:
        _check_code(code)
    workshop = Workshop(code=code or new_code(data.title, data.starts_at), **vars(data))
    db.session.add(workshop)
    try:
        audit.log("events.create_workshop", workshop=workshop, detail=workshop.title, actor=actor)
        db.session.commit()
    except IntegrityError:  # the same code taken at the same moment by another request
        db.session.rollback()
        raise _code_taken_error() from None
    return workshop


def update_workshop(workshop: Workshop, data: WorkshopData, *, actor: User | None = None) -> Workshop:
    """Change everything but the code, which links and API clients already use."""
    _check_workshop(data, workshop)
    for name, value in vars(data).items():
        setattr(workshop, name, value)
    audit.log("events.edit_workshop", workshop=workshop, detail=workshop.title, actor=actor)
    db.session.commit()
    return workshop


def host_candidates() -> list[Organization]:
    """Agencies that may host a workshop: the whole directory, grouped by kind."""
    return sorted(db.session.scalars(select(Organization)), key=agency_key)


def chair_candidates(workshop: Workshop | None = None) -> list[User]:
    """Accounts that may chair a session (of `workshop`, when given)."""
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(CHAIR_ROLES)).order_by(User.name))
    return [user for user in users if workshop is None or can_act_on(user, workshop, "chair")]


def _chair(data: SessionData, workshop: Workshop) -> tuple[User | None, dict[str, list[str]]]:
    """The chosen chair, who must be an active chair or organizer account that may chair on
    this workshop (a team-limited account: in its team as chair), or the problem."""
    if data.chair_email:
        name = "chair_email"
        user = db.session.scalar(select(User).where(User.email == normalize_email(data.chair_email)))
    elif data.chair_id is not None:
        name = "chair_id"
        user = db.session.get(User, data.chair_id)
    else:
        return None, {}
    if user is None:
        return None, {name: [_("Không tìm thấy tài khoản này.")]}
    if not user.active or user.role not in CHAIR_ROLES:
        return None, {name: [_(
            "Người chủ trì phải là tài khoản đang hoạt động có vai trò Chủ trì hoặc Ban tổ chức."
        )]}
    if not can_act_on(user, workshop, "chair"):
        return None, {name: [_(
            "Tài khoản này không thuộc nhóm công tác của hội thảo với vai trò Chủ trì."
        )]}
    return user, {}


def _apply_session(session: WorkshopSession, data: SessionData, workshop: Workshop) -> None:
    chair, errors = _chair(data, workshop)
    errors |= _time_errors(data.starts_at, data.ends_at)
    if errors:
        raise EventError(errors)
    session.chair = chair
    session.title = data.title
    session.starts_at = data.starts_at
    session.ends_at = data.ends_at
    session.presenter = data.presenter
    session.moderated = data.moderated
    session.description = data.description


def get_session(workshop: Workshop, session_id: int) -> WorkshopSession | None:
    """A session of this workshop only: an id from another workshop finds nothing."""
    session = db.session.get(WorkshopSession, session_id)
    return session if session is not None and session.workshop_id == workshop.id else None


def add_session(workshop: Workshop, data: SessionData, *, actor: User | None = None) -> WorkshopSession:
    """A new agenda item, placed last."""
    session = WorkshopSession()
    _apply_session(session, data, workshop)
    last = db.session.scalar(
        select(func.max(WorkshopSession.position)).where(WorkshopSession.workshop_id == workshop.id)
    )
    session.position = (last or 0) + 1
    workshop.sessions.append(session)
    audit.log("events.add_session", workshop=workshop, detail=session.title, actor=actor)
    db.session.commit()
    return session


def update_session(session: WorkshopSession, data: SessionData, *,
                   actor: User | None = None) -> WorkshopSession:
    _apply_session(session, data, session.workshop)
    audit.log("events.edit_session", workshop=session.workshop, detail=session.title, actor=actor)
    db.session.commit()
    return session


def delete_session(session: WorkshopSession, *, actor: User | None = None) -> None:
    audit.log("events.delete_session", workshop=session.workshop, detail=session.title, actor=actor)
    db.session.delete(session)
    db.session.commit()


def set_question_session(workshop: Workshop, session: WorkshopSession | None, *,
                         actor: User | None = None) -> None:
    """Make `session` the one that takes questions while no session is running (None: no
    session is marked; questions then go to the first). At most one per workshop."""
    for item in workshop.sessions:
        item.open_for_questions = item is session
    audit.log("events.question_session", workshop=workshop,
              detail=session.title if session is not None else None, actor=actor)
    db.session.commit()


def move_session(session: WorkshopSession, direction: Literal["up", "down"], *,
                 actor: User | None = None) -> None:
    """Swap with the neighbour, then number the agenda 1..n (old positions may repeat)."""
    agenda = list(session.workshop.sessions)
    index = agenda.index(session)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(agenda):
        agenda[index], agenda[other] = agenda[other], agenda[index]
    for position, item in enumerate(agenda, start=1):
        item.position = position
    audit.log("events.move_session", workshop=session.workshop, detail=session.title, actor=actor)
    db.session.commit()

