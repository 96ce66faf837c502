"""The invitee's answer (RSVP): accept, decline or send a deputy, until the deadline; and what
the personal page shows first."""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

import email_validator
from flask_babel import gettext as _
from sqlalchemy import case, update

from ..extensions import db
from ..models import DeputyNomination, Invitation, Workshop
from ..models.invitations import new_pass_token
from ..phases import AFTER, BEFORE, phase
from ..timeutil import local_time, long_date, utcnow
from . import deputies
from .services import AnswerClosed, InvitationError, _clean

if TYPE_CHECKING:
    from .page import PageInvitation, PageWorkshop

# What the invitee says (API and forms) and the state it puts the invitation in.
RESPONSES = {"accept": "accepted", "decline": "declined", "delegate": "delegated"}
RESPONSE_OF_STATUS = {status: response for response, status in RESPONSES.items()}
MAX_TEXT = 255  # the length of the name and title columns
# 8 to 15 digits, written with the spaces, dots, dashes and brackets people use.
_PHONE = re.compile(r"^\+?[0-9 .()\-]+$")


# --- the answer (RSVP) ----------------------------------------------------------------------


def answer_deadline(workshop: Workshop | PageWorkshop) -> datetime:
    """Answers may change until the RSVP deadline, or until the workshop starts if none is set."""
    return workshop.rsvp_deadline or workshop.starts_at


def can_answer(invitation: Invitation | PageInvitation, now: datetime | None = None) -> bool:
    return (now or utcnow()) <= answer_deadline(invitation.workshop)


def first_on_page(invitation: Invitation | PageInvitation, now: datetime | None = None) -> str:
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


def clean_email(email: str | None) -> str | None:
    """An e-mail address as typed, if it is one (no DNS look-up); raises ValueError."""
    email = _clean(email)
    if email is None:
        return None
    if len(email) > MAX_TEXT:
        raise ValueError(_("Tối đa %(max)d ký tự.", max=MAX_TEXT))
    try:
        email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise ValueError(_("Địa chỉ e-mail không hợp lệ.")) from None
    return email


def _deputy(name: str | None, title: str | None, phone: str | None, email: str | None
            ) -> tuple[str, str | None, str | None, str | None]:
    """The deputy's name (required), title, phone and e-mail, cleaned; every problem at once."""
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
    try:
        email = clean_email(email)
    except ValueError as error:
        errors["delegate_email"] = [str(error)]
    if errors:
        raise InvitationError(next(iter(errors.values()))[0], errors)
    return name, title, phone, email


def respond(invitation: Invitation, response: str, delegate_name: str | None = None,
            delegate_title: str | None = None, delegate_phone: str | None = None,
            now: datetime | None = None, delegate_email: str | None = None) -> Invitation:
    """Record the invitee's answer: accept, decline, or send a deputy (whose name is required;
    the deputy's e-mail, if given, receives their own pass once approved).

    The answer can be changed until the deadline; after it nothing changes and AnswerClosed
    says why. A deputy's details are kept only with the "delegate" answer. A deputy approved
    earlier loses their pass to any other answer or deputy: it answers "replaced" at the door.
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
    name = title = phone = deputy_state = None
    values: dict = {}
    nomination = None
    same = False
    if response == "delegate":
        name, title, phone, email = _deputy(delegate_name, delegate_title, delegate_phone,
                                            delegate_email)
        current = invitation.deputy_nomination
        same = (invitation.status == "delegated" and invitation.deputy_state != "refused"
                and (invitation.delegate_name, invitation.delegate_title,
                     invitation.delegate_phone) == (name, title, phone)
                and (current is not None or email is None))
        if same:
            # The same deputy sent again: nothing new to approve, the pass stays theirs. An
            # address given or corrected now is kept, and an approved deputy's pass goes there.
            deputy_state = invitation.deputy_state
            if current is not None and email != current.email:
                current.email = email
                if deputy_state == "approved":
                    deputies.queue_pass_mail(invitation, current, invitation.pass_token)
        elif invitation.workshop.deputy_approval:
            deputy_state = "pending"
            nomination = DeputyNomination(invitation_id=invitation.id, named_at=now, name=name,
                                          title=title, phone=phone, email=email, state="pending")
        else:
            # No approval asked: the deputy gets a pass of their own at once, and the earlier
            # pass stops working at the door.
            deputy_state = "approved"
            values["pass_token"] = new_pass_token()
            nomination = DeputyNomination(
                invitation_id=invitation.id, named_at=now, name=name, title=title, phone=phone,
                email=email, state="approved", decided_at=now, pass_token=values["pass_token"],
                replaced_pass_token=invitation.pass_token)
            deputies.queue_pass_mail(invitation, nomination, values["pass_token"])
    if not same and "pass_token" not in values:
        # A deputy approved earlier holds a pass of their own: another deputy, or the invitee
        # coming (or not) after all, takes it from them, else they could still enter in the
        # invitee's name. Decided in the UPDATE itself, on the state as committed.
        values["pass_token"] = case((Invitation.deputy_state == "approved", new_pass_token()),
                                    else_=Invitation.pass_token)
    if nomination is not None or response != "delegate":
        # A deputy waiting for the organizer is withdrawn by any other answer or deputy.
        db.session.execute(
            update(DeputyNomination)
            .where(DeputyNomination.invitation_id == invitation.id,
                   DeputyNomination.state == "pending")
            .values(state="withdrawn").execution_options(synchronize_session=False)
        )
    if nomination is not None:
        db.session.add(nomination)
    # One statement writes the whole answer: two answers sent at the same instant are then
    # applied one after the other, each complete, never mixed (the ORM would write only the
    # columns this request changed, keeping the other answer's deputy with an "accept").
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id)
        .values(status=RESPONSES[response], delegate_name=name, delegate_title=title,
                delegate_phone=phone, deputy_state=deputy_state, responded_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # expires the invitation: it is read again as the database now holds it
    return invitation
