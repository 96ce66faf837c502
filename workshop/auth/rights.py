"""Who may act on which workshop: the one rule, called by the page decorator
(`role_required`) and the API's `allow` once the route names a workshop.

The model: an organizer account is global. A chair or staff account that belongs to no team
keeps its role on every workshop (deployments without teams do not change). Once it belongs to
any team (`TeamMember`, set by a workshop's organizer or `users create --workshop`), it acts
only on the workshops of its teams, with the role its team gives it there, never more than its
account's role. A session's chair is always someone who may chair on that workshop (the agenda
refuses any other), so the chair of a session chairs that session's questions."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import abort, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import ROLE_RANK, Question, TeamMember, User, Workshop, WorkshopSession


@dataclass(frozen=True)
class Teams:
    """The workshops a team-limited account acts on, with its role on each."""

    by_id: dict[int, str]
    by_code: dict[str, str]


def teams_of(user: User) -> Teams | None:
    """The account's teams, or None when it is not limited (an organizer, or in no team).
    One query per account and request (kept in the request's environ; a team change forgets
    it); outside a request (the CLI, the services' own checks) read each time."""
    if user.role == "organizer" or not user.in_team:
        return None
    cache = request.environ.setdefault("workshop.teams", {}) if has_request_context() else {}
    if user.id not in cache:
        rows = db.session.execute(
            select(TeamMember.workshop_id, Workshop.code, TeamMember.role)
            .join(Workshop, Workshop.id == TeamMember.workshop_id)
            .where(TeamMember.user_id == user.id)
        ).all()
        cache[user.id] = Teams({r.workshop_id: r.role for r in rows},
                               {r.code: r.role for r in rows}) if rows else None
    return cache[user.id]


def forget_teams(user: User) -> None:
    """After a team change: the next check reads the teams again."""
    db.session.expire(user, ["in_team"])
    if has_request_context():
        request.environ.get("workshop.teams", {}).pop(user.id, None)


def can_act_on(user: User, workshop: Workshop | str | int, role: str) -> bool:
    """Whether `user` may act as `role` (staff < chair < organizer) on `workshop` (the
    workshop, its code or its id)."""
    if not user.has_role(role):
        return False
    teams = teams_of(user)
    if teams is None:
        return True
    if isinstance(workshop, Workshop):
        team_role = teams.by_id.get(workshop.id)
    elif isinstance(workshop, str):
        team_role = teams.by_code.get(workshop)
    else:
        team_role = teams.by_id.get(workshop)
    return team_role is not None and ROLE_RANK[team_role] >= ROLE_RANK[role]


def visible_workshop_ids(user: User) -> set[int] | None:
    """The workshops the account's lists show; None for all."""
    teams = teams_of(user)
    return None if teams is None else set(teams.by_id)


def _workshop_named(view_args: Mapping[str, object]) -> str | int | None:
    """The workshop a route acts on: its code, else the workshop of the question or session it
    names (None when the route names none, or names a row that does not exist: the view's
    own 404 answers)."""
    if isinstance(view_args.get("code"), str):
        return view_args["code"]
    if isinstance(view_args.get("question_id"), int):
        question = db.session.get(Question, view_args["question_id"])
        return question.workshop_id if question is not None else None
    if isinstance(view_args.get("session_id"), int):
        session = db.session.get(WorkshopSession, view_args["session_id"])
        return session.workshop_id if session is not None else None
    return None


def refusal(user: User, role: str, view_args: Mapping[str, object]) -> str | None:
    """Why the account may not use, as `role`, a route on the workshop it names; None when it
    may. The role itself was checked by the caller; this adds the workshop."""
    if teams_of(user) is None:
        return None
    workshop = _workshop_named(view_args)
    if workshop is not None and not can_act_on(user, workshop, role):
        return _("Tài khoản không thuộc nhóm công tác của hội thảo này.")
    return None


def guard(user: User, role: str, view_args: Mapping[str, object]) -> None:
    """`refusal` as a 403 (a page in the user's language, or the API's JSON error)."""
    message = refusal(user, role, view_args)
    if message is not None:
        abort(403, description=message)
