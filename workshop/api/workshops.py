"""API rows for workshops and their sessions."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.identity import staff_user
from ..auth.rights import visible_workshop_ids
from ..errors import validation_error
from ..events import services
from ..events.schemas import (
    SessionBody,
    SessionSchema,
    WorkshopBody,
    WorkshopChanges,
    WorkshopSchema,
    serialize_session,
    serialize_workshop,
    session_data,
    workshop_data,
    workshop_values,
)
from ..events.services import AGENDA_LOADER, EventError, workshop_or_404
from ..models import Workshop
from ..schemas import PageArgs, page_of, paginate
from .access import allow, bp, refuses


@bp.route("/workshops", methods=["GET"])
@allow("staff")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(WorkshopSchema))
def list_workshops(page: dict):
    """List workshops, the latest first.

    Each workshop as `GET /workshops/<code>` answers it, sessions included. An account of a
    workshop team sees the workshops of its teams only."""
    statement = select(Workshop).options(AGENDA_LOADER).order_by(Workshop.starts_at.desc(), Workshop.id)
    visible = visible_workshop_ids(staff_user())
    if visible is not None:  # a team-limited account lists its teams' workshops only
        statement = statement.where(Workshop.id.in_(visible))
    return paginate(statement, serialize_workshop, page)


@bp.route("/workshops", methods=["POST"])
@allow("organizer")
@bp.arguments(WorkshopBody)
@bp.response(201, WorkshopSchema)
def create_workshop(body: dict):
    """Create a workshop.

    Naive times are Vietnam time; times are answered with +07:00. Without `code`, a readable
    one is made from the title and the year."""
    try:
        workshop = services.create_workshop(workshop_data(body), body.get("code"))
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_workshop(workshop)


@bp.route("/workshops/<code>", methods=["GET"])
@allow("staff")
@bp.response(200, WorkshopSchema)
@refuses({404: "No workshop has this code"})
def get_workshop(code: str):
    """A workshop with its sessions."""
    return serialize_workshop(workshop_or_404(code))


@bp.route("/workshops/<code>", methods=["PATCH"])
@allow("organizer")
@bp.arguments(WorkshopChanges(partial=True))
@bp.response(200, WorkshopSchema)
@refuses({404: "No workshop has this code", 422: "A field in error (the code cannot change)"})
def update_workshop(body: dict, code: str):
    """Change a workshop.

    Any field of `POST /workshops`; the fields left out keep their value, `null` clears an
    optional one. The code stays: links and API clients use it."""
    workshop = workshop_or_404(code)
    if body.get("code") and body["code"] != workshop.code:
        raise validation_error({"code": [_("Mã hội thảo không đổi được sau khi tạo.")]})
    try:
        workshop = services.update_workshop(workshop, workshop_data({**workshop_values(workshop), **body}))
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_workshop(workshop)


@bp.route("/workshops/<code>/sessions", methods=["POST"])
@allow("organizer")
@bp.arguments(SessionBody)
@bp.response(201, SessionSchema)
@refuses({404: "No workshop has this code"})
def add_session(body: dict, code: str):
    """Add a session to the agenda, placed last.

    `chair_email` names an active chair or organizer account; `moderated` defaults to false."""
    workshop = workshop_or_404(code)
    try:
        session = services.add_session(workshop, session_data(body))
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_session(session)
