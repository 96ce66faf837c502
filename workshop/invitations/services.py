"""Invitations: choosing invitees, the invitee's answer (RSVP), and the organizer's tracking.

Every invitation names one person and carries its own random tokens (see the model); its
`letter_number` is the "Số: N/GM-…" of the official letter, unique within its workshop.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import Select, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..attendance import attendance
from ..collation import agency_key, invitation_key
from ..extensions import db
from ..links import personal_url
from ..models import (
    INVITATION_STATUSES,
    SALUTATIONS,
    STATUS_LABELS,
    STATUS_ORDER,
    UNANSWERED_STATUSES,
    Invitation,
    Organization,
    OutboxMessage,
    Workshop,
)
from ..office.sheets import add_sheet, workbook_bytes, workshop_heading
from ..phases import AFTER, BEFORE, phase
from ..text import fold
from ..timeutil import local_time, long_date, utcnow

# What the invitee says (API and forms) and the state it puts the invitation in.
RESPONSES = {"accept": "accepted", "decline": "declined", "delegate": "delegated"}
RESPONSE_OF_STATUS = {status: response for response, status in RESPONSES.items()}
# A filter of the tracking page besides the five states: every invitation not answered yet.
UNANSWERED_FILTER = "unanswered"
STATUS_FILTERS = (UNANSWERED_FILTER, *STATUS_ORDER)
NUMBERING_ATTEMPTS = 5
MAX_TEXT = 255  # the length of the name and title columns
# 8 to 15 digits, written with the spaces, dots, dashes and brackets people use.
_PHONE = re.compile(r"^\+?[0-9 .()\-]+$")

T = TypeVar("T")


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
    return db.session.scalar(select(Invitation).where(Invitation.token == token))


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


# --- choosing invitees --------------------------------------------------------------------


@dataclass
class Selection:
    """The agencies an organizer ticked: those to invite, and those already invited."""

    new: list[Organization] = field(default_factory=list)
    already_invited: list[Organization] = field(default_factory=list)


def invited_organization_ids(workshop: Workshop) -> set[int]:
    return set(db.session.scalars(
        select(Invitation.organization_id).where(
            Invitation.workshop_id == workshop.id,
            Invitation.organization_id.is_not(None),
            Invitation.walk_in.is_(False),
        )
    ))


def select_organizations(workshop: Workshop, organization_ids: Iterable[int] = (),
                         kinds: Iterable[str] = ()) -> Selection:
    """Every agency of the ticked kinds plus the ones ticked one by one, in directory order."""
    ids, kinds = set(organization_ids), set(kinds)
    if not ids and not kinds:
        return Selection()
    chosen = db.session.scalars(
        select(Organization).where(or_(Organization.id.in_(ids), Organization.kind.in_(kinds)))
    )
    invited = invited_organization_ids(workshop)
    selection = Selection()
    for organization in sorted(chosen, key=agency_key):
        target = selection.already_invited if organization.id in invited else selection.new
        target.append(organization)
    return selection


def leader_invitation(workshop: Workshop, organization: Organization) -> Invitation:
    """A new (unsaved) invitation for the agency's leader, with the directory's contacts.

    Without a leader's name in the directory the letter goes to the agency's leadership
    ("Lãnh đạo Sở …"), always in Vietnamese since it is printed on the official letter.
    """
    return Invitation(
        workshop_id=workshop.id,
        organization=organization,
        name=organization.leader_name or f"Lãnh đạo {organization.name}",
        salutation=organization.leader_salutation if organization.leader_name else None,
        title=organization.leader_title,
        email=organization.email,
        phone=organization.phone,
    )


def _issue_numbers(workshop_id: int, count: int) -> int:
    """Take the workshop's next `count` letter numbers and return the last one.

    One UPDATE raises the workshop's counter (never below a number already given by hand), so
    two organizers or import clients creating at the same moment get different numbers: the
    database applies the two raises one after the other, and each commit releases the next.
    """
    given = (select(func.coalesce(func.max(Invitation.letter_number), 0))
             .where(Invitation.workshop_id == workshop_id).scalar_subquery())
    counter = Workshop.last_invitation_number
    return db.session.execute(
        update(Workshop).where(Workshop.id == workshop_id)
        .values(last_invitation_number=case((counter >= given, counter), else_=given) + count)
        .returning(Workshop.last_invitation_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _save_numbered(workshop: Workshop, build: Callable[[], tuple[list[Invitation], T]]
                   ) -> tuple[list[Invitation], T]:
    """Give the invitations that `build` makes the next letter numbers of the workshop and commit.

    The numbers come from the workshop's counter in the same transaction, so they are never
    taken twice. A clash of the random tokens or codes (the unique constraints) starts again
    from a fresh `build`.
    """
    workshop_id = workshop.id
    for _attempt in range(NUMBERING_ATTEMPTS):
        invitations, extra = build()
        if invitations:
            last = _issue_numbers(workshop_id, len(invitations))
            for number, invitation in enumerate(invitations, start=last - len(invitations) + 1):
                invitation.letter_number = number
        db.session.add_all(invitations)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return invitations, extra
    raise InvitationError(_("Không cấp được số giấy mời vì nhiều người đang cùng thao tác. "
                            "Vui lòng thử lại."))


@dataclass
class InviteResult:
    created: list[Invitation]
    skipped: list[Organization]


def invite_organizations(workshop: Workshop, organization_ids: Iterable[int] = (),
                         kinds: Iterable[str] = ()) -> InviteResult:
    """One invitation per chosen agency, for its leader; agencies already invited to this
    workshop are skipped and reported."""
    organization_ids, kinds = list(organization_ids), list(kinds)

    def build() -> tuple[list[Invitation], list[Organization]]:
        selection = select_organizations(workshop, organization_ids, kinds)
        return ([leader_invitation(workshop, organization) for organization in selection.new],
                selection.already_invited)

    created, skipped = _save_numbered(workshop, build)
    return InviteResult(created, skipped)


def _check_organization(organization_id: int | None) -> None:
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        message = _("Không có cơ quan này trong danh bạ.")
        raise InvitationError(message, {"organization_id": [message]})


def _person_fields(name: str, title: str | None, organization_id: int | None, email: str | None,
                   phone: str | None, salutation: str | None = None) -> dict:
    if not _clean(name):
        message = _("Vui lòng nhập họ và tên người được mời.")
        raise InvitationError(message, {"name": [message]})
    _check_organization(organization_id)
    salutation = _clean(salutation)
    if salutation is not None and salutation not in SALUTATIONS:
        message = _("Danh xưng là Ông hoặc Bà (để trống: gửi theo chức vụ).")
        raise InvitationError(message, {"salutation": [message]})
    return {"name": _clean(name), "title": _clean(title), "organization_id": organization_id,
            "email": _clean(email), "phone": _clean(phone), "salutation": salutation}


def default_salutation(name: str, organization_id: int | None) -> str | None:
    """How the directory addresses this person: its agency's leader has a salutation there;
    anyone else is addressed by position (None)."""
    organization = db.session.get(Organization, organization_id) if organization_id else None
    if organization is None or not organization.leader_name:
        return None
    return organization.leader_salutation if fold(organization.leader_name) == fold(name) else None


def invite_person(workshop: Workshop, name: str, title: str | None = None,
                  organization_id: int | None = None, email: str | None = None,
                  phone: str | None = None, salutation: str | None = None) -> Invitation:
    """An invitation for someone chosen by hand (outside the directory, or a second person);
    without a salutation, the directory's for its agency's leader (else by position)."""
    values = _person_fields(name, title, organization_id, email, phone, salutation)
    if values["salutation"] is None:
        values["salutation"] = default_salutation(values["name"], organization_id)
    created, _none = _save_numbered(
        workshop, lambda: ([Invitation(workshop_id=workshop.id, **values)], None)
    )
    return created[0]


def update_invitation(invitation: Invitation, name: str, title: str | None = None,
                      organization_id: int | None = None, email: str | None = None,
                      phone: str | None = None, salutation: str | None = None) -> Invitation:
    """Correct who is invited and how the letter addresses them; the tokens, the number and
    the answer stay."""
    for key, value in _person_fields(name, title, organization_id, email, phone,
                                     salutation).items():
        setattr(invitation, key, value)
    db.session.commit()
    return invitation


def delete_invitation(invitation: Invitation) -> None:
    """Only a draft: once sent, the letter exists outside and its number must stay taken.

    Its e-mails still waiting in the outbox go with it; one that a sender is handing to the
    mail server at this moment may arrive, so the draft stays until that attempt is over."""
    if invitation.status != "draft":
        raise InvitationError(_("Chỉ xóa được giấy mời chưa gửi. Giấy mời này đã gửi hoặc đã có "
                                "trả lời."))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id,
                                                   OutboxMessage.status == "queued"))
    if db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.invitation_id == invitation.id, OutboxMessage.status == "sending").limit(1)):
        db.session.rollback()
        raise InvitationError(_("E-mail giấy mời này đang được gửi đi; vui lòng thử xóa lại sau "
                                "ít phút."))
    db.session.delete(invitation)
    db.session.commit()


def mark_sent(workshop: Workshop, invitation_ids: Iterable[int] | None = None) -> int:
    """Letters delivered by hand, by post or by Zalo: draft → sent without any e-mail (the one
    other way to `sent` than a mail server accepting its e-mail, see the outbox). Whatever
    happened to its e-mail, the organizer's word counts. Returns how many changed; answered
    invitations keep their answer."""
    statement = update(Invitation).where(
        Invitation.workshop_id == workshop.id, Invitation.status == "draft",
        Invitation.walk_in.is_(False))
    if invitation_ids is not None:
        statement = statement.where(Invitation.id.in_(list(invitation_ids)))
    changed = db.session.execute(statement.values(status="sent")).rowcount
    db.session.commit()
    return changed


# --- the answer (RSVP) ----------------------------------------------------------------------


def answer_deadline(workshop: Workshop) -> datetime:
    """Answers may change until the RSVP deadline, or until the workshop starts if none is set."""
    return workshop.rsvp_deadline or workshop.starts_at


def can_answer(invitation: Invitation, now: datetime | None = None) -> bool:
    return (now or utcnow()) <= answer_deadline(invitation.workshop)


def first_on_page(invitation: Invitation, now: datetime | None = None) -> str:
    """What the personal page shows first, by the workshop's phase: `answer` before the
    deadline (and for whoever declined, who has no pass), `pass` from the deadline and on the
    day, `summary` once the workshop has ended."""
    now = now or utcnow()
    current = phase(invitation.workshop, now)
    if current == AFTER:
        return "summary"
    if invitation.status == "declined" or (current == BEFORE and can_answer(invitation, now)):
        return "answer"
    return "pass"


def clean_phone(phone: str | None) -> str | None:
    """A phone number as typed, if it looks like one (8 to 15 digits); raises ValueError."""
    phone = _clean(phone)
    if phone is None:
        return None
    digits = sum(ch.isdigit() for ch in phone)
    if not _PHONE.match(phone) or not 8 <= digits <= 15:
        raise ValueError(_("Số điện thoại không hợp lệ (ví dụ 0912 345 678)."))
    return phone


def _deputy(name: str | None, title: str | None, phone: str | None
            ) -> tuple[str, str | None, str | None]:
    """The deputy's name (required), title and phone, cleaned; every problem at once."""
    name, title = _clean(name), _clean(title)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["delegate_name"] = [_("Vui lòng nhập họ và tên người dự thay.")]
    for key, value in (("delegate_name", name), ("delegate_title", title)):
        if value and len(value) > MAX_TEXT:
            errors.setdefault(key, []).append(_("Tối đa %(max)d ký tự.", max=MAX_TEXT))
    try:
        phone = clean_phone(phone)
    except ValueError as error:
        errors["delegate_phone"] = [str(error)]
    if errors:
        raise InvitationError(next(iter(errors.values()))[0], errors)
    return name, title, phone


