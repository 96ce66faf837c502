"""Pages: choosing invitees, tracking the answers, and the invitee's personal page /i/<token>."""
from __future__ import annotations

from urllib.parse import quote_plus

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm

from ..attendance import attendance
from ..auth.decorators import role_required
from ..auth.identity import SESSION_INVITATION_KEY
from ..collation import agency_key
from ..directory.services import kind_counts
from ..events.services import workshop_or_404
from ..expired_session import keeps_input
from ..extensions import db
from ..links import personal_url
from ..models import (
    DEPUTY_STATE_LABELS,
    KIND_LABELS,
    ORGANIZATION_KINDS,
    STATUS_LABELS,
    Invitation,
    Organization,
    Workshop,
)
from ..office import download
from ..outbox.services import last_deliveries, mail_health
from ..qr import pass_svg, qr_png
from ..ratelimit import (
    attendee_page_limits,
    attendee_pages,
    invitation_key,
    once_per_request,
    request_invitation,
)
from ..summary.services import published_summary
from ..text import fold
from . import deputies, inviting, rsvp, services, sharing, tracking
from .forms import InviteForm, PersonForm, RsvpForm
from .page import PageInvitation, personal_page

bp = Blueprint("invitations", __name__)

# The personal pages carry the secret in their URL: it must not leak to other sites through the
# Referer header nor stay in a shared cache.
PERSONAL_ENDPOINTS = ("invitations.personal", "invitations.pass_png", "invitations.deputy_pass",
                      "invitations.deputy_pass_png")
PERSONAL_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}


@bp.after_request
def _personal_headers(response: Response) -> Response:
    if request.endpoint in PERSONAL_ENDPOINTS:
        response.headers.update(PERSONAL_HEADERS)
    return response


def _invitation(workshop: Workshop, invitation_id: int) -> Invitation:
    return services.get_invitation(workshop, invitation_id) or abort(404)


def _show_errors(form: FlaskForm, error: services.InvitationError) -> None:
    """Put the service's refusal next to the fields it concerns; the form keeps its values."""
    for name, messages in error.errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
    if not any(name in form for name in error.errors):
        flash(error.message, "error")


# --- choosing invitees --------------------------------------------------------------------


def _invite_page(workshop: Workshop, form: InviteForm, person_form: PersonForm,
                 selection: inviting.Selection | None = None, status: int = 200):
    organizations = sorted(db.session.scalars(db.select(Organization)), key=agency_key)
    invited = inviting.invited_organization_ids(workshop)
    counts = kind_counts()
    kinds = [(kind, KIND_LABELS[kind], counts[kind],
              sum(1 for o in organizations if o.kind == kind and o.id in invited))
             for kind in ORGANIZATION_KINDS]
    preview = ([inviting.leader_invitation(workshop, organization) for organization in selection.new]
               if selection else None)
    return render_template(
        "invitations/invite.html", workshop=workshop, form=form, person_form=person_form,
        organizations=organizations, invited=invited, kinds=kinds, selection=selection,
        preview=preview, fold=fold,
    ), status


