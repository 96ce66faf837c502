"""Choosing invitees and numbering their letters: the agencies of a kind or ticked one by one,
a person chosen by hand; correcting, deleting, marking as delivered by hand.

The letter numbers come from the workshop's counter in the invitations' own transaction
(`_save_numbered`), so that two organizers inviting at once never get the same number.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..collation import agency_key
from ..extensions import db
from ..models import SALUTATIONS, CheckIn, Invitation, Organization, OutboxMessage, User, Workshop
from ..text import fold
from .services import InvitationError, _clean

NUMBERING_ATTEMPTS = 5
T = TypeVar("T")


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


def _save_numbered(workshop: Workshop, build: Callable[[], tuple[list[Invitation], T]], *,
                   action: str, actor: User | None = None) -> tuple[list[Invitation], T]:
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
        audit.log(action, workshop=workshop, actor=actor,
                  detail=", ".join(invitation.name for invitation in invitations))
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
                         kinds: Iterable[str] = (), *, actor: User | None = None) -> InviteResult:
    """One invitation per chosen agency, for its leader; agencies already invited to this
    workshop are skipped and reported."""
    organization_ids, kinds = list(organization_ids), list(kinds)

    def build() -> tuple[list[Invitation], list[Organization]]:
        selection = select_organizations(workshop, organization_ids, kinds)
        return ([leader_invitation(workshop, organization) for organization in selection.new],
                selection.already_invited)

    created, skipped = _save_numbered(workshop, build, action="invitations.invite", actor=actor)
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
                  phone: str | None = None, salutation: str | None = None, *,
                  actor: User | None = None) -> Invitation:
    """An invitation for someone chosen by hand (outside the directory, or a second person);
    without a salutation, the directory's for its agency's leader (else by position)."""
    values = _person_fields(name, title, organization_id, email, phone, salutation)
    if values["salutation"] is None:
        values["salutation"] = default_salutation(values["name"], organization_id)
    created, _none = _save_numbered(
        workshop, lambda: ([Invitation(workshop_id=workshop.id, **values)], None),
        action="invitations.invite_person", actor=actor,
    )
    return created[0]


def update_invitation(invitation: Invitation, name: str, title: str | None = None,
                      organization_id: int | None = None, email: str | None = None,
                      phone: str | None = None, salutation: str | None = None, *,
                      actor: User | None = None) -> Invitation:
    """Correct who is invited and how the letter addresses them; the tokens, the number and
    the answer stay."""
    for key, value in _person_fields(name, title, organization_id, email, phone,
                                     salutation).items():
        setattr(invitation, key, value)
    audit.log("invitations.edit", workshop=invitation.workshop, detail=invitation.name, actor=actor)
    db.session.commit()
    return invitation


def delete_invitation(invitation: Invitation, *, actor: User | None = None) -> None:
    """Only a draft: once sent, the letter exists outside and its number must stay taken.

    Its e-mails still waiting in the outbox go with it; one that a sender is handing to the
    mail server at this moment may arrive, so the draft stays until that attempt is over."""
    if invitation.status != "draft":
        raise InvitationError(_("Chỉ xóa được giấy mời chưa gửi. Giấy mời này đã gửi hoặc đã có "
                                "trả lời."))
    # A letter handed over unsent may still bring its invitee to the door: their check-in is
    # attendance on record, which the draft's deletion would take with it (a cascade). A scan
    # of that pass may be writing its check-in at this very moment, so the check below is made
    # only once no scan can be: on PostgreSQL behind the invitation's row lock (a check-in
    # being written holds its share of it until it commits; one written after waits for this
    # transaction, then finds no invitation), on SQLite once this transaction has its turn to
    # write (the outbox's DELETE takes it). Checked before, a check-in committed in between
    # was deleted with the draft; and the DELETE's trigger, waiting for the scan's lock on the
    # counter while the scan waited for the row, could deadlock on PostgreSQL.
    db.session.execute(select(Invitation.id).where(Invitation.id == invitation.id)
                       .with_for_update())
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id,
                                                   OutboxMessage.status == "queued"))
    if db.session.scalar(select(CheckIn.id).where(CheckIn.invitation_id == invitation.id)):
        db.session.rollback()
        raise InvitationError(_("Đại biểu của giấy mời này đã điểm danh tại hội trường; không xóa "
                                "được giấy mời."))
    if db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.invitation_id == invitation.id, OutboxMessage.status == "sending").limit(1)):
        db.session.rollback()
        raise InvitationError(_("E-mail giấy mời này đang được gửi đi; vui lòng thử xóa lại sau "
                                "ít phút."))
    audit.log("invitations.delete", workshop=invitation.workshop, detail=invitation.name, actor=actor)
    db.session.delete(invitation)
    db.session.commit()


def mark_sent(workshop: Workshop, invitation_ids: Iterable[int] | None = None, *,
              actor: User | None = None) -> int:
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
    audit.log("invitations.mark_sent", workshop=workshop, actor=actor,
              detail=_("%(count)d giấy mời", count=changed))
    db.session.commit()
    return changed
