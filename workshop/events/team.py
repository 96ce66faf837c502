"""The team of a workshop: the chair and staff accounts its organizer assigns to it. Who may
do what with a team is decided in auth/rights.py; this module only changes the rows."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import audit
from ..auth.rights import forget_teams
from ..auth.services import normalize_email
from ..extensions import db
from ..models import (
    ROLE_LABELS,
    ROLE_RANK,
    TEAM_ROLES,
    TeamMember,
    User,
    Workshop,
    WorkshopSession,
)
from .services import EventError


def team_of(workshop: Workshop) -> list[TeamMember]:
    """The members, by name."""
    return list(db.session.scalars(
        select(TeamMember).join(User, User.id == TeamMember.user_id)
        .where(TeamMember.workshop_id == workshop.id).order_by(User.name, User.email)
    ))


def chaired_sessions(workshop: Workshop) -> dict[int, list[WorkshopSession]]:
    """The sessions of the workshop each account chairs, by account id (the team page warns
    before removing a chair)."""
    chaired: dict[int, list[WorkshopSession]] = {}
    for session in workshop.sessions:
        if session.chair_id is not None:
            chaired.setdefault(session.chair_id, []).append(session)
    return chaired


def _stop_chairing(workshop: Workshop, user: User, *, actor: User | None) -> list[WorkshopSession]:
    """The account no longer chairs this workshop's sessions: their chair is cleared, in the
    caller's transaction, and the audit log names them. Answers the sessions left without a
    chair, for the organizer to give them another.

    Why clear rather than refuse: the organizer who takes someone out of the team (reassigned,
    on leave) expects that done at once, not a detour through each session first; a chair's
    rights come from the team, so one who stays would chair questions the organizer meant to
    take from them. The pages and the API then name the sessions that need a new chair."""
    sessions = list(db.session.scalars(
        select(WorkshopSession).where(WorkshopSession.workshop_id == workshop.id,
                                      WorkshopSession.chair_id == user.id)
        .order_by(WorkshopSession.position, WorkshopSession.id)))
    if sessions:
        db.session.execute(
            update(WorkshopSession)
            .where(WorkshopSession.id.in_([session.id for session in sessions]),
                   WorkshopSession.chair_id == user.id)
            .values(chair_id=None).execution_options(synchronize_session=False))
        audit.log("events.unchair", workshop=workshop, actor=actor,
                  detail=f"{user.email}: " + "; ".join(session.title for session in sessions))
    return sessions


def _stop_chairing_outside_teams(user: User, *, actor: User | None) -> None:
    """After a team change: the account stops chairing the sessions of every workshop whose
    team does not make it a chair. An account joining its first team was chairing anywhere;
    from then on it acts only on its teams' workshops (auth/rights.py), so it must not stay
    the chair of another workshop's questions."""
    chair_of = select(TeamMember.workshop_id).where(TeamMember.user_id == user.id,
                                                    TeamMember.role == "chair")
    for workshop in db.session.scalars(
            select(Workshop).where(Workshop.id.in_(
                select(WorkshopSession.workshop_id).where(WorkshopSession.chair_id == user.id)),
                Workshop.id.not_in(chair_of)).order_by(Workshop.id)):
        _stop_chairing(workshop, user, actor=actor)


def _member_account(email: str, role: str) -> User:
    """The account named, which must be a chair or staff account that may take `role`."""
    errors: dict[str, list[str]] = {}
    user = db.session.scalar(select(User).where(User.email == normalize_email(email or "")))
    if user is None:
        errors["email"] = [_("Không tìm thấy tài khoản có e-mail này.")]
    elif user.role == "organizer":
        errors["email"] = [_("Tài khoản Ban tổ chức có quyền trên mọi hội thảo, "
                             "không cần thêm vào nhóm công tác.")]
    if role not in TEAM_ROLES:
        errors["role"] = [_("Vai trò trong nhóm phải là Chủ trì hoặc Cán bộ điểm danh.")]
    elif user is not None and "email" not in errors and ROLE_RANK[user.role] < ROLE_RANK[role]:
        errors["role"] = [_("Tài khoản này có vai trò %(role)s, không thể giao vai trò cao hơn.",
                            role=ROLE_LABELS[user.role])]
    if errors:
        raise EventError(errors)
    return user


def add_member(workshop: Workshop, email: str, role: str, *,
               actor: User | None = None) -> tuple[TeamMember, bool]:
    """Put the account in the workshop's team with `role` (a member already there gets the new
    role; a chair made staff stops chairing the workshop's sessions). From then on the account
    acts only on the workshops of its teams. Answers the row and whether it is new."""
    user = _member_account(email, role)
    member = db.session.scalar(select(TeamMember).where(
        TeamMember.workshop_id == workshop.id, TeamMember.user_id == user.id))
    created = member is None
    if created:
        member = TeamMember(workshop_id=workshop.id, user=user, role=role)
        db.session.add(member)
    else:
        member.role = role
    db.session.flush()
    # A chair made staff here, or an account that chaired elsewhere before its first team.
    _stop_chairing_outside_teams(user, actor=actor)
    audit.log("events.team_add", workshop=workshop, actor=actor,
              detail=f"{user.email}: {ROLE_LABELS[role]}")
    db.session.commit()
    forget_teams(user)
    return member, created


def remove_member(workshop: Workshop, member_id: int, *,
                  actor: User | None = None) -> list[WorkshopSession] | None:
    """Take the member out of the team, and out of the chair of the workshop's sessions (see
    `_stop_chairing`), in one transaction. Answers the sessions left without a chair; None
    when the id is not of this workshop's team. An account left in no team gets back its role
    on every workshop."""
    member = db.session.get(TeamMember, member_id)
    if member is None or member.workshop_id != workshop.id:
        return None
    user = member.user
    db.session.delete(member)
    unchaired = _stop_chairing(workshop, user, actor=actor)
    audit.log("events.team_remove", workshop=workshop, actor=actor, detail=user.email)
    db.session.commit()
    forget_teams(user)
    return unchaired
