"""API rows for workshops and their sessions."""
from __future__ import annotations

from dataclasses import fields

from flask_babel import gettext as _
from sqlalchemy import select

from ..events import services
from ..events.forms import SessionForm, WorkshopForm
from ..events.services import AGENDA_LOADER, EventError, WorkshopData, workshop_or_404
from ..models import Workshop, WorkshopSession
from ..timeutil import isoformat
from .routing import endpoint, json_form, paginate, validation_error

# What a PATCH keeps of the workshop when the body leaves a field out.
WORKSHOP_FIELDS = tuple(item.name for item in fields(WorkshopData))


def serialize_session(session: WorkshopSession) -> dict:
    return {
        "id": session.id,
        "position": session.position,
        "title": session.title,
        "starts_at": isoformat(session.starts_at),
        "ends_at": isoformat(session.ends_at),
        "presenter": session.presenter,
        "chair_email": session.chair.email if session.chair else None,
        "chair_name": session.chair.name if session.chair else None,
        "moderated": session.moderated,
        "open_for_questions": session.open_for_questions,
        "description": session.description,
    }


def serialize_workshop(workshop: Workshop) -> dict:
    return {
        "code": workshop.code,
        "title": workshop.title,
        "starts_at": isoformat(workshop.starts_at),
        "ends_at": isoformat(workshop.ends_at),
        "venue": workshop.venue,
        "rsvp_deadline": isoformat(workshop.rsvp_deadline),
        "description": workshop.description,
        "host_organization_id": workshop.host_organization_id,
        "host_parent_name": workshop.host_parent_name,
        "letter_code": workshop.letter_code,
        "letter_place": workshop.letter_place,
        "signer_authority": workshop.signer_authority,
        "signer_title": workshop.signer_title,
        "signer_name": workshop.signer_name,
        "letter_number": workshop.letter_number,
        "contact_name": workshop.contact_name,
        "contact_phone": workshop.contact_phone,
        "contribution_deadline": isoformat(workshop.contribution_deadline),
        "previous_code": workshop.previous_code,
        "sessions": [serialize_session(session) for session in workshop.sessions],
    }


@endpoint("/workshops", "GET", who="staff", summary="List workshops, the latest first")
def list_workshops():
    """Each workshop as `GET /workshops/<code>` answers it, sessions included."""
    statement = select(Workshop).options(AGENDA_LOADER).order_by(Workshop.starts_at.desc(), Workshop.id)
    return paginate(statement, serialize_workshop)


@endpoint("/workshops", "POST", who="organizer", summary="Create a workshop", body=WorkshopForm,
          responses={201: "The workshop, with its generated `code` when none was given"})
def create_workshop():
    """Naive times are Vietnam time; times are answered with +07:00. Without `code`, a readable
    one is made from the title and the year."""
    form = json_form(WorkshopForm)
    try:
        workshop = services.create_workshop(form.workshop_data(), form.code.data)
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_workshop(workshop), 201


@endpoint("/workshops/<code>", "GET", who="staff", summary="A workshop with its sessions",
          responses={200: "The workshop", 404: "No workshop has this code"})
def get_workshop(code: str):
    return serialize_workshop(workshop_or_404(code))


@endpoint("/workshops/<code>", "PATCH", who="organizer", summary="Change a workshop",
          body=WorkshopForm,
          responses={200: "The workshop", 404: "No workshop has this code",
                     422: "A field in error (the code cannot change)"})
def update_workshop(code: str):
    """Any field of `POST /workshops`; the fields left out keep their value, `null` clears an
    optional one. The code stays: links and API clients use it."""
    workshop = workshop_or_404(code)
    current = serialize_workshop(workshop)
    base = {name: current[name] for name in WORKSHOP_FIELDS}
    form = json_form(WorkshopForm, base=base)
    if form.code.data and form.code.data != workshop.code:
        raise validation_error({"code": [_("Mã hội thảo không đổi được sau khi tạo.")]})
    try:
        workshop = services.update_workshop(workshop, form.workshop_data())
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_workshop(workshop)


@endpoint("/workshops/<code>/sessions", "POST", who="organizer", summary="Add a session to the agenda",
          body=SessionForm,
          responses={201: "The session, placed last in the agenda", 404: "No workshop has this code"})
def add_session(code: str):
    """`chair_email` names an active chair or organizer account; `moderated` defaults to false."""
    workshop = workshop_or_404(code)
    form = json_form(SessionForm)
    try:
        session = services.add_session(workshop, form.session_data())
    except EventError as error:
        raise validation_error(error.errors) from None
    return serialize_session(session), 201
