"""The JSON shapes of the summary, the chair's conclusions and publishing."""
from __future__ import annotations

from marshmallow import fields, missing

from ..events.schemas import WorkshopSchema
from ..schemas import Answer, Body, Bool, Day, Num, Query, QueryInt, Str, Text, Time, positive
from .services import MAX_CONCLUSIONS_LENGTH, MAX_REPORT_NUMBER_LENGTH


class ConclusionsBody(Body):
    """`{text, final?, proposals?, report_number?, report_date?}`; what is left out stays as the
    previous version has it."""

    text = Text(multiline=True, max_length=MAX_CONCLUSIONS_LENGTH)
    final = Bool()
    # Left out, these two stay as they are: absent is not null here.
    proposals = Text(multiline=True, max_length=MAX_CONCLUSIONS_LENGTH, load_default=missing,
                     allow_none=True)
    report_number = Text(max_length=MAX_REPORT_NUMBER_LENGTH, load_default=missing, allow_none=True)
    report_date = Day()


class VersionArgs(Query):
    """`?version=N`: a published version."""

    version = QueryInt(validate=positive())


class VersionSchema(Answer):
    version = fields.Integer(required=True)
    status = fields.String(required=True)


class TaskCountsSchema(Answer):
    open = fields.Integer(required=True)
    reported = fields.Integer(required=True)
    done = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class PreviousSchema(Answer):
    """The edition this workshop follows (CONTRACT.md "Series") and how its tasks stand."""

    code = fields.String(required=True)
    title = fields.String(required=True)
    tasks = fields.Nested(TaskCountsSchema, required=True)


class SummarySchema(Answer):
    """The compiled summary (or a published version, as it was frozen)."""

    workshop = fields.Nested(WorkshopSchema, required=True)
    attendance = fields.Dict(required=True, metadata={"description": (
        "invited, accepted, delegated, declined, unanswered, checked_in, walk_ins, by_kind, "
        "absent, agencies_invited")})
    sessions = fields.List(fields.Dict(), required=True)
    feedback = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()), required=True)
    contributors = fields.Raw()
    overall_rating = fields.Dict(allow_none=True)
    conclusions = Str()
    proposals = Str()
    report_number = Str()
    report_date = Str(metadata={"format": "date"})
    status = Str()
    version = Num()
    updated_at = Time()
    published_version = Num()
    previous = fields.Nested(PreviousSchema, allow_none=True)
