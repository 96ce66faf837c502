"""Who a task call is from: the agency, by the secret of a task link (`X-Task-Token` in the
API, the URL of /t/<token> on the page), worked out once per request and rate limited per
valid link, as attendee calls are per invitation (workshop/ratelimit.py)."""
from __future__ import annotations

from flask import request

from ..links import base_url
from ..models import Task
from ..ratelimit import holder_limits, once_per_request

TASK_HEADER = "X-Task-Token"


def task_url(token: str) -> str:
    """The agency's task link: the secret is the only key to its page."""
    return f"{base_url()}/t/{token}"


def request_task(token: str | None) -> Task | None:
    """The task whose link carries `token`, looked up once per request."""
    from .services import task_for_token

    return once_per_request("task", token, task_for_token)


def header_token() -> str | None:
    header = request.headers.get(TASK_HEADER)
    return header.strip() if header is not None else None


def current_task() -> Task | None:
    """The task of this request's `X-Task-Token`; None when it carries none or a wrong one
    (the API answers 401 then)."""
    return request_task(header_token())


def task_key(task: Task | None) -> str | None:
    """A link's budget is keyed by its task's id, so the secret itself is never stored."""
    return f"task:{task.id}" if task is not None else None


# The API calls by `X-Task-Token` and the pages under /t/<token>: one budget per valid link,
# per address only for calls that carry none (or a wrong one).
task_api_limits = holder_limits("task-api", lambda: task_key(current_task()))
task_page_limits = holder_limits(
    "task-pages", lambda: task_key(request_task((request.view_args or {}).get("token"))))