@bp.route("/workshops/<code>/invite", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def invite(code: str):
    """Tick agencies by kind or one by one; "Xem trước" shows who will be invited, "Tạo giấy
    mời" creates the invitations."""
    workshop = workshop_or_404(code)
    form = InviteForm()
    if not form.validate_on_submit():
        return _invite_page(workshop, form, PersonForm(formdata=None),
                            status=422 if form.is_submitted() else 200)
    if request.form.get("action") != "create":
        selection = inviting.select_organizations(workshop, form.organization_ids.data,
                                                  form.kinds.data)
        return _invite_page(workshop, form, PersonForm(formdata=None), selection)
    try:
        result = inviting.invite_organizations(workshop, form.organization_ids.data, form.kinds.data)
    except services.InvitationError as error:
        flash(error.message, "error")
        return _invite_page(workshop, form, PersonForm(formdata=None), status=409)
    flash(ngettext("Đã tạo %(num)d giấy mời.", "Đã tạo %(num)d giấy mời.", len(result.created)),
          "success")
    if result.skipped:
        flash(_("Bỏ qua các cơ quan đã được mời: %(names)s.",
                names="; ".join(organization.name for organization in result.skipped)), "warning")
    return redirect(url_for(".list_invitations", code=workshop.code))


@bp.post("/workshops/<code>/invite/person")
@role_required("organizer")
@keeps_input
def invite_person(code: str):
    """Someone outside the directory, or a second person from an agency."""
    workshop = workshop_or_404(code)
    form = PersonForm()
    if form.validate_on_submit():
        try:
            invitation = inviting.invite_person(workshop, form.name.data, form.title.data,
                                                form.organization_id.data, form.email.data,
                                                form.phone.data, form.salutation.data or None)
        except services.InvitationError as error:
            _show_errors(form, error)
        else:
            flash(_("Đã tạo giấy mời số %(number)s cho %(name)s.", number=invitation.letter_number,
                    name=invitation.name), "success")
            return redirect(url_for(".list_invitations", code=workshop.code))
    return _invite_page(workshop, InviteForm(formdata=None), form, status=422)


# --- tracking -----------------------------------------------------------------------------


@bp.get("/workshops/<code>/invitations")
@role_required("staff")
def list_invitations(code: str):
    workshop = workshop_or_404(code)
    status = request.args.get("status") if request.args.get("status") in services.STATUS_FILTERS else None
    kind = request.args.get("kind") if request.args.get("kind") in ORGANIZATION_KINDS else None
    query = request.args.get("q", "").strip()
    invitations = services.list_invitations(workshop, status, kind, query)
    # "?deputy=pending": only the deputies waiting for the organizer's decision.
    deputy = "pending" if request.args.get("deputy") == "pending" else None
    if deputy:
        invitations = [invitation for invitation in invitations
                       if invitation.deputy_state == "pending"]
    # "?decided=<id>": the row the organizer just decided a deputy on, which the page scrolls
    # to; the confirmation is shown in that row, where they are looking, not at the top.
    decided = request.args.get("decided", type=int)
    if decided not in {invitation.id for invitation in invitations}:
        decided = None
    return render_template(
        "invitations/list.html", workshop=workshop, invitations=invitations,
        counts=attendance(workshop), deputy=deputy, decided=decided,
        deputy_message=sharing.deputy_message,
        pending_deputies=tracking.pending_deputies(workshop),
        status=status, kind=kind, query=query, statuses=services.STATUS_FILTERS,
        status_labels={**STATUS_LABELS, "unanswered": _("Chưa trả lời")},
        kind_labels=KIND_LABELS, share_message=sharing.share_message, personal_url=personal_url,
        deputy_labels=DEPUTY_STATE_LABELS,
        deliveries=last_deliveries([invitation.id for invitation in invitations]),
        mail=mail_health(workshop),
    )


@bp.post("/workshops/<code>/invitations/mark-sent")
@role_required("organizer")
def mark_sent(code: str):
    """Every letter not yet sent was delivered by hand, by post or by Zalo."""
    workshop = workshop_or_404(code)
    if not FlaskForm().validate_on_submit():
        abort(400)
    changed = inviting.mark_sent(workshop)
    flash(_("Đã đánh dấu %(count)d giấy mời là đã gửi.", count=changed), "success")
    return redirect(url_for(".list_invitations", code=workshop.code))


@bp.post("/workshops/<code>/invitations/<int:invitation_id>/deputy")
@role_required("organizer")
def decide_deputy(code: str, invitation_id: int):
    """The organizer approves the deputy an invitee named, or refuses with a reason."""
    workshop = workshop_or_404(code)
    invitation = _invitation(workshop, invitation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    seen = request.form.get("nomination_id", "")
    try:
        deputies.decide(invitation, approve, request.form.get("reason"),
                        nomination_id=int(seen) if seen.isdigit() else None)
    except services.InvitationError as error:
        flash(error.message, "error")
    else:
        if not approve:
            flash(_("Đã ghi nhận: không chấp thuận người dự thay."), "success")
        elif invitation.delegate_email:
            flash(_("Đã duyệt người dự thay. Thẻ vào hội trường sẽ được gửi qua e-mail tới "
                    "%(email)s.", email=invitation.delegate_email), "success")
        else:
            flash(_("Đã duyệt người dự thay."), "success")
    return redirect(url_for(".list_invitations", code=workshop.code, decided=invitation.id,
                            _anchor=f"invitation-{invitation.id}"))


@bp.get("/workshops/<code>/invitations.xlsx")
@role_required("staff")
def export_invitations(code: str):
    workshop = workshop_or_404(code)
    return download(tracking.tracking_xlsx(workshop), f"giay-moi-{workshop.code}.xlsx")


@bp.route("/workshops/<code>/invitations/<int:invitation_id>", methods=["GET", "POST"])
@role_required("organizer")
@keeps_input
def edit_invitation(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    invitation = _invitation(workshop, invitation_id)
    form = PersonForm(obj=invitation)
    if form.validate_on_submit():
        try:
            inviting.update_invitation(invitation, form.name.data, form.title.data,
                                       form.organization_id.data, form.email.data, form.phone.data,
                                       form.salutation.data or None)
        except services.InvitationError as error:
            _show_errors(form, error)
        else:
            flash(_("Đã lưu giấy mời số %(number)s.", number=invitation.letter_number), "success")
            return redirect(url_for(".list_invitations", code=workshop.code))
    return render_template("invitations/edit.html", workshop=workshop, invitation=invitation,
                           form=form), 422 if form.errors else 200


@bp.post("/workshops/<code>/invitations/<int:invitation_id>/delete")
@role_required("organizer")
def delete_invitation(code: str, invitation_id: int):
    workshop = workshop_or_404(code)
    invitation = _invitation(workshop, invitation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        inviting.delete_invitation(invitation)
    except services.InvitationError as error:
        flash(error.message, "error")
        return redirect(url_for(".edit_invitation", code=workshop.code, invitation_id=invitation_id))
    flash(_("Đã xóa giấy mời."), "success")
    return redirect(url_for(".list_invitations", code=workshop.code))


# --- the personal page ----------------------------------------------------------------------


def _page_invitation() -> Invitation | PageInvitation | None:
    """The invitation of /i/<token>, with all the page shows, in one statement read once per
    request: the limits and the view share it. A GET (the page opened again and again on the
    day) reads it as plain rows (page.py); the answer sent loads the model, which it changes."""
    token = (request.view_args or {}).get("token")
    if request.method in ("GET", "HEAD"):
        return request_invitation(token, personal_page)
    return once_per_request("invitation", token, services.find_for_personal_page)


def _unknown_link():
    return render_template("invitations/unknown_link.html"), 404


@bp.route("/i/<token>", methods=["GET", "POST"])
@attendee_page_limits(lambda: invitation_key(_page_invitation()))
@keeps_input
def personal(token: str):
    """The invitee's page: no sign-in, the token is the key. It remembers the token in the
    session so that the page's scripts can call the attendee API."""
    invitation = _page_invitation()
    if invitation is None:
        return _unknown_link()
    if session.get(SESSION_INVITATION_KEY) != token:
        # Only when it changes: a session written again is a cookie signed and sent again.
        session[SESSION_INVITATION_KEY] = token
    answering = rsvp.can_answer(invitation)
    # The form only where it is read: an answer sent, or the buttons shown until the deadline.
    # On the day the page is the pass, opened again and again; the form was a tenth of it.
    form = (RsvpForm(obj=invitation)  # "Đổi câu trả lời" starts from the deputy already named
            if answering or request.method == "POST" else None)
    status = 200
    if form is not None and form.validate_on_submit():
        try:
            rsvp.respond(invitation, form.response.data, form.delegate_name.data,
                         form.delegate_title.data, form.delegate_phone.data,
                         delegate_email=form.delegate_email.data)
        except services.AnswerClosed as error:
            flash(error.message, "error")
            status = 409
        except services.InvitationError as error:
            _show_errors(form, error)
            status = 422
        else:
            flash(_("Đã ghi nhận câu trả lời. Trân trọng cảm ơn ông/bà!"), "success")
            return redirect(url_for(".personal", token=token, _anchor="answer"))
    elif form is not None and form.is_submitted():
        status = 422
    workshop = invitation.workshop
    first = rsvp.first_on_page(invitation)
    return render_template(
        "invitations/personal.html", invitation=invitation, workshop=workshop, form=form,
        can_answer=answering, deadline=rsvp.answer_deadline(workshop),
        map_url="https://www.google.com/maps/search/?api=1&query=" + quote_plus(workshop.venue),
        # The QR code is drawn from our random token only, never from user text; once the
        # workshop is over the page shows the summary, and no pass.
        qr=pass_svg(invitation.pass_token)
        if invitation.status != "declined" and first != "summary" else None,
        # The page's query said whether there is a summary to read (None: it was not asked).
        summary=published_summary(workshop) if workshop.summary_published is not False else None,
        first=first,
        deputy=invitation.deputy_nomination,
        deputy_message=sharing.deputy_message(invitation)
        if invitation.deputy_state == "approved" else None,
    ), status


@bp.get("/i/<token>/pass.png")
@attendee_pages
def pass_png(token: str):
    """The pass as an image to keep in the phone's gallery ("Lưu ảnh")."""
    invitation = request_invitation(token)
    if invitation is None or invitation.status == "declined":
        return _unknown_link()
    return Response(
        qr_png(invitation.pass_token), mimetype="image/png",
        headers={"Content-Disposition":
                 f'attachment; filename="the-hoi-thao-{invitation.short_code}.png"'},
    )


def _deputy_invitation(pass_token: str) -> Invitation | None:
    """The invitation whose approved deputy holds this pass (None for any other token)."""
    if len(pass_token) > 64:
        return None
    return db.session.scalar(db.select(Invitation).where(
        Invitation.pass_token == pass_token, Invitation.deputy_state == "approved"))


@bp.get("/pass/<pass_token>")
@attendee_pages
def deputy_pass(pass_token: str):
    """An approved deputy's own pass, the link sent to their phone or e-mail: the pass as the
    personal page shows it, and nothing of the invitee's page (no answer, no questions)."""
    invitation = _deputy_invitation(pass_token)
    if invitation is None:
        return _unknown_link()
    return render_template("invitations/deputy_pass.html", invitation=invitation,
                           workshop=invitation.workshop, qr=pass_svg(invitation.pass_token))


@bp.get("/pass/<pass_token>.png")
@attendee_pages
def deputy_pass_png(pass_token: str):
    """The deputy's pass as an image, to keep in the phone's gallery ("Lưu ảnh")."""
    invitation = _deputy_invitation(pass_token)
    if invitation is None:
        return _unknown_link()
    return Response(
        qr_png(invitation.pass_token), mimetype="image/png",
        headers={"Content-Disposition":
                 f'inline; filename="the-hoi-thao-{invitation.short_code}.png"'},
    )
