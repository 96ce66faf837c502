"""API rows for questions: attendees ask and vote, chairs moderate and answer, every live page
polls the list with an ETag and gets 304 while nothing changed."""
from __future__ import annotations

import threading

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from ..auth.identity import attendee_holder, current_invitation
from ..errors import ApiError, field_error
from ..events.services import workshop_or_404
from ..extensions import db
from ..models import Invitation, Question, WorkshopSession
from ..questions import services
from ..questions.schemas import (
    AnswerBody,
    AskedSchema,
    AssignBody,
    CurrentQuestionBody,
    CurrentSchema,
    MergeBody,
    QuestionArgs,
    QuestionBody,
    QuestionListSchema,
    QuestionSchema,
    SimilarArgs,
    SimilarListSchema,
    StatusBody,
    VotesSchema,
    serialize,
    similar_item,
)
from ..questions.services import QuestionError
from ..ratelimit import question_limit
from .access import allow, bp, refuses


def _refused(error: QuestionError) -> ApiError:
    if error.field:
        return field_error(error.field, str(error))
    return ApiError(409, error.code or "conflict", str(error))


def _attendee_of(workshop_id: int) -> Invitation | None:
    """The calling attendee, who may act only in their own workshop (None for staff)."""
    invitation = current_invitation()
    if invitation is not None and invitation.workshop_id != workshop_id:
        raise ApiError(403, "forbidden", _("Giấy mời của ông/bà không thuộc hội thảo này."))
    return invitation


# One instance for every poll: webargs would make one from the class at each call.
QUESTION_ARGS = QuestionArgs()


def _question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.status == "merged":
        raise ApiError(404, "not_found", _("Không tìm thấy câu hỏi."))
    return question


@bp.route("/workshops/<code>/questions", methods=["POST"])
@allow("attendee")
@question_limit(attendee_holder,
                error_message=lambda: _("Ông/bà đã gửi nhiều câu hỏi liên tiếp. "
                                        "Vui lòng chờ một phút rồi gửi tiếp."))
@bp.arguments(QuestionBody)
@bp.response(201, AskedSchema)
@refuses({403: "The invitation is of another workshop", 409: "The session takes no questions",
          429: "Too many questions"})
def ask_question(body: dict, code: str):
    """Ask a question.

    `status` is `visible`, or `pending` when the session is moderated; `text` is 1 to 1,000
    characters, else 422; more than 10 questions a minute from one invitation: 429."""
    workshop = workshop_or_404(code)
    invitation = _attendee_of(workshop.id)
    try:
        question = services.ask(workshop, body["session_id"], invitation, body["text"],
                                anonymous=body["anonymous"])
    except QuestionError as error:
        raise _refused(error) from None
    return {"id": question.id, "status": question.status}


@bp.route("/workshops/<code>/questions", methods=["GET"])
@allow("attendee", "staff", invitee=services.poller)
@bp.arguments(QUESTION_ARGS, location="query")
@bp.response(200, QuestionListSchema)
@bp.alt_response(304, description="Nothing changed since the ETag sent in If-None-Match")
def list_questions(args: dict, code: str):
    """Visible questions, most votes first.

    `session_id` narrows to one session; each with `votes` and `answer`. Sends an `ETag`;
    answers 304 to `If-None-Match` while nothing changed. Staff may ask for other states with
    `status=pending,hidden`; `order` is `votes` (the default) or `time`."""
    # The invitee's workshop and votes came with their invitation (services.poller, one
    # statement): with the list kept by version, a 200 poll reads nothing more.
    caller = current_invitation(services.poller)
    if caller is not None and caller.code == code:
        workshop_id, version = caller.workshop_id, caller.live_version
    else:
        workshop = services.workshop_version(code)
        if workshop is None:
            raise ApiError(404, "not_found", _("Không tìm thấy hội thảo có mã này."))
        if caller is not None:  # another workshop's invitation (codes are unique)
            raise ApiError(403, "forbidden", _("Giấy mời của ông/bà không thuộc hội thảo này."))
        workshop_id, version = workshop.id, workshop.live_version
    session_id = args["session_id"]
    statuses = ("visible",)
    if caller is None:
        statuses = args["status"] or statuses
    order = args["order"] or "votes"
    # The version was read in this request: it is the current one.
    etag = services.list_etag(version, session_id, caller.id if caller else None, statuses, order)
    if etag in request.if_none_match:
        response = jsonify()
        response.status_code = 304
        response.set_etag(etag)
        return response
    response = _list_response(workshop_id, version, session_id, statuses, order,
                              caller.voted if caller else None)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


LIVE_BODIES = "workshop.live_bodies"  # app.extensions: the polled list's answers lately made
LIVE_BODIES_KEPT = 512
_live_bodies_lock = threading.Lock()


