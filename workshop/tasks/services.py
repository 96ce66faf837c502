"""Follow-up tasks and the agencies' reports on them.

A task is what the chair's conclusions ask one agency (of the directory) to do by `due_on`. Each
task has its own random link; only the link's SHA-256 is stored, so the secret is known when it
is made (and shown or mailed then) and never again: sending a link again makes a new one, and
the older link of that task stops working. A link opens the page of every task of its agency in
its workshop, and acts on those only.

States: `open` (no report yet), `reported` (a progress report came in), `done` (the agency said
it is finished). `overdue` is not stored: a task not done whose deadline passed. A done task
takes no further report until the organizer reopens it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..collation import agency_key
from ..extensions import db
from ..models import (
    TASK_STATUSES,
    ConclusionItem,
    Organization,
    Task,
    TaskReport,
    User,
    Workshop,
    hash_token,
    new_task_token,
)
from ..text import text_problem
from ..timeutil import as_local, utcnow

MAX_TASK_LENGTH = 2000
MAX_REPORT_LENGTH = 4000
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
LARGEST_ID = 2**31 - 1  # ids are 32-bit in PostgreSQL: a larger number names nothing


def _get(model, record_id: int | None):
    if record_id is None or not 1 <= record_id <= LARGEST_ID:
        return None
    return db.session.get(model, record_id)


class TaskError(ValueError):
    """A refused change. `field` names the input at fault (a 422); without it `code` says why:
    `done` (409: the task is finished and takes no report), `not_done` (nothing to reopen)."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def today() -> date:
    """The date in Vietnam: a deadline is a Vietnamese calendar day."""
    return as_local(utcnow()).date()


