"""The JSON shapes of the seating plan: the organizer's changes and the plan as answered."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from ..models import Invitation
from ..schemas import Answer, Body, Bool, Choice, Int, Num, Str
from .services import DEFAULT_PER_ROW, MAX_PER_ROW, MAX_ROW, Plan

_RANGE = _l("Phải từ %(min)s đến %(max)s.")


class ArrangeBody(Body):
    """`per_row` places a row (default 10); with `reset`, everyone is seated anew, the first
    `head_table` people at the head table (row 0)."""

    per_row = Int(load_default=DEFAULT_PER_ROW, validate=validate.Range(1, MAX_PER_ROW, error=_RANGE))
    head_table = Int(load_default=0, validate=validate.Range(0, MAX_PER_ROW, error=_RANGE))
    reset = Bool()


class SeatBody(Body):
    """`row` (0: the head table) and `number`; both null: no seat."""

    row = Int(required=True, allow_none=True, validate=validate.Range(0, MAX_ROW, error=_RANGE))
    number = Int(required=True, allow_none=True, validate=validate.Range(1, MAX_PER_ROW, error=_RANGE))


class MoveBody(Body):
    direction = Choice(("up", "down"), required=True)


class SeatSchema(Answer):
    invitation_id = fields.Integer(required=True)
    name = fields.String(required=True)
    title = Str()
    organization = Str()
    delegate_for = Str()
    row = Num()
    number = Num()
    seat = Str(metadata={"description": "\"Hàng 2, ghế 5\"; \"Bàn chủ tọa, ghế 1\" for row 0"})


class RowSchema(Answer):
    row = fields.Integer(required=True)
    label = fields.String(required=True)
    seats = fields.List(fields.Nested(SeatSchema), required=True)


class PlanSchema(Answer):
    rows = fields.List(fields.Nested(RowSchema), required=True)
    unseated = fields.List(fields.Nested(SeatSchema), required=True)


def seat_json(invitation: Invitation) -> dict:
    return {
        "invitation_id": invitation.id,
        "name": invitation.attendee_name,
        "title": invitation.attendee_title,
        "organization": invitation.organization.name if invitation.organization else None,
        "delegate_for": invitation.stands_in_for,
        "row": invitation.seat_row,
        "number": invitation.seat_number,
        "seat": invitation.seat_label,
    }


def plan_json(plan: Plan) -> dict:
    return {"rows": [{"row": row.number, "label": row.label,
                      "seats": [seat_json(person) for person in row.seats]} for row in plan.rows],
            "unseated": [seat_json(person) for person in plan.unseated]}
