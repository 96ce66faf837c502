"""API rows for follow-up tasks: the chair makes them, staff list them, the agency reports by
the secret of its task link (`X-Task-Token`). All rules live in workshop/tasks/services.py."""
from __future__ import annotations

import functools

from ..auth.identity import staff_user
from ..errors import ApiError, field_error
from ..events.services import workshop_or_404
from ..schemas import page_of
from ..tasks import services
from ..tasks.identity import current_task, task_url
from ..tasks.schemas import (
    CreatedTaskSchema,
    ReportAnswerSchema,
    ReportBody,
    TaskArgs,
    TaskBody,
    TaskSchema,
    report_json,
    task_json,
)
from .access import AGENCY, allow, bp, refuses

REFUSALS = {"done": (409, "task_done"), "not_done": (409, "conflict")}


def refused(error: services.TaskError) -> ApiError:
    if error.field:
        return field_error(error.field, error.message)
    status, code = REFUSALS.get(error.code, (409, "conflict"))
    return ApiError(status, code, error.message)


@bp.route("/workshops/<code>/tasks", methods=["POST"])
@allow("chair")
@bp.arguments(TaskBody)
@bp.response(201, CreatedTaskSchema)
@refuses({404: "No workshop has this code", 422: "Invalid fields"})
def create_task(body: dict, code: str):
    """Create a follow-up task.

    `text`, `organization_id` (an agency of the directory), `due_on` (a date, today or
    later); `conclusion_item_id` optionally. The `token` of the agency's link `url` is shown
    only in this answer."""
    workshop = workshop_or_404(code)
    try:
        task, token = services.create_task(
            workshop, body["text"], body["organization_id"], body["due_on"],
            conclusion_item_id=body["conclusion_item_id"], author=staff_user())
    except services.TaskError as error:
        raise refused(error) from None
    return task_json(task, token=token, url=task_url(token))


@bp.route("/workshops/<code>/tasks", methods=["GET"])
@allow("staff")
@bp.arguments(TaskArgs, location="query")
@bp.response(200, page_of(TaskSchema))
@refuses({404: "No workshop has this code"})
def list_tasks(args: dict, code: str):
    """List the tasks of a workshop.

    By agency in directory order, then deadline; `status` (`open`, `reported`, `done`,
    `overdue`) and `organization_id` narrow the list."""
    workshop = workshop_or_404(code)
    today = services.today()
    tasks = services.filter_tasks(services.tasks_of(workshop), args["status"],
                                  args["organization_id"], today)
    limit, offset = args["limit"], args["offset"]
    return {"items": [task_json(task, today) for task in tasks[offset:offset + limit]],
            "total": len(tasks)}


def reportable_first(view):
    """A finished task is refused (409) before its body is read: nothing goes to it."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            services.ensure_reportable(current_task())
        except services.TaskError as error:
            raise refused(error) from None
        return view(*args, **kwargs)

    return wrapped


@bp.route("/tasks/reports", methods=["POST"])
@allow(AGENCY)
@reportable_first
@bp.arguments(ReportBody)
@bp.response(201, ReportAnswerSchema)
@refuses({401: "No or a wrong X-Task-Token", 409: "task_done: the task is finished",
          422: "Invalid fields"})
def report_task(body: dict):
    """Report on a task.

    The agency's progress report on the task of its link: `text`, `done: true` when the
    task is finished. A finished task takes no further report until the organizer reopens it."""
    task = current_task()
    try:
        report = services.add_report(task, body["text"], body["done"])
    except services.TaskError as error:
        raise refused(error) from None
    return {**report_json(report), "task": task_json(task)}
