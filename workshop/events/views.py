"""Pages: the workshop list, a workshop's dashboard, and editing a workshop and its agenda."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.decorators import role_required
from ..expired_session import keeps_input
from ..invitations.tracking import pending_deputies
from ..models import STATUS_LABELS, STATUS_ORDER, Workshop, WorkshopSession
from ..outbox.services import mail_health
from ..tasks.series import series_context
from . import services, team
from .forms import SessionPageForm, TeamForm, WorkshopPageForm
from .services import EventError

bp = Blueprint("events", __name__, url_prefix="/workshops")

# The order in which the dashboard tells the invitations' story.


def _session(workshop: Workshop, session_id: int) -> WorkshopSession:
    return services.get_session(workshop, session_id) or abort(404)


def _show_errors(form: FlaskForm, error: EventError) -> None:
    """Put the service's refusals next to the fields they concern; the form keeps its values."""
    for name, messages in error.errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            for message in messages:
                flash(message, "error")


def _agenda(workshop: Workshop):
    return redirect(url_for(".dashboard", code=workshop.code, _anchor="agenda"))


@bp.get("/")
@role_required("staff")
def list_workshops():
    return render_template("events/list.html", rows=services.list_workshops(current_user))


@bp.get("/<code>/")
@role_required("staff")
def dashboard(code: str):
    workshop = services.workshop_or_404(code)
    return render_template(
        "events/dashboard.html", workshop=workshop, attendance=services.attendance(workshop),
        statuses=[(status, STATUS_LABELS[status]) for status in STATUS_ORDER],
        pending_deputies=pending_deputies(workshop),
        mail=mail_health(workshop), **series_context(workshop),
    )


def _workshop_page(workshop: Workshop | None):
    """Create (no workshop yet) or edit; the code is chosen once, at creation."""
    form = WorkshopPageForm(obj=workshop)
    if workshop is not None:
        del form.code
    if form.validate_on_submit():
        try:
            if workshop is None:
                workshop = services.create_workshop(form.workshop_data(), form.code.data)
                flash(_("Đã tạo hội thảo."), "success")
            else:
                services.update_workshop(workshop, form.workshop_data())
                flash(_("Đã lưu thông tin hội thảo."), "success")
        except EventError as error:
            _show_errors(form, error)
        else:
            return redirect(url_for(".dashboard", code=workshop.code))
    return render_template("events/workshop_form.html", form=form, workshop=workshop)


@bp.route("/new", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def create_workshop():
    return _workshop_page(None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def edit_workshop(code: str):
    return _workshop_page(services.workshop_or_404(code))


def _session_page(workshop: Workshop, session: WorkshopSession | None):
    form = SessionPageForm(obj=session, workshop=workshop)
    if form.validate_on_submit():
        try:
            if session is None:
                services.add_session(workshop, form.session_data())
                flash(_("Đã thêm phiên vào chương trình."), "success")
            else:
                services.update_session(session, form.session_data())
                flash(_("Đã lưu phiên."), "success")
        except EventError as error:
            _show_errors(form, error)
        else:
            return _agenda(workshop)
    return render_template("events/session_form.html", form=form, workshop=workshop, session=session)


@bp.route("/<code>/sessions/new", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def add_session(code: str):
    return _session_page(services.workshop_or_404(code), None)


@bp.route("/<code>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def edit_session(code: str, session_id: int):
    workshop = services.workshop_or_404(code)
    return _session_page(workshop, _session(workshop, session_id))


@bp.post("/<code>/sessions/<int:session_id>/delete")
@role_required("organizer")
def delete_session(code: str, session_id: int):
    workshop = services.workshop_or_404(code)
    services.delete_session(_session(workshop, session_id))
    flash(_("Đã xóa phiên khỏi chương trình."), "success")
    return _agenda(workshop)


@bp.post("/<code>/sessions/<int:session_id>/questions/<any(open, closed):state>")
@role_required("organizer")
def session_questions(code: str, session_id: int, state: str):
    """Mark the session that takes questions while none is running ("phiên nhận câu hỏi")."""
    workshop = services.workshop_or_404(code)
    session = _session(workshop, session_id)
    services.set_question_session(workshop, session if state == "open" else None)
    flash(_("Câu hỏi gửi trước giờ họp sẽ vào phiên “%(title)s”.", title=session.title)
          if state == "open" else _("Đã bỏ chọn phiên nhận câu hỏi."), "success")
    return _agenda(workshop)


@bp.post("/<code>/sessions/<int:session_id>/move/<any(up, down):direction>")
@role_required("organizer")
def move_session(code: str, session_id: int, direction: str):
    workshop = services.workshop_or_404(code)
    services.move_session(_session(workshop, session_id), direction)
    return _agenda(workshop)


# --- the team of the workshop --------------------------------------------------------------


@bp.route("/<code>/team", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def team_page(code: str):
    """The chair and staff accounts limited to this workshop; the organizer adds and removes
    them by e-mail."""
    workshop = services.workshop_or_404(code)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            member, created = team.add_member(workshop, form.email.data, form.role.data,
                                              actor=current_user)
        except EventError as error:
            _show_errors(form, error)
        else:
            flash(_("Đã thêm %(email)s vào nhóm công tác.", email=member.user.email) if created
                  else _("Đã đổi vai trò của %(email)s.", email=member.user.email), "success")
            return redirect(url_for(".team_page", code=workshop.code))
    return render_template("events/team.html", workshop=workshop, form=form,
                           members=team.team_of(workshop), chaired=team.chaired_sessions(workshop))


@bp.post("/<code>/team/<int:member_id>/delete")
@role_required("organizer")
def remove_team_member(code: str, member_id: int):
    workshop = services.workshop_or_404(code)
    unchaired = team.remove_member(workshop, member_id, actor=current_user)
    if unchaired is None:
        abort(404)
    flash(_("Đã bỏ tài khoản khỏi nhóm công tác."), "success")
    if unchaired:
        flash(_("Các phiên sau chưa có người chủ trì, vui lòng chọn người chủ trì khác: "
                "%(sessions)s.", sessions="; ".join(session.title for session in unchaired)),
              "warning")
    return redirect(url_for(".team_page", code=workshop.code))
