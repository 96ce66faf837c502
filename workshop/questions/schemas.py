"""The JSON shapes of questions: asking, voting, moderating; the live list that the attendee,
console and projector pages poll."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from ..models import MAX_QUESTION_LENGTH, Question
from ..models.invitations import has_deputy
from ..schemas import (
    Answer,
    Body,
    Bool,
    Choice,
    Choices,
    Int,
    Num,
    Query,
    QueryChoice,
    QueryInt,
    Str,
    Text,
    Time,
    page_of,
    positive,
)
from ..timeutil import isoformat

STATUSES = ("visible", "pending", "hidden")
ORDERS = ("votes", "time")


class QuestionBody(Body):
    session_id = Int(required=True, required_message=_l("Vui lòng chọn phiên."))
    text = Text(required=True, multiline=True, max_length=MAX_QUESTION_LENGTH,
                length_message=_l("Câu hỏi dài tối đa %(max)d ký tự.", max=MAX_QUESTION_LENGTH),
                required_message=_l("Vui lòng nhập nội dung câu hỏi."))
    anonymous = Bool()


class QuestionArgs(Query):
    session_id = QueryInt(validate=positive())
    status = Choices(STATUSES)
    order = QueryChoice(ORDERS)


class SimilarArgs(Query):
    text = Text(required=True, multiline=True, max_length=MAX_QUESTION_LENGTH,
                length_message=_l("Câu hỏi dài tối đa %(max)d ký tự.", max=MAX_QUESTION_LENGTH),
                required_message=_l("Vui lòng nhập nội dung câu hỏi."))


class StatusBody(Body):
    status = Choice(("visible", "hidden"), required=True)


class AnswerBody(Body):
    answer = Text(required=True, multiline=True, max_length=5000,
                  required_message=_l("Vui lòng nhập nội dung trả lời."))
    answered_by = Text(max_length=255)


class AssignBody(Body):
    assigned_to = Text(max_length=255)


class MergeBody(Body):
    into = Int(required=True, required_message=_l("Vui lòng chọn câu hỏi để gộp vào."))


class CurrentQuestionBody(Body):
    question_id = Int()


class AskerSchema(Answer):
    name = Str()
    title = Str()
    organization = Str()


class QuestionSchema(Answer):
    id = fields.Integer(required=True)
    session_id = fields.Integer(required=True)
    text = fields.String(required=True)
    status = fields.String(required=True)
    votes = fields.Integer(required=True)
    anonymous = fields.Boolean(required=True)
    asker = fields.Nested(AskerSchema, allow_none=True)
    assigned_to = Str()
    answer = Str()
    answered_by = Str()
    answered_at = Time()
    created_at = Time()
    answering_now = fields.Boolean(required=True)
    voted = fields.Boolean(allow_none=True)


class QuestionListSchema(page_of(QuestionSchema)):
    current = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class SimilarSchema(Answer):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    votes = fields.Integer(required=True)
    answered = fields.Boolean(required=True)
    score = fields.Float(required=True, metadata={"description": "How alike, 0 to 1"})
    voted = fields.Boolean(allow_none=True)


class SimilarListSchema(page_of(SimilarSchema)):
    pass


class AskedSchema(Answer):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class VotesSchema(Answer):
    votes = fields.Integer(required=True)


class CurrentSchema(Answer):
    session_id = fields.Integer(required=True)
    question_id = Num()


def serialize(question: Question, current_id: int | None = None,
              voted: set[int] | None = None) -> dict:
    asker = None
    if not question.anonymous and question.invitation is not None:
        person = question.invitation
        asker = asker_of(person.status, person.name, person.title, person.delegate_name,
                         person.delegate_title, person.deputy_state,
                         person.organization.name if person.organization else None)
    return question_item(question, asker, question.id == current_id,
                         question.id in voted if voted is not None else None)


def asker_of(status: str, name: str, title: str | None, delegate_name: str | None,
             delegate_title: str | None, deputy_state: str | None, organization: str | None) -> dict:
    """Who asked, as a question shows it: the person at the door (the deputy when one was sent)."""
    deputy = has_deputy(status, delegate_name, deputy_state)
    return {"name": delegate_name if deputy else name,
            "title": delegate_title if deputy else title,
            "organization": organization}


def question_item(question, asker: dict | None, answering_now: bool, voted: bool | None) -> dict:
    """A question's item from anything with its columns by name: the model, or a row of the
    polled list's query (services.live_list)."""
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
        "answering_now": answering_now,
        "voted": voted,
    }


def similar_item(question: Question, score: float, voted: set[int] | None = None) -> dict:
    """A question like the one being written, with how alike it is."""
    return {"id": question.id, "text": question.text, "votes": question.votes,
            "answered": bool(question.answer), "score": score,
            "voted": question.id in voted if voted is not None else None}
