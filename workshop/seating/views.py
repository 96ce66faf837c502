"""The seating page of a workshop: the plan for staff (who show people to their seats), its
changes and the name plates for the organizer."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import role_required
from ..events.services import workshop_or_404
from . import services
from .forms import ArrangeForm, MoveForm, SeatForm

bp = Blueprint("seating", __name__, url_prefix="/workshops/<code>/seating")


def _back(code: str, anchor: int | None = None):
    url = url_for(".index", code=code)
    return redirect(f"{url}#seat-{anchor}" if anchor else url)


@bp.get("")
@role_required("staff")
def index(code: str):
    workshop = workshop_or_404(code)
    return render_template("seating/index.html", workshop=workshop,
                           plan=services.plan_of(workshop), arrange_form=ArrangeForm(),
                           organizer=current_user.has_role("organizer"))


@bp.post("/arrange")
@role_required("organizer")
def arrange(code: str):
    workshop = workshop_or_404(code)
    form = ArrangeForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return _back(code)
    try:
        services.arrange(workshop, per_row=form.per_row.data, head_table=form.head_table.data or 0,
                         reset=form.reset.data, actor=current_user)
    except services.SeatingError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã xếp chỗ ngồi theo thứ tự nghi thức."), "success")
    return _back(code)


@bp.post("/<int:invitation_id>")
@role_required("organizer")
def set_seat(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    form = SeatForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return _back(code, invitation_id)
    try:
        services.set_seat(workshop, invitation_id, form.row.data, form.number.data,
                          actor=current_user)
    except LookupError:
        abort(404)
    except services.SeatingError as error:
        flash(error.message, "error")
    return _back(code, invitation_id)


@bp.post("/<int:invitation_id>/move")
@role_required("organizer")
def move(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Hướng chuyển không hợp lệ."), "error")
        return _back(code, invitation_id)
    try:
        services.move(workshop, invitation_id, form.direction.data, actor=current_user)
    except LookupError:
        abort(404)
    except services.SeatingError as error:
        flash(error.message, "error")
    return _back(code, invitation_id)
