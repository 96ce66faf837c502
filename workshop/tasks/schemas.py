"""The JSON shapes of follow-up tasks (CONTRACT.md "Follow-up tasks"): what the chair sends to
make one, what the agency reports, and the task as every answer has it. The rules (a date from
today, an agency of the directory, a finished task takes no report) are the services'."""
from __future__ import annotations

from marshmallow import fields

from ..models import TASK_STATUSES
from ..schemas import (
    Answer,
    Body,
    Bool,
    Day,
    Int,
    Num,
    PageArgs,
    QueryChoice,
    QueryInt,
    Str,
    Text,
    Time,
    positive,
)
from .serializers import report_json, task_json  # noqa: F401  (the one serializer of a task)


class TaskBody(Body):
    """`text`, `organization_id`, `due_on` (required by the service, which names the field);
    `conclusion_item_id` when the task comes from an item of the thông báo kết luận."""

    text = Text(multiline=True)
    organization_id = Int()
    due_on = Day()
    conclusion_item_id = Int()


class ReportBody(Body):
    text = Text(multiline=True)
    done = Bool()


class TaskArgs(PageArgs):
    status = QueryChoice(TASK_STATUSES)
    organization_id = QueryInt(load_default=None, validate=positive())


class OrganizationRefSchema(Answer):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ReportSchema(Answer):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    done = fields.Boolean(required=True)
    attachment = Str()
    created_at = Time()


class TaskSchema(Answer):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(TASK_STATUSES)})
    organization = fields.Nested(OrganizationRefSchema, required=True)
    due_on = fields.String(required=True, metadata={"format": "date"})
    conclusion_item_id = Num()
    done_at = Time()
    created_at = Time()
    reports = fields.List(fields.Nested(ReportSchema), required=True)


class CreatedTaskSchema(TaskSchema):
    """The answer that made the link: its secret `token` and the link `url`, shown only here."""

    token = fields.String(required=True)
    url = fields.String(required=True)


class ReportAnswerSchema(ReportSchema):
    task = fields.Nested(TaskSchema, required=True)
