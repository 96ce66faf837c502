"""API rows for questions: attendees ask and vote, chairs moderate and answer, every live page
polls the list with an ETag and gets 304 while nothing changed."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from ..events.services import workshop_or_404
from ..extensions import db
from ..models import Invitation, Question, WorkshopSession
from ..questions import services
from ..questions.forms import (
    AnswerForm,
    AssignForm,
    CurrentQuestionForm,
    MergeForm,
    QuestionForm,
    StatusForm,
)
from ..questions.services import QuestionError
from ..ratelimit import question_limit
from ..timeutil import isoformat
from .errors import ApiError
from .routing import (
    attendee_holder,
    choice_arg,
    current_invitation,
    endpoint,
    int_arg,
    json_form,
)


def _refused(error: QuestionError) -> ApiError:
    if error.field:
        return ApiError(422, "invalid", str(error),
                        fields=[{"field": error.field, "message": str(error)}])
    return ApiError(409, error.code or "conflict", str(error))


def _attendee_of(workshop_id: int) -> Invitation | None:
    """The calling attendee, who may act only in their own workshop (None for staff)."""
    invitation = current_invitation()
    if invitation is not None and invitation.workshop_id != workshop_id:
        raise ApiError(403, "forbidden", _("Giấy mời của bạn không thuộc hội thảo này."))
    return invitation


def _question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.status == "merged":
        raise ApiError(404, "not_found", _("Không tìm thấy câu hỏi."))
    return question


def serialize(question: Question, current_id: int | None = None,
              voted: set[int] | None = None) -> dict:
    asker = None
    if not question.anonymous and question.invitation is not None:
        person = question.invitation
        asker = {"name": person.attendee_name,
                 "title": person.attendee_title,
                 "organization": person.organization.name if person.organization else None}
    return {
        "id": question.id,
        "session_id": question.session_id,
        "text": question.text,
        "status": question.status,
        "votes": question.votes,
        "anonymous": question.anonymous,
        "asker": asker,
        "assigned_to": question.assigned_to,
        "answer": question.answer,
        "answered_by": question.answered_by,
        "answered_at": isoformat(question.answered_at),
        "created_at": isoformat(question.created_at),
        "answering_now": question.id == current_id,
        "voted": question.id in voted if voted is not None else None,
    }


@endpoint("/workshops/<code>/questions", "POST", who="attendee", summary="Ask a question",
          body=QuestionForm, responses={201: "created", 429: "too many questions"})
@question_limit(attendee_holder,
                error_message=lambda: _("Bạn đã gửi nhiều câu hỏi liên tiếp. "
                                        "Vui lòng chờ một phút rồi gửi tiếp."))
def ask_question(code: str):
    """`status` is `visible`, or `pending` when the session is moderated; `text` is 1 to 1,000
    characters, else 422."""
    workshop = workshop_or_404(code)
    invitation = _attendee_of(workshop.id)
    form = json_form(QuestionForm)
    try:
        question = services.ask(workshop, form.session_id.data, invitation, form.text.data,
                                anonymous=form.anonymous.data)
    except QuestionError as error:
        raise _refused(error) from None
    return jsonify({"id": question.id, "status": question.status}), 201


@endpoint("/workshops/<code>/questions", "GET", who=("attendee", "staff"),
          summary="Visible questions, most votes first",
          responses={200: "the list", 304: "nothing changed since the ETag"})
def list_questions(code: str):
    """Visible questions (`session_id` narrows to one session) with `votes` and `answer`.
    Sends an `ETag`; answers 304 to `If-None-Match` while nothing changed. Staff may ask for
    other states with `status=pending,hidden`."""
    workshop = workshop_or_404(code)
    invitation = _attendee_of(workshop.id)
    session_id = int_arg("session_id")
    statuses = ("visible",)
    if invitation is None:
        statuses = choice_arg("status", ("visible", "pending", "hidden"), many=True) or statuses
    order = choice_arg("order", ("votes", "time")) or "votes"
    etag = "-".join(str(part) for part in (
        services.live_version(workshop.id), session_id, invitation.id if invitation else "s",
        ",".join(statuses), order))
    if etag in request.if_none_match:
        response = jsonify()
        response.status_code = 304
        response.set_etag(etag)
        return response
    questions = services.list_questions(workshop, session_id, statuses, order)
    currents = {s.id: s.current_question_id for s in workshop.sessions}
    voted = services.voted_by(invitation, [q.id for q in questions]) if invitation else None
    items = [serialize(q, currents.get(q.session_id), voted) for q in questions]
    response = jsonify({"items": items, "total": len(items),
                        "current": {str(k): v for k, v in currents.items() if v}})
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@endpoint("/questions/<int:question_id>/vote", "POST", who="attendee", summary="Vote",
          responses={200: "the count"})
def vote_question(question_id: int):
    """One vote per attendee: a repeat changes nothing and answers 200 with the same count."""
    question = _question_or_404(question_id)
    invitation = _attendee_of(question.workshop_id)
    try:
        votes = services.vote(question, invitation)
    except QuestionError as error:
        raise _refused(error) from None
    return {"votes": votes}


@endpoint("/questions/<int:question_id>", "PATCH", who="chair", summary="Show or hide",
          body=StatusForm)
def update_question(question_id: int):
    question = _question_or_404(question_id)
    form = json_form(StatusForm)
    try:
        services.set_status(question, form.status.data)
    except QuestionError as error:
        raise _refused(error) from None
    return serialize(question)


@endpoint("/questions/<int:question_id>/answer", "POST", who="chair", summary="Answer",
          body=AnswerForm)
def answer_question(question_id: int):
    question = _question_or_404(question_id)
    form = json_form(AnswerForm)
    try:
        services.answer(question, form.answer.data, form.answered_by.data)
    except QuestionError as error:
        raise _refused(error) from None
    return serialize(question)


@endpoint("/questions/<int:question_id>/assign", "POST", who="chair",
          summary="Assign to the official who will answer", body=AssignForm)
def assign_question(question_id: int):
    question = _question_or_404(question_id)
    services.assign(question, json_form(AssignForm).assigned_to.data)
    return serialize(question)


@endpoint("/questions/<int:question_id>/merge", "POST", who="chair",
          summary="Merge a duplicate into another question", body=MergeForm)
def merge_question(question_id: int):
    question = _question_or_404(question_id)
    target = _question_or_404(json_form(MergeForm).into.data)
    try:
        services.merge(question, target)
    except QuestionError as error:
        raise _refused(error) from None
    return serialize(target)


@endpoint("/sessions/<int:session_id>/current", "POST", who="chair",
          summary="Mark the question being answered now", body=CurrentQuestionForm)
def set_current_question(session_id: int):
    """`question_id` null clears the highlight."""
    session = db.session.get(WorkshopSession, session_id)
    if session is None:
        raise ApiError(404, "not_found", _("Không tìm thấy phiên."))
    question_id = json_form(CurrentQuestionForm).question_id.data
    question = _question_or_404(question_id) if question_id else None
    try:
        services.set_answering_now(session, question)
    except QuestionError as error:
        raise _refused(error) from None
    return {"session_id": session.id, "question_id": session.current_question_id}
