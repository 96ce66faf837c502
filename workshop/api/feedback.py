"""API rows for feedback: attendees send it from their phones; the chair and organizer list it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..feedback import services
from ..feedback.forms import FeedbackForm
from ..models import CATEGORY_LABELS, Feedback, Invitation
from ..timeutil import isoformat
from .errors import ApiError
from .routing import choice_arg, current_invitation, endpoint, json_form, paginate
from .workshops import workshop_or_404

REFUSALS = {"closed": (409, "feedback_closed"), "other_workshop": (403, "forbidden")}


def refused(error: services.FeedbackError) -> ApiError:
    if error.field:
        return ApiError(422, "invalid", error.message,
                        fields=[{"field": error.field, "message": error.message}])
    status, code = REFUSALS.get(error.code, (409, "conflict"))
    return ApiError(status, code, error.message)


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


@endpoint("/workshops/<code>/feedback", "POST", who="attendee", summary="Send feedback",
          body=FeedbackForm,
          responses={201: "The feedback item", 403: "The invitation is of another workshop",
                     409: "feedback_closed: feedback has closed", 422: "Invalid fields"})
def send_feedback(code: str):
    """`category` is `result`, `obstacle`, `lesson` or `recommendation`; `text` 1 to 2,000
    characters; `session_id` (a session of this workshop) and `rating` (1–5) are optional.
    Refused with 409 `feedback_closed` after the time the organizer set."""
    workshop = workshop_or_404(code)
    form = json_form(FeedbackForm)
    try:
        feedback = services.add_feedback(workshop, current_invitation(), form.category.data,
                                         form.text.data, form.session_id.data, form.rating.data)
    except services.FeedbackError as error:
        raise refused(error) from None
    return serialize(feedback), 201


@endpoint("/workshops/<code>/feedback", "GET", who="chair", summary="List the feedback of a workshop")
def list_feedback(code: str):
    """The newest first; `category` narrows to one category."""
    workshop = workshop_or_404(code)
    statement = (
        select(Feedback)
        .options(joinedload(Feedback.invitation).joinedload(Invitation.organization))
        .where(Feedback.workshop_id == workshop.id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    category = choice_arg("category", CATEGORY_LABELS)
    if category:
        statement = statement.where(Feedback.category == category)
    return paginate(statement, serialize)