def respond(invitation: Invitation, response: str, delegate_name: str | None = None,
            delegate_title: str | None = None, delegate_phone: str | None = None,
            now: datetime | None = None) -> Invitation:
    """Record the invitee's answer: accept, decline, or send a deputy (whose name is required).

    The answer can be changed until the deadline; after it nothing changes and AnswerClosed
    says why. A deputy's details are kept only with the "delegate" answer.
    """
    now = now or utcnow()
    if response not in RESPONSES:
        message = _("Vui lòng chọn: tham dự, cử người dự thay hoặc không tham dự.")
        raise InvitationError(message, {"response": [message]})
    if not can_answer(invitation, now):
        deadline = answer_deadline(invitation.workshop)
        raise AnswerClosed(_(
            "Đã hết hạn xác nhận tham dự (%(time)s %(date)s); câu trả lời không thể thay đổi. "
            "Vui lòng liên hệ trực tiếp Ban tổ chức.",
            time=local_time(deadline), date=long_date(deadline),
        ))
    name = title = phone = None
    if response == "delegate":
        name, title, phone = _deputy(delegate_name, delegate_title, delegate_phone)
    # One statement writes the whole answer: two answers sent at the same instant are then
    # applied one after the other, each complete, never mixed (the ORM would write only the
    # columns this request changed, keeping the other answer's deputy with an "accept").
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id)
        .values(status=RESPONSES[response], delegate_name=name, delegate_title=title,
                delegate_phone=phone, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # expires the invitation: it is read again as the database now holds it
    return invitation


# --- tracking -------------------------------------------------------------------------------


def tracking_xlsx(workshop: Workshop) -> bytes:
    """The tracking view as a workbook: every invitation, the counts by kind, and the agencies
    nobody will represent."""
    workbook = Workbook()
    header = [_("Số giấy mời"), _("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Người được mời"),
              _("Chức vụ"), _("E-mail"), _("Điện thoại"), _("Trạng thái"), _("Người dự thay"),
              _("Chức vụ người dự thay"), _("Điện thoại người dự thay"), _("Trả lời lúc"),
              _("Điểm danh lúc")]
    rows = []
    for invitation in list_invitations(workshop):
        organization = invitation.organization
        rows.append([
            invitation.letter_number, organization.name if organization else None,
            organization.kind_label if organization else None, invitation.name, invitation.title,
            invitation.email, invitation.phone, invitation.status_label, invitation.delegate_name,
            invitation.delegate_title, invitation.delegate_phone,
            invitation.responded_at,
            invitation.checkin.checked_in_at if invitation.checkin else None,
        ])
    heading = workshop_heading(workshop)
    add_sheet(workbook, _("Giấy mời"), header, rows, first=True, heading=heading)

    counts = attendance(workshop)
    add_sheet(
        workbook, _("Tổng hợp"),
        [_("Loại cơ quan"), _("Đã mời")] + [str(STATUS_LABELS[s]) for s in INVITATION_STATUSES],
        [[numbers.label, numbers.invited] + [numbers.by_status[s] for s in INVITATION_STATUSES]
         for numbers in counts.invited_kinds.values()]
        + [[_("Tổng cộng"), counts.invited] + [counts.by_status[s] for s in INVITATION_STATUSES]],
        heading=heading,
    )
    add_sheet(
        workbook, _("Chưa có ai dự"),
        [_("Cơ quan, đơn vị"), _("Loại cơ quan"), _("Lãnh đạo"), _("Điện thoại"),
         _("Không tham dự"), _("Chưa trả lời")],
        [[agency.organization.name, agency.organization.kind_label, agency.organization.leader_name,
          agency.organization.phone, agency.declined, agency.unanswered]
         for agency in counts.without_anyone],
        heading=heading,
    )
    return workbook_bytes(workbook)


def share_message(invitation: Invitation) -> str:
    """The short formal text an organizer pastes into Zalo or an SMS, with the personal link.

    Always in Vietnamese, whatever the organizer's interface language: it goes to the invitee.
    """
    workshop = invitation.workshop
    host = workshop.host_organization
    with force_locale("vi"):
        values = {
            "name": invitation.name,
            "title": workshop.title,
            "time": local_time(workshop.starts_at),
            "date": str(long_date(workshop.starts_at)),
            "venue": workshop.venue,
            "link": personal_url(invitation),
        }
        if host is None:
            return _("Kính mời ông/bà %(name)s dự %(title)s lúc %(time)s %(date)s tại %(venue)s. "
                     "Xác nhận tham dự và nhận thẻ vào hội trường: %(link)s", **values)
        return _("%(host)s trân trọng kính mời ông/bà %(name)s dự %(title)s lúc %(time)s %(date)s "
                 "tại %(venue)s. Xác nhận tham dự và nhận thẻ vào hội trường: %(link)s",
                 host=host.name, **values)
