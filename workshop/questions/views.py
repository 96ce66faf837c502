"""Pages of the questions from the floor: the attendee's phone page (ask, vote), the chair's
console, the projector, and the join page that the projector's QR code opens.

The live parts poll JSON with `If-None-Match`; the ETag is built on the workshop's
`live_version` counter, so a 304 costs one indexed read and every server process agrees.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..auth.decorators import role_required
from ..auth.identity import SESSION_INVITATION_KEY
from ..core import http_message
from ..events.services import workshop_or_404
from ..expired_session import keeps_input
from ..extensions import db
from ..invitations.views import PERSONAL_HEADERS
from ..links import base_url
from ..models import MAX_QUESTION_LENGTH, Invitation, Question, Workshop, WorkshopSession
from ..phases import has_ended
from ..qr import qr_svg
from ..ratelimit import (
    attendee_pages,
    holder_limits,
    once_per_request,
    question_limit,
    request_invitation,
    session_holder,
    url_token_holder,
)
from . import services
from .forms import AnswerForm, AssignForm, MergeForm, QuestionForm
from .schemas import serialize, similar_item
from .services import QUEUE_STATES, QuestionError

bp = Blueprint("questions", __name__)

# Pages whose URL carries a secret (the personal link, the projector link): no Referer to other
# sites, no shared cache.
SECRET_URL_ENDPOINTS = ("questions.attendee", "questions.vote", "questions.screen",
                        "questions.screen_feed")
# Public pages: limited per personal link, or per projector link (CONTRACT.md "Rate limits,
# precisely"); asking shares the API's budget of questions per invitation.
_ask_limit = question_limit(url_token_holder)
_join_limits = holder_limits("attendee-pages", session_holder(SESSION_INVITATION_KEY))


def _screen_of(screen_token: str | None) -> Workshop | None:
    """The workshop of a projector link, looked up once per request."""
    return once_per_request("screen", screen_token, services.workshop_for_screen)


def _screen_holder() -> str | None:
    workshop = _screen_of((request.view_args or {}).get("screen_token"))
    return f"screen:{workshop.id}" if workshop is not None else None


# The projector polls its feed every few seconds; a chair may open it on two screens.
_screen_limits = holder_limits("screen", _screen_holder, per_holder="600 per minute")
ORDERS = ("votes", "time")
# Text this long gets a smaller size on the projector, so that it still fits the screen.
SCREEN_SIZES = ((130, "l"), (350, "m"))


@bp.after_request
def _secret_url_headers(response: Response) -> Response:
    if request.endpoint in SECRET_URL_ENDPOINTS:
        response.headers.update(PERSONAL_HEADERS)
    return response


def _live_json(etag: str, build: Callable[[], dict]) -> Response:
    """A live page's feed: 304 while the ETag (built on `live_version`) still holds."""
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = jsonify(build())
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the attendee's phone page ------------------------------------------------------------


def _attendee_page(invitation: Invitation, form: QuestionForm, status: int = 200,
                   similar: list[dict] | None = None):
    workshop = invitation.workshop
    chosen = services.pick_session(
        workshop, form.session_id.data if form.is_submitted() else request.args.get("session", type=int))
    items = []
    if chosen is not None:
        form.session_id.data = chosen.id
        questions = services.list_questions(workshop, chosen.id)
        voted = services.voted_by(invitation, [q.id for q in questions])
        items = [serialize(q, chosen.current_question_id, voted) for q in questions]
    return render_template(
        "questions/attendee.html", invitation=invitation, workshop=workshop, chosen=chosen,
        form=form, items=items, max_length=MAX_QUESTION_LENGTH, ended=has_ended(workshop),
        similar=similar or [],
    ), status


