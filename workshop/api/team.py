"""API rows for the team of a workshop: the chair and staff accounts its organizer assigns."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.identity import staff_user
from ..errors import ApiError, validation_error
from ..events import team
from ..events.schemas import TeamBody, TeamMemberSchema, TeamSchema, serialize_member
from ..events.services import EventError, workshop_or_404
from .access import allow, bp, refuses


@bp.route("/workshops/<code>/team", methods=["GET"])
@allow("organizer")
@bp.response(200, TeamSchema)
@refuses({404: "No workshop has this code"})
def list_team(code: str):
    """The workshop's team: the accounts limited to the workshops of their teams."""
    return {"items": [serialize_member(member) for member in team.team_of(workshop_or_404(code))]}


@bp.route("/workshops/<code>/team", methods=["POST"])
@allow("organizer")
@bp.arguments(TeamBody)
@bp.response(201, TeamMemberSchema)
@refuses({404: "No workshop has this code",
          422: "An unknown or organizer e-mail, or a role above the account's own"})
def add_team_member(body: dict, code: str):
    """Put a chair or staff account in the workshop's team.

    From then on the account acts on the workshops of its teams only, with at most the role
    given (`chair` or `staff`, never above its account's role). A member already in the team
    gets the new role (`created: false`). Accounts in no team act on every workshop."""
    workshop = workshop_or_404(code)
    try:
        member, created = team.add_member(workshop, body["email"], body["role"], actor=staff_user())
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_member(member, created), 201 if created else 200


@bp.route("/workshops/<code>/team/<int:member_id>", methods=["DELETE"])
@allow("organizer")
@bp.response(200, TeamSchema)
@refuses({404: "No workshop has this code, or no such member"})
def remove_team_member(code: str, member_id: int):
    """Take an account out of the team; answers the team as it is now. An account left in no
    team acts on every workshop again with its role. The member stops chairing this workshop's
    sessions: `unchaired_sessions` lists those now without a chair."""
    workshop = workshop_or_404(code)
    unchaired = team.remove_member(workshop, member_id, actor=staff_user())
    if unchaired is None:
        raise ApiError(404, "not_found", _("Không tìm thấy thành viên này trong nhóm công tác."))
    return {"items": [serialize_member(member) for member in team.team_of(workshop)],
            "unchaired_sessions": [{"id": session.id, "title": session.title}
                                   for session in unchaired]}
