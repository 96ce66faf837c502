"""The JSON shape of a task (CONTRACT.md "Follow-up tasks"): one function, for every answer."""
from __future__ import annotations

from datetime import date

from ..models import Task, TaskReport
from ..timeutil import isoformat
from .services import today


def report_json(report: TaskReport) -> dict:
    return {
        "id": report.id,
        "text": report.text,
        "done": report.done,
        "attachment": report.attachment_name,
        "created_at": isoformat(report.created_at),
    }


def task_json(task: Task, on: date | None = None, *, token: str | None = None,
              url: str | None = None) -> dict:
    """A task; `token` and `url` only in the answer that made its link (the secret is not
    kept)."""
    answer = {
        "id": task.id,
        "text": task.text,
        "status": task.status_on(on or today()),
        "organization": {"id": task.organization.id, "name": task.organization.name},
        "due_on": task.due_on.isoformat(),
        "conclusion_item_id": task.conclusion_item_id,
        "done_at": isoformat(task.done_at),
        "created_at": isoformat(task.created_at),
        "reports": [report_json(report) for report in task.reports],
    }
    if token is not None:
        answer["token"], answer["url"] = token, url
    return answer