def _list_response(workshop_id: int, version: int, session_id: int | None, statuses: tuple[str, ...],
                   order: str, voted: frozenset[int] | None):
    """The polled list's answer, as `jsonify` makes it of services.live_page (checked against
    QuestionListSchema as read), made once per list and set of the caller's votes in it: after
    a change, hundreds of phones ask for the same list and most of them voted for the same
    questions of it (often none), so each such answer is the bytes made for the first. Kept
    on the app, by the list's version (as the lists themselves), only the latest few."""
    shared = services.live_page(workshop_id, version, session_id, statuses, order, None)
    mine = None if voted is None else frozenset(
        item["id"] for item in shared["items"] if item["id"] in voted)
    key = (workshop_id, version, session_id, statuses, order, mine)
    bodies = current_app.extensions.setdefault(LIVE_BODIES, {})
    body = bodies.get(key)
    if body is None:
        body = jsonify(services.live_page(workshop_id, version, session_id, statuses, order,
                                          voted)).get_data()
        with _live_bodies_lock:
            bodies[key] = body
            while len(bodies) > LIVE_BODIES_KEPT:
                bodies.pop(next(iter(bodies)))
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


@bp.route("/workshops/<code>/sessions/<int:session_id>/questions/similar", methods=["GET"])
@allow("attendee", "staff")
@bp.arguments(SimilarArgs, location="query")
@bp.response(200, SimilarListSchema)
@refuses({403: "The invitation is of another workshop", 404: "No such session in this workshop"})
def similar_questions(args: dict, code: str, session_id: int):
    """Shown questions of the session like a question being written.

    What the attendee's page asks before sending `text` ("a similar question exists: vote for
    it instead?"): at most 3 shown questions, most alike first, each with `score` (0 to 1,
    accent-folded, word-based); never a pending, hidden or merged one. `text` is 1 to 1,000
    characters, else 422."""
    workshop = workshop_or_404(code)
    invitation = _attendee_of(workshop.id)
    session = db.session.get(WorkshopSession, session_id)
    if session is None or session.workshop_id != workshop.id:
        raise ApiError(404, "not_found", _("Không tìm thấy phiên."))
    matches = services.similar_questions(session, args["text"])
    voted = services.voted_by(invitation, [m.item.id for m in matches]) if invitation else None
    items = [similar_item(m.item, m.score, voted) for m in matches]
    return {"items": items, "total": len(items)}


@bp.route("/questions/<int:question_id>/vote", methods=["POST"])
@allow("attendee")
@bp.response(200, VotesSchema)
@refuses({404: "No such question", 409: "Voting is closed"})
def vote_question(question_id: int):
    """Vote for a question.

    One vote per attendee: a repeat changes nothing and answers 200 with the same count."""
    question = _question_or_404(question_id)
    invitation = _attendee_of(question.workshop_id)
    try:
        votes = services.vote(question, invitation)
    except QuestionError as error:
        raise _refused(error) from None
    return {"votes": votes}


@bp.route("/questions/<int:question_id>", methods=["PATCH"])
@allow("chair")
@bp.arguments(StatusBody)
@bp.response(200, QuestionSchema)
def update_question(body: dict, question_id: int):
    """Show or hide a question."""
    question = _question_or_404(question_id)
    try:
        services.set_status(question, body["status"])
    except QuestionError as error:
        raise _refused(error) from None
    return serialize(question)


@bp.route("/questions/<int:question_id>/answer", methods=["POST"])
@allow("chair")
@bp.arguments(AnswerBody)
@bp.response(200, QuestionSchema)
def answer_question(body: dict, question_id: int):
    """Answer a question."""
    question = _question_or_404(question_id)
    try:
        services.answer(question, body["answer"], body["answered_by"])
    except QuestionError as error:
        raise _refused(error) from None
    return serialize(question)


@bp.route("/questions/<int:question_id>/assign", methods=["POST"])
@allow("chair")
@bp.arguments(AssignBody)
@bp.response(200, QuestionSchema)
def assign_question(body: dict, question_id: int):
    """Assign a question to the official who will answer it."""
    question = _question_or_404(question_id)
    services.assign(question, body["assigned_to"])
    return serialize(question)


@bp.route("/questions/<int:question_id>/merge", methods=["POST"])
@allow("chair")
@bp.arguments(MergeBody)
@bp.response(200, QuestionSchema)
def merge_question(body: dict, question_id: int):
    """Merge a duplicate into another question; answers the question merged into."""
    question = _question_or_404(question_id)
    target = _question_or_404(body["into"])
    try:
        services.merge(question, target)
    except QuestionError as error:
        raise _refused(error) from None
    return serialize(target)


@bp.route("/sessions/<int:session_id>/current", methods=["POST"])
@allow("chair")
@bp.arguments(CurrentQuestionBody)
@bp.response(200, CurrentSchema)
def set_current_question(body: dict, session_id: int):
    """Mark the question being answered now; `question_id` null clears the highlight."""
    session = db.session.get(WorkshopSession, session_id)
    if session is None:
        raise ApiError(404, "not_found", _("Không tìm thấy phiên."))
    question = _question_or_404(body["question_id"]) if body["question_id"] else None
    try:
        services.set_answering_now(session, question)
    except QuestionError as error:
        raise _refused(error) from None
    return {"session_id": session.id, "question_id": session.current_question_id}