def _alike(invitation: Invitation, form: QuestionForm) -> list[dict]:
    """The shown questions like the one sent from the page without scripts, to vote for instead,
    unless the attendee chose to send it anyway (with scripts, ask.js asks the API first)."""
    if request.form.get("send_anyway") or has_ended(invitation.workshop):
        return []
    session = db.session.get(WorkshopSession, form.session_id.data)
    if session is None or session.workshop_id != invitation.workshop_id:
        return []  # ask() says why
    matches = services.similar_questions(session, form.text.data)
    voted = services.voted_by(invitation, [m.item.id for m in matches])
    return [similar_item(m.item, m.score, voted) for m in matches]


@bp.route("/i/<token>/questions", methods=["GET", "POST"])
@attendee_pages
@_ask_limit
@keeps_input
def attendee(token: str):
    """Ask and vote from the personal link, without signing in. Works without scripts (a plain
    form); with them, the list stays current and votes go through the API."""
    invitation = request_invitation(token)
    if invitation is None:
        return render_template("invitations/unknown_link.html"), 404
    session[SESSION_INVITATION_KEY] = token  # the page's scripts call the API with it
    form = QuestionForm()
    if form.validate_on_submit():
        alike = _alike(invitation, form)
        if alike:
            return _attendee_page(invitation, form, similar=alike)
        try:
            question = services.ask(invitation.workshop, form.session_id.data, invitation,
                                    form.text.data, anonymous=form.anonymous.data)
        except QuestionError as error:
            # Next to the text box: the session and anonymous inputs may not be on the page.
            form.text.errors = [*form.text.errors, str(error)]
            if error.code:
                return _attendee_page(invitation, form, 409)
        else:
            flash(_("Đã gửi câu hỏi. Câu hỏi sẽ hiển thị sau khi chủ trì duyệt.")
                  if question.status == "pending" else _("Đã gửi câu hỏi. Trân trọng cảm ơn ông/bà!"),
                  "success")
            return redirect(url_for(".attendee", token=token, session=question.session_id))
    return _attendee_page(invitation, form, 422 if form.is_submitted() else 200)


@bp.errorhandler(429)
def _too_many(error):
    """Too many questions in a minute: say so, and keep what was typed."""
    if request.endpoint == "questions.attendee" and request.method == "POST":
        invitation = request_invitation((request.view_args or {}).get("token"))
        if invitation is not None:
            form = QuestionForm()
            form.text.errors = [_("Ông/bà đã gửi nhiều câu hỏi liên tiếp. "
                                  "Vui lòng chờ một phút rồi gửi tiếp.")]
            return _attendee_page(invitation, form, 429)
    return render_template("errors/error.html", error=error, message=http_message(error)), 429


@bp.post("/i/<token>/questions/<int:question_id>/vote")
@attendee_pages
def vote(token: str, question_id: int):
    """The vote button without scripts (with them, the page calls the API)."""
    invitation = request_invitation(token)
    if invitation is None:
        return render_template("invitations/unknown_link.html"), 404
    question = db.session.get(Question, question_id)
    if question is None or question.workshop_id != invitation.workshop_id:
        abort(404)
    try:
        services.vote(question, invitation)
    except QuestionError as error:
        flash(str(error), "error")
    return redirect(url_for(".attendee", token=token, session=question.session_id,
                            _anchor=f"q-{question.id}"))


@bp.get("/q/<code>")
@_join_limits
def join(code: str):
    """Where the projector's QR code leads. A phone that has opened its personal link goes
    straight to its questions page; any other is told to open the link in its invitation (the
    projector is seen by everyone, so it cannot carry anyone's personal link)."""
    workshop = workshop_or_404(code)
    invitation = request_invitation(session.get(SESSION_INVITATION_KEY))
    if invitation is not None and invitation.workshop_id == workshop.id:
        return redirect(url_for(".attendee", token=invitation.token))
    return render_template("questions/join.html", workshop=workshop,
                           self_check_in=url_for("checkin.self_check_in", code=workshop.code))


# --- the chair's console ----------------------------------------------------------------


def _session_of(workshop: Workshop) -> WorkshopSession | None:
    return services.pick_session(workshop, request.args.get("session", type=int))


