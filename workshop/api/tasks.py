"""API rows for follow-up tasks: the chair makes them, staff list them, the agency reports by
the secret of its task link (`X-Task-Token`). All rules live in workshop/tasks/services.py."""
from __future__ import annotations

from ..models import TASK_STATUSES
from ..tasks import services
from ..tasks.forms import ReportForm, TaskForm
from ..tasks.identity import current_task, task_url
from ..tasks.serializers import report_json, task_json
from .errors import ApiError
from .routing import choice_arg, endpoint, int_arg, json_form, page_args, staff_user
from .workshops import workshop_or_404

REFUSALS = {"done": (409, "task_done"), "not_done": (409, "conflict")}


def refused(error: services.TaskError) -> ApiError:
    if error.field:
        return ApiError(422, "invalid", error.message,
                        fields=[{"field": error.field, "message": error.message}])
    status, code = REFUSALS.get(error.code, (409, "conflict"))
    return ApiError(status, code, error.message)


@endpoint("/workshops/<code>/tasks", "POST", who="chair", summary="Create a follow-up task",
          body=TaskForm,
          responses={201: "The task, with the secret `token` of its link and the link `url`",
                     422: "Invalid fields"})
def create_task(code: str):
    """`text`, `organization_id` (an agency of the directory), `due_on` (a date, today or
    later); `conclusion_item_id` optionally. The `token` is shown only in this answer."""
    workshop = workshop_or_404(code)
    form = json_form(TaskForm)
    try:
        task, token = services.create_task(
            workshop, form.text.data, form.organization_id.data, form.due_on.data,
            conclusion_item_id=form.conclusion_item_id.data, author=staff_user())
    except services.TaskError as error:
        raise refused(error) from None
    return task_json(task, token=token, url=task_url(token)), 201


@endpoint("/workshops/<code>/tasks", "GET", who="staff", summary="List the tasks of a workshop")
def list_tasks(code: str):
    """By agency in directory order, then deadline; `status` (`open`, `reported`, `done`,
    `overdue`) and `organization_id` narrow the list."""
    workshop = workshop_or_404(code)
    status = choice_arg("status", TASK_STATUSES)
    organization_id = int_arg("organization_id")
    limit, offset = page_args()
    today = services.today()
    tasks = services.filter_tasks(services.tasks_of(workshop), status, organization_id, today)
    return {"items": [task_json(task, today) for task in tasks[offset:offset + limit]],
            "total": len(tasks)}


@endpoint("/tasks/reports", "POST", who="agency", summary="Report on a task", body=ReportForm,
          responses={201: "The report", 401: "No or a wrong X-Task-Token",
                     409: "task_done: the task is finished", 422: "Invalid fields"})
def report_task():
    """The agency's progress report on the task of its link: `text`, `done: true` when the
    task is finished. A finished task takes no further report until the organizer reopens it."""
    task = current_task()
    try:
        services.ensure_reportable(task)  # before the body's checks: nothing goes to it
        form = json_form(ReportForm)
        report = services.add_report(task, form.text.data, form.done.data)
    except services.TaskError as error:
        raise refused(error) from None
    return {**report_json(report), "task": task_json(task)}, 201
