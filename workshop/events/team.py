"""The team of a workshop: the chair and staff accounts its organizer assigns to it. Who may
do what with a team is decided in auth/rights.py; this module only changes the rows."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..auth.rights import forget_teams
from ..auth.services import normalize_email
from ..extensions import db
from ..models import ROLE_LABELS, ROLE_RANK, TEAM_ROLES, TeamMember, User, Workshop
from .services import EventError


def team_of(workshop: Workshop) -> list[TeamMember]:
    """The members, by name."""
    return list(db.session.scalars(
        select(TeamMember).join(User, User.id == TeamMember.user_id)
        .where(TeamMember.workshop_id == workshop.id).order_by(User.name, User.email)
    ))


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
    role). From then on the account acts only on the workshops of its teams. Answers the row
    and whether it is new."""
    user = _member_account(email, role)
    member = db.session.scalar(select(TeamMember).where(
        TeamMember.workshop_id == workshop.id, TeamMember.user_id == user.id))
    created = member is None
    if created:
        member = TeamMember(workshop_id=workshop.id, user=user, role=role)
        db.session.add(member)
    else:
        member.role = role
    audit.log("events.team_add", workshop=workshop, actor=actor,
              detail=f"{user.email}: {ROLE_LABELS[role]}")
    db.session.commit()
    forget_teams(user)
    return member, created


def remove_member(workshop: Workshop, member_id: int, *, actor: User | None = None) -> bool:
    """Take the member out of the team; False when the id is not of this workshop's team. An
    account left in no team gets back its role on every workshop."""
    member = db.session.get(TeamMember, member_id)
    if member is None or member.workshop_id != workshop.id:
        return False
    user = member.user
    db.session.delete(member)
    audit.log("events.team_remove", workshop=workshop, actor=actor, detail=user.email)
    db.session.commit()
    forget_teams(user)
    return True