def _text(value: str | None, field: str, limit: int, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise TaskError(missing, field)
    problem = text_problem(value, multiline=True)
    if problem:
        raise TaskError(problem, field)
    if len(value) > limit:
        raise TaskError(_("Tối đa %(max)d ký tự.", max=limit), field)
    return value


def _due_on(value: date | None, on: date) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TaskError(_("Vui lòng nhập thời hạn (ngày, ví dụ 2015-06-30)."), "due_on")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise TaskError(_("Ngày phải trong khoảng từ năm %(first)d đến năm %(last)d.",
                          first=EARLIEST_YEAR, last=LATEST_YEAR), "due_on")
    if value < on:
        raise TaskError(_("Thời hạn đã qua; vui lòng chọn một ngày từ hôm nay trở đi."), "due_on")
    return value


# --- creating -------------------------------------------------------------------------------


def create_task(workshop: Workshop, text: str | None, organization_id: int | None,
                due_on: date | None, *, conclusion_item_id: int | None = None,
                author: User | None = None, on: date | None = None) -> tuple[Task, str]:
    """A new open task and the secret of its link (known only now). Every check runs before
    anything is written. `on` is the day the deadline is checked against (today)."""
    item = None
    if conclusion_item_id is not None:
        item = _get(ConclusionItem, conclusion_item_id)
        if item is None or item.workshop_id != workshop.id:
            raise TaskError(_("Mục kết luận không thuộc hội thảo này."), "conclusion_item_id")
    text = _text(text if text is not None or item is None else item.text, "text",
                 MAX_TASK_LENGTH, _("Vui lòng nhập nội dung nhiệm vụ."))
    if organization_id is None:
        raise TaskError(_("Vui lòng chọn cơ quan thực hiện."), "organization_id")
    if _get(Organization, organization_id) is None:
        raise TaskError(_("Cơ quan không có trong danh bạ."), "organization_id")
    due_on = _due_on(due_on, on or today())
    token = new_task_token()
    task = Task(workshop_id=workshop.id, conclusion_item_id=item.id if item else None,
                organization_id=organization_id, text=text, due_on=due_on,
                token_hash=hash_token(token), status="open",
                created_by_id=author.id if author else None)
    db.session.add(task)
    audit.log("tasks.create", workshop=workshop, detail=text, actor=author)
    db.session.commit()
    return task, token


def reissue_link(task: Task) -> str:
    """A new secret for the task's link; the older link stops working. Not committed: the
    caller commits it with what carries the new link (an e-mail in the outbox)."""
    token = new_task_token()
    task.token_hash = hash_token(token)
    return token


def new_link(task: Task) -> str:
    """`reissue_link`, committed: for a link shown to the organizer to copy."""
    token = reissue_link(task)
    audit.log("tasks.new_link", workshop=task.workshop_id, detail=task.organization.name)
    db.session.commit()
    return token


# --- the agency's link ----------------------------------------------------------------------


def task_for_token(token: str | None) -> Task | None:
    """The task whose link carries `token`, else None."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Task).options(joinedload(Task.workshop), joinedload(Task.organization))
        .where(Task.token_hash == hash_token(token))
    )


def agency_tasks(task: Task) -> list[Task]:
    """Every task of the link's agency in the link's workshop, the nearest deadline first."""
    return list(db.session.scalars(
        select(Task).options(selectinload(Task.reports))
        .where(Task.workshop_id == task.workshop_id, Task.organization_id == task.organization_id)
        .order_by(Task.due_on, Task.id)
    ))


def task_of_link(task: Task, task_id: int) -> Task | None:
    """Task `task_id` if the link of `task` may act on it (same agency, same workshop)."""
    other = _get(Task, task_id)
    if other is None or other.workshop_id != task.workshop_id \
            or other.organization_id != task.organization_id:
        return None
    return other


def attachment_checked(filename: str, data: bytes) -> tuple[str, str, bytes]:
    """(name, type, bytes) of a report's file, by the same checks as a contribution's."""
    from ..feedback.services import FeedbackError, attachment_type

    name = PurePosixPath(filename.replace("\\", "/")).name[-255:]
    try:
        return name, attachment_type(name, data), data
    except FeedbackError as error:
        raise TaskError(error.message, "attachment") from None


def ensure_reportable(task: Task) -> None:
    """A finished task takes no report (TaskError `done`) until the organizer reopens it."""
    if task.status == "done":
        raise TaskError(_("Nhiệm vụ này đã được báo cáo hoàn thành; không nhận thêm báo cáo. "
                          "Nếu cần bổ sung, đề nghị liên hệ Ban tổ chức để mở lại nhiệm vụ."),
                        code="done")


def add_report(task: Task, text: str | None, done: bool = False,
               attachment: tuple[str, bytes] | None = None,
               now: datetime | None = None) -> TaskReport:
    """The agency's report on `task`, kept with its time; `done` finishes the task. A finished
    task takes none (TaskError `done`) until reopened. `attachment` is (filename, bytes)."""
    ensure_reportable(task)
    text = _text(text, "text", MAX_REPORT_LENGTH, _("Vui lòng nhập nội dung báo cáo."))
    if done is not True and done is not False:
        raise TaskError(_("Phải là true hoặc false."), "done")
    file = attachment_checked(*attachment) if attachment else (None, None, None)
    now = now or utcnow()
    report = TaskReport(task_id=task.id, text=text, done=done, created_at=now,
                        attachment_name=file[0], attachment_type=file[1], attachment=file[2])
    db.session.add(report)
    task.status = "done" if done else "reported"
    task.done_at = now if done else None
    db.session.commit()
    return report


def reopen(task: Task) -> Task:
    """The organizer opens a finished task again so that the agency can report on it."""
    if task.status != "done":
        raise TaskError(_("Nhiệm vụ chưa hoàn thành, không cần mở lại."), code="not_done")
    task.status, task.done_at = "reported", None
    audit.log("tasks.reopen", workshop=task.workshop_id, detail=task.organization.name)
    db.session.commit()
    return task


# --- the organizer's lists ------------------------------------------------------------------


def tasks_of(workshop: Workshop) -> list[Task]:
    """The workshop's tasks with their agencies and reports, in directory order of the agency,
    then the nearest deadline first."""
    rows = db.session.scalars(
        select(Task).options(joinedload(Task.organization), selectinload(Task.reports))
        .where(Task.workshop_id == workshop.id)
    )
    return sorted(rows, key=lambda task: (agency_key(task.organization), task.due_on, task.id))


def task_in(workshop: Workshop, task_id: int) -> Task | None:
    task = db.session.get(Task, task_id)
    return task if task is not None and task.workshop_id == workshop.id else None


def filter_tasks(tasks: list[Task], status: str | None = None,
                 organization_id: int | None = None, on: date | None = None) -> list[Task]:
    on = on or today()
    return [task for task in tasks
            if (status is None or task.status_on(on) == status)
            and (organization_id is None or task.organization_id == organization_id)]


def counts(tasks: list[Task], on: date | None = None) -> dict[str, int]:
    """How many tasks are in each state, `overdue` counted instead of open or reported (the
    four numbers add up to the number of tasks)."""
    on = on or today()
    found = Counter(task.status_on(on) for task in tasks)
    return {status: found[status] for status in TASK_STATUSES}


@dataclass(frozen=True)
class AgencyTasks:
    organization: Organization
    tasks: list[Task]

    def count(self, status: str, on: date) -> int:
        return sum(1 for task in self.tasks if task.status_on(on) == status)


def by_agency(tasks: list[Task]) -> list[AgencyTasks]:
    """The tasks grouped by agency, in the order given (directory order from `tasks_of`)."""
    groups: dict[int, AgencyTasks] = {}
    for task in tasks:
        groups.setdefault(task.organization_id, AgencyTasks(task.organization, [])).tasks.append(task)
    return list(groups.values())


def unassigned_items(workshop: Workshop) -> list[ConclusionItem]:
    """The conclusion items that name an agency and have no task yet: what "create the tasks
    from the conclusions" makes."""
    taken = select(Task.conclusion_item_id).where(Task.conclusion_item_id.is_not(None))
    return list(db.session.scalars(
        select(ConclusionItem).options(joinedload(ConclusionItem.organization))
        .where(ConclusionItem.workshop_id == workshop.id,
               ConclusionItem.organization_id.is_not(None), ConclusionItem.id.not_in(taken))
        .order_by(ConclusionItem.position, ConclusionItem.id)
    ))


def tasks_of_items(workshop: Workshop) -> dict[int, list[Task]]:
    """The tasks made from each conclusion item of the workshop, by item id."""
    found: dict[int, list[Task]] = {}
    for task in db.session.scalars(
        select(Task).options(joinedload(Task.organization))
        .where(Task.workshop_id == workshop.id, Task.conclusion_item_id.is_not(None))
        .order_by(Task.id)
    ):
        found.setdefault(task.conclusion_item_id, []).append(task)
    return found


def create_from_items(workshop: Workshop, items: list[ConclusionItem], due_on: date | None,
                      *, author: User | None = None,
                      on: date | None = None) -> list[tuple[Task, str]]:
    """A task for each item (its agency, its text, its deadline or else `due_on`), all or
    nothing; with the secret of each new link."""
    on = on or today()
    checked = [(item, _text(item.text, "text", MAX_TASK_LENGTH, _("Vui lòng nhập nội dung nhiệm vụ.")),
                _due_on(item.due_on or due_on, on))
               for item in items if item.organization_id is not None]  # every check first
    made = []
    for item, text, deadline in checked:
        token = new_task_token()
        task = Task(workshop_id=workshop.id, conclusion_item_id=item.id,
                    organization_id=item.organization_id, text=text, due_on=deadline,
                    token_hash=hash_token(token), status="open",
                    created_by_id=author.id if author else None)
        db.session.add(task)
        made.append((task, token))
    if made:
        audit.log("tasks.create", workshop=workshop, detail=str(len(made)), actor=author)
    db.session.commit()
    return made


def report_in(workshop: Workshop, report_id: int) -> TaskReport | None:
    report = db.session.get(TaskReport, report_id)
    if report is None or report.task.workshop_id != workshop.id:
        return None
    return report


def every_task() -> list[Task]:
    """The tasks of every workshop, by agency in directory order, then deadline: what each
    agency owes across workshops."""
    rows = db.session.scalars(
        select(Task).options(joinedload(Task.organization), joinedload(Task.workshop),
                             selectinload(Task.reports))
    )
    return sorted(rows, key=lambda task: (agency_key(task.organization), task.due_on, task.id))
