"""API rows for the seating plan: staff read it, the organizer arranges and changes it. The
rules live in workshop/seating/services.py."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.identity import staff_user
from ..errors import ApiError, field_error
from ..events.services import workshop_or_404
from ..seating import services
from ..seating.schemas import ArrangeBody, MoveBody, PlanSchema, SeatBody, SeatSchema, plan_json, seat_json
from .access import allow, bp, refuses


def refused(error: services.SeatingError) -> ApiError:
    if error.field:
        return field_error(error.field, error.message)
    return ApiError(409, "conflict", error.message)


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Không tìm thấy giấy mời này trong hội thảo."))


@bp.route("/workshops/<code>/seating", methods=["GET"])
@allow("staff")
@bp.response(200, PlanSchema)
@refuses({404: "No workshop has this code"})
def get_seating(code: str):
    """The seating plan.

    `rows` in order (row 0 the head table), each with its `seats` by place; `unseated`: who may
    come and has no seat yet, in protocol order."""
    return plan_json(services.plan_of(workshop_or_404(code)))


@bp.route("/workshops/<code>/seating/arrange", methods=["POST"])
@allow("organizer")
@bp.arguments(ArrangeBody)
@bp.response(200, PlanSchema)
@refuses({404: "No workshop has this code", 422: "Invalid fields"})
def arrange_seating(body: dict, code: str):
    """Seat in protocol order.

    The host's leaders, the province's agencies, the departments, the districts, the
    sub-departments; rows of `per_row`. Without `reset`, those seated keep their seats."""
    workshop = workshop_or_404(code)
    try:
        plan = services.arrange(workshop, per_row=body["per_row"], head_table=body["head_table"],
                                reset=body["reset"], actor=staff_user())
    except services.SeatingError as error:
        raise refused(error) from None
    return plan_json(plan)


@bp.route("/workshops/<code>/seating/<int:invitation_id>", methods=["PUT"])
@allow("organizer")
@bp.arguments(SeatBody)
@bp.response(200, SeatSchema)
@refuses({404: "No workshop or invitation", 409: "Declined, or changed meanwhile",
          422: "Invalid fields"})
def set_seat(body: dict, code: str, invitation_id: int):
    """Give one person a seat.

    `{row, number}`; a seat someone holds is swapped with the person's own; both null: no seat."""
    workshop = workshop_or_404(code)
    try:
        invitation = services.set_seat(workshop, invitation_id, body["row"], body["number"],
                                       actor=staff_user())
    except LookupError:
        raise _not_found() from None
    except services.SeatingError as error:
        raise refused(error) from None
    return seat_json(invitation)


@bp.route("/workshops/<code>/seating/<int:invitation_id>/move", methods=["POST"])
@allow("organizer")
@bp.arguments(MoveBody)
@bp.response(200, SeatSchema)
@refuses({404: "No workshop or invitation", 409: "Not seated, or first or last already",
          422: "Invalid fields"})
def move_seat(body: dict, code: str, invitation_id: int):
    """Swap seats with the person before (`up`) or after (`down`) in the plan."""
    workshop = workshop_or_404(code)
    try:
        invitation = services.move(workshop, invitation_id, body["direction"], actor=staff_user())
    except LookupError:
        raise _not_found() from None
    except services.SeatingError as error:
        raise refused(error) from None
    return seat_json(invitation)
