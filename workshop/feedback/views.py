"""Pages: the attendee's feedback and contribution forms (reached from the personal link), and
the organizer's and chair's view of what came in, with the closing time of feedback."""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..auth.decorators import role_required
from ..events.services import workshop_or_404
from ..expired_session import keeps_input
from ..extensions import limiter
from ..models import CATEGORY_LABELS, KIND_LABELS, Invitation, Workshop
from ..ratelimit import attendee_pages, request_invitation, url_token_holder
from . import services
from .forms import ClosingForm, ContributionForm, FeedbackForm

bp = Blueprint("feedback", __name__)

# The attendee pages carry the link's secret in their URL (as the personal page does).
ATTENDEE_ENDPOINTS = ("feedback.attendee_feedback", "feedback.attendee_contribution")
ATTENDEE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}
# Beside the pages' budget per link: at most this many items sent a minute per valid link.
_sent_per_link = limiter.limit(
    "30 per minute", methods=["POST"], key_func=lambda: url_token_holder() or "",
    exempt_when=lambda: url_token_holder() is None,
)


@bp.after_request
def _attendee_headers(response: Response) -> Response:
    if request.endpoint in ATTENDEE_ENDPOINTS:
        response.headers.update(ATTENDEE_HEADERS)
    return response


def _invitation(token: str) -> Invitation:
    invitation = request_invitation(token)
    if invitation is None:
        abort(404, _("Đường link giấy mời không đúng hoặc không còn hiệu lực. Vui lòng liên hệ "
                     "Ban tổ chức hội thảo."))
    return invitation


def _show_error(form, error: services.FeedbackError) -> None:
    """The service's refusal next to its field, else as a message; the form keeps its values."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


# --- the attendee -----------------------------------------------------------------------------


@bp.route("/i/<token>/feedback", methods=["GET", "POST"])
@attendee_pages
@_sent_per_link
@keeps_input
def attendee_feedback(token: str):
    """"Góp ý, bài học kinh nghiệm": one item at a time, from a phone."""
    invitation = _invitation(token)
    workshop = invitation.workshop
    form = FeedbackForm(sessions=workshop.sessions)
    status = 200
    if form.validate_on_submit():
        try:
            services.add_feedback(workshop, invitation, form.category.data, form.text.data,
                                  form.session_id.data, form.rating.data)
        except services.FeedbackError as error:
            _show_error(form, error)
            status = 409 if error.code == "closed" else 422
        else:
            flash(_("Đã ghi nhận góp ý. Trân trọng cảm ơn ông/bà!"), "success")
            return redirect(url_for(".attendee_feedback", token=token))
    elif form.is_submitted():
        status = 422
    return render_template(
        "feedback/attendee.html", invitation=invitation, workshop=workshop, form=form,
        is_open=services.feedback_open(workshop), sent=services.feedback_of(invitation),
    ), status


@bp.route("/i/<token>/contribution", methods=["GET", "POST"])
@attendee_pages
@_sent_per_link
@keeps_input
def attendee_contribution(token: str):
    """The agency's written contribution (báo cáo tham luận), with an optional PDF or DOCX."""
    invitation = _invitation(token)
    contribution = services.contribution_of(invitation)
    # Not obj=: the stored file is not the form's to show back (nor worth loading).
    saved = ({name: getattr(contribution, name) for name in services.CONTRIBUTION_FIELDS}
             if contribution else None)
    form = ContributionForm(data=saved)
    status = 200
    if form.validate_on_submit():
        upload = form.attachment.data
        attachment = (upload.filename or "", upload.mimetype, upload.read()) if upload else None
        try:
            services.save_contribution(invitation, form.results.data, form.obstacles.data,
                                       form.lessons.data, form.recommendations.data, attachment)
        except services.FeedbackError as error:
            _show_error(form, error)
            status = 409 if error.code == "closed" else 422
        else:
            flash(_("Đã lưu báo cáo tham luận. Trân trọng cảm ơn ông/bà!"), "success")
            return redirect(url_for(".attendee_contribution", token=token))
    elif form.is_submitted():
        status = 422
    return render_template(
        "feedback/contribution.html", invitation=invitation, workshop=invitation.workshop,
        form=form, contribution=contribution, is_open=services.feedback_open(invitation.workshop),
    ), status


# --- the organizer and the chair ----------------------------------------------------------------


def _index_page(workshop: Workshop, closing_form: ClosingForm, status: int = 200):
    items = services.remarks(workshop)
    category = request.args.get("category") if request.args.get("category") in CATEGORY_LABELS else None
    shown = [item for item in items if item.category == category] if category else items
    return render_template(
        "feedback/index.html", workshop=workshop, remarks=shown, category=category,
        by_category=services.by_category(items), counts=services.counts_by_kind(items),
        contributions=services.list_contributions(workshop), closing_form=closing_form,
        is_open=services.feedback_open(workshop), category_labels=CATEGORY_LABELS,
        kind_labels=KIND_LABELS,
    ), status


@bp.get("/workshops/<code>/feedback")
@role_required("chair")
def index(code: str):
    workshop = workshop_or_404(code)
    return _index_page(workshop, ClosingForm(obj=workshop))


@bp.post("/workshops/<code>/feedback/closing")
@role_required("organizer")
@keeps_input
def set_closing(code: str):
    workshop = workshop_or_404(code)
    form = ClosingForm()
    if not form.validate():
        return _index_page(workshop, form, 422)
    services.set_feedback_closes_at(workshop, form.feedback_closes_at.data)
    if form.feedback_closes_at.data:
        flash(_("Đã đặt hạn nhận góp ý."), "success")
    else:
        flash(_("Đã bỏ hạn nhận góp ý: đại biểu gửi góp ý không thời hạn."), "success")
    return redirect(url_for(".index", code=code))


@bp.get("/workshops/<code>/contributions/<int:contribution_id>/attachment")
@role_required("chair")
def attachment(code: str, contribution_id: int):
    contribution = services.attachment_of(workshop_or_404(code), contribution_id) or abort(404)
    return send_file(io.BytesIO(contribution.attachment), mimetype=contribution.attachment_type,
                     as_attachment=True, download_name=contribution.attachment_name)
