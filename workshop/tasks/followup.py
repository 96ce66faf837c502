"""The organizer's follow-up of the tasks: links and reminders to the agencies through the
outbox (written in the transaction that makes the new links, delivered after its commit), the
Zalo/SMS text to copy, and the XLSX list."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..models import TASK_STATUS_LABELS, OutboxMessage, Task, Workshop
from ..office import add_sheet, spreadsheet_time, workbook_bytes, workshop_heading
from .identity import task_url
from .services import by_agency, reissue_link, tasks_of, today

LINK, REMINDER = "task_link", "task_reminder"
KINDS = (LINK, REMINDER)


def _host(workshop: Workshop) -> str:
    return workshop.host_organization.name if workshop.host_organization else _("Ban tổ chức")


def short_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def chat_text(task: Task, url: str) -> str:
    """The message to paste into Zalo or an SMS: who asks, what, by when, and the link."""
    with force_locale("vi"):
        return _("Kính gửi %(agency)s: %(host)s đề nghị Quý cơ quan báo cáo tình hình thực hiện "
                 "nhiệm vụ theo kết luận %(title)s, thời hạn %(date)s. Báo cáo tại: %(url)s",
                 agency=task.organization.name, host=_host(task.workshop),
                 title=task.workshop.title, date=short_date(task.due_on), url=url)


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: shown once to the organizer, never stored."""

    task: Task
    url: str

    @property
    def chat_text(self) -> str:
        return chat_text(self.task, self.url)


def batch_name(workshop: Workshop) -> str:
    """Task mails of one workshop share a prefix, so that its page finds them."""
    return f"t{workshop.id}-{secrets.token_hex(6)}"


def _of_workshop(workshop: Workshop):
    return (OutboxMessage.kind.in_(KINDS), OutboxMessage.batch.like(f"t{workshop.id}-%"))


def mail_counts(workshop: Workshop) -> dict[str, int]:
    """The workshop's task mails by outbox status (queued, sending, sent, failed)."""
    rows = db.session.execute(select(OutboxMessage.status, func.count())
                              .where(*_of_workshop(workshop)).group_by(OutboxMessage.status))
    return {status: number for status, number in rows}


def pending_batches(workshop: Workshop) -> list[str]:
    return list(db.session.scalars(
        select(OutboxMessage.batch).where(*_of_workshop(workshop), OutboxMessage.status == "queued")
        .distinct()))


def _queue(workshop: Workshop, kind: str, chosen: list[Task]) -> tuple[int, list[str]]:
    """One mail per agency with an e-mail address, listing its chosen tasks and carrying a new
    link of the first (the link opens every task of the agency in this workshop). Agencies
    without an address are named back, for Zalo or the phone."""
    batch = batch_name(workshop)
    queued, missing = 0, []
    for group in by_agency(chosen):
        address = (group.organization.email or "").strip()
        if not address:
            missing.append(group.organization.name)
            continue
        url = task_url(reissue_link(group.tasks[0]))
        with force_locale("vi"):
            if kind == REMINDER:
                subject = _("Nhắc báo cáo nhiệm vụ quá hạn theo kết luận %(title)s",
                            title=workshop.title)
            else:
                subject = _("Nhiệm vụ theo kết luận %(title)s", title=workshop.title)
            text = render_template("mail/tasks.txt", workshop=workshop, host=_host(workshop),
                                   organization=group.organization, tasks=group.tasks, url=url,
                                   reminder=kind == REMINDER, short_date=short_date)
        db.session.add(OutboxMessage(kind=kind, batch=batch, to_address=address,
                                     subject=" ".join(subject.split())[:500], body_text=text))
        queued += 1
    if queued:
        audit.log("tasks.remind" if kind == REMINDER else "tasks.send_links", workshop=workshop,
                  detail=str(queued))
    db.session.commit()
    return queued, missing


def queue_links(workshop: Workshop) -> tuple[int, list[str]]:
    """The link of every agency that has a task not done, by e-mail."""
    return _queue(workshop, LINK, [task for task in tasks_of(workshop) if task.status != "done"])


def overdue_tasks(workshop: Workshop, on: date | None = None) -> list[Task]:
    on = on or today()
    return [task for task in tasks_of(workshop) if task.status_on(on) == "overdue"]


def queue_reminders(workshop: Workshop, on: date | None = None) -> tuple[int, list[str]]:
    """A reminder to every agency with an overdue task, listing those tasks."""
    return _queue(workshop, REMINDER, overdue_tasks(workshop, on))


def tasks_xlsx(workshop: Workshop, on: date | None = None) -> bytes:
    """The tasks by agency (directory order), with their state and latest report."""
    on = on or today()
    workbook = Workbook()
    rows = []
    for number, task in enumerate(tasks_of(workshop), start=1):
        latest = task.reports[-1] if task.reports else None
        rows.append([number, task.organization.name, task.text, task.due_on,
                     str(TASK_STATUS_LABELS[task.status_on(on)]),
                     latest.text if latest else None,
                     spreadsheet_time(latest.created_at) if latest else None, len(task.reports)])
    add_sheet(workbook, _("Nhiệm vụ"),
              (_("STT"), _("Cơ quan thực hiện"), _("Nhiệm vụ"), _("Thời hạn"), _("Tình trạng"),
               _("Báo cáo gần nhất"), _("Thời gian báo cáo"), _("Số lần báo cáo")),
              rows, first=True, heading=workshop_heading(workshop))
    return workbook_bytes(workbook)
