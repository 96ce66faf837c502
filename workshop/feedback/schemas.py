"""The JSON shapes of feedback: what an attendee sends, what the chair lists."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from ..models import CATEGORY_LABELS, FEEDBACK_CATEGORIES, Feedback
from ..schemas import Answer, Body, Choice, Int, Num, PageArgs, QueryChoice, Str, Text, Time
from ..timeutil import isoformat
from .services import MAX_FEEDBACK_LENGTH


class FeedbackBody(Body):
    category = Choice(FEEDBACK_CATEGORIES, required=True,
                      required_message=_l("Vui lòng chọn nhóm góp ý."))
    text = Text(required=True, multiline=True, max_length=MAX_FEEDBACK_LENGTH,
                length_message=_l("Nội dung dài tối đa %(max)d ký tự.", max=MAX_FEEDBACK_LENGTH),
                required_message=_l("Vui lòng nhập nội dung góp ý."))
    session_id = Int()
    rating = Int(validate=[validate.Range(min=1, max=5, error=_l("Điểm đánh giá từ 1 đến 5."))])


class FeedbackArgs(PageArgs):
    category = QueryChoice(CATEGORY_LABELS)


class FeedbackSchema(Answer):
    id = fields.Integer(required=True)
    category = fields.String(required=True)
    text = fields.String(required=True)
    session_id = Num()
    rating = Num()
    organization = Str()
    created_at = Time()


def serialize(feedback: Feedback) -> dict:
    invitation = feedback.invitation
    organization = invitation.organization if invitation else None
    return {
        "id": feedback.id,
        "category": feedback.category,
        "text": feedback.text,
        "session_id": feedback.session_id,
        "rating": feedback.rating,
        "organization": organization.name if organization else None,
        "created_at": isoformat(feedback.created_at),
    }
