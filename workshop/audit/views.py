"""The organizer reads the audit log: everything, or one workshop's."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..auth.decorators import role_required
from ..extensions import db
from ..models import AuditEntry, Workshop
from . import ACTIONS

bp = Blueprint("audit", __name__)

PER_PAGE = 100


@bp.get("/audit")
@role_required("organizer")
def log():
    return _render(None)


@bp.get("/workshops/<code>/audit")
@role_required("organizer")
def workshop_log(code: str):
    workshop = db.first_or_404(select(Workshop).where(Workshop.code == code))
    return _render(workshop)


def _render(workshop: Workshop | None):
    """Newest first, a page of PER_PAGE at a time (`?page=`)."""
    page = request.args.get("page", 1, type=int)
    page = max(page, 1)
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if workshop is not None:
        statement = statement.where(AuditEntry.workshop_id == workshop.id)
    found = list(db.session.scalars(statement.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return render_template(
        "audit/log.html", workshop=workshop, entries=found[:PER_PAGE], page=page,
        has_next=len(found) > PER_PAGE, labels=ACTIONS,
    )
