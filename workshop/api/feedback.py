"""API rows for feedback: attendees send it from their phones; the chair and organizer list it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.identity import current_invitation
from ..errors import ApiError, field_error
from ..events.services import workshop_or_404
from ..feedback import services
from ..feedback.schemas import FeedbackArgs, FeedbackBody, FeedbackSchema, serialize
from ..models import Feedback, Invitation
from ..schemas import page_of, paginate
from .access import allow, bp, refuses

REFUSALS = {"closed": (409, "feedback_closed"), "other_workshop": (403, "forbidden")}


def refused(error: services.FeedbackError) -> ApiError:
    if error.field:
        return field_error(error.field, error.message)
    status, code = REFUSALS.get(error.code, (409, "conflict"))
    return ApiError(status, code, error.message)


@bp.route("/workshops/<code>/feedback", methods=["POST"])
@allow("attendee")
@bp.arguments(FeedbackBody)
@bp.response(201, FeedbackSchema)
@refuses({403: "The invitation is of another workshop",
          409: "feedback_closed: feedback has closed", 422: "Invalid fields"})
def send_feedback(body: dict, code: str):
    """Send feedback.

    `category` is `result`, `obstacle`, `lesson` or `recommendation`; `text` 1 to 2,000
    characters; `session_id` (a session of this workshop) and `rating` (1–5) are optional.
    Refused with 409 `feedback_closed` after the time the organizer set, 403 when the
    invitation is of another workshop."""
    workshop = workshop_or_404(code)
    try:
        feedback = services.add_feedback(workshop, current_invitation(), body["category"],
                                         body["text"], body["session_id"], body["rating"])
    except services.FeedbackError as error:
        raise refused(error) from None
    return serialize(feedback)


@bp.route("/workshops/<code>/feedback", methods=["GET"])
@allow("chair")
@bp.arguments(FeedbackArgs, location="query")
@bp.response(200, page_of(FeedbackSchema))
def list_feedback(args: dict, code: str):
    """List the feedback of a workshop, the newest first; `category` narrows to one."""
    workshop = workshop_or_404(code)
    statement = (
        select(Feedback)
        .options(joinedload(Feedback.invitation).joinedload(Invitation.organization))
        .where(Feedback.workshop_id == workshop.id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    if args["category"]:
        statement = statement.where(Feedback.category == args["category"])
    return paginate(statement, serialize, args)