def _order() -> str:
    return request.args.get("order") if request.args.get("order") in ORDERS else "votes"


def _queue_items(workshop: Workshop, chosen: WorkshopSession, order: str) -> dict:
    questions, counts = services.console_queue(workshop, chosen.id, order)
    alike = services.alike_in_queue(questions)
    items = []
    for question in questions:
        state = services.queue_state(question)
        items.append({**serialize(question, chosen.current_question_id), "state": state,
                      "state_label": str(QUEUE_STATES[state]),
                      "similar": [similar_item(other, score) for other, score in alike[question.id]]})
    return {"session_id": chosen.id, "current": chosen.current_question_id, "items": items,
            "counts": counts}


@bp.get("/workshops/<code>/questions/console")
@role_required("chair")
def console(code: str):
    """The chair's queue and actions. The actions call the JSON API (the page's scripts); the
    queue is kept current by polling `console_feed`."""
    workshop = workshop_or_404(code)
    chosen = _session_of(workshop)
    state = request.args.get("state") if request.args.get("state") in QUEUE_STATES else "all"
    order = _order()
    queue = _queue_items(workshop, chosen, order) if chosen else None
    return render_template(
        "questions/console.html", workshop=workshop, chosen=chosen, queue=queue, state=state,
        waiting=services.waiting_by_session(workshop),
        order=order, states=QUEUE_STATES, officials=services.officials(chosen) if chosen else [],
        selected=request.args.get("q", type=int), assign_form=AssignForm(formdata=None),
        answer_form=AnswerForm(formdata=None), merge_form=MergeForm(formdata=None),
    )


@bp.get("/workshops/<code>/questions/console/feed")
@role_required("chair")
def console_feed(code: str):
    workshop = workshop_or_404(code)
    chosen = _session_of(workshop) or abort(404)
    order = _order()
    etag = f"console-{services.live_version(workshop.id)}-{chosen.id}-{order}"
    return _live_json(etag, lambda: _queue_items(workshop, chosen, order))


# --- the projector ------------------------------------------------------------------------


def _screen_workshop(screen_token: str) -> Workshop:
    return _screen_of(screen_token) or abort(404)


def _screen_item(question: Question, current_id: int | None) -> dict:
    length = len(question.text)
    size = next((name for limit, name in SCREEN_SIZES if length <= limit), "s")
    return {**serialize(question, current_id), "size": size}


def _screen_state(workshop: Workshop, chosen: WorkshopSession | None) -> dict:
    if chosen is None:
        return {"session": None, "current": None, "next": []}
    current, upcoming = services.projector_state(workshop, chosen)
    return {
        "session": {"id": chosen.id, "title": chosen.title},
        "current": _screen_item(current, chosen.current_question_id) if current else None,
        "next": [_screen_item(q, chosen.current_question_id) for q in upcoming],
    }


@bp.get("/screen/<screen_token>")
@_screen_limits
def screen(screen_token: str):
    """Full screen, large type, no sign-in: the secret screen link is the key. `?session=`
    fixes the session; without it the screen follows the one being answered."""
    workshop = _screen_workshop(screen_token)
    join_url = base_url() + url_for(".join", code=workshop.code)
    return render_template(
        "questions/screen.html", workshop=workshop,
        state=_screen_state(workshop, _session_of(workshop)),
        feed_url=url_for(".screen_feed", screen_token=screen_token,
                         session=request.args.get("session", type=int)),
        join_url=join_url, join_address=join_url.split("://", 1)[-1],
        # Our own SVG of our own address: no user text inside.
        qr=qr_svg(join_url),
    )


@bp.get("/screen/<screen_token>/feed")
@_screen_limits
def screen_feed(screen_token: str):
    workshop = _screen_workshop(screen_token)
    chosen = _session_of(workshop)
    etag = f"screen-{services.live_version(workshop.id)}-{chosen.id if chosen else 0}"
    return _live_json(etag, lambda: _screen_state(workshop, chosen))
