"""`flask --app wsgi outbox send [--loop]`: deliver the queued e-mails (CONTRACT.md)."""
from __future__ import annotations

import signal
import threading

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

outbox_cli = AppGroup("outbox", help="E-mail outbox: invitations and reminders.")


def _summary(report) -> str:
    line = _("Đã gửi %(sent)d, không gửi được %(failed)d, sẽ thử lại %(retrying)d.",
             sent=report.sent, failed=report.failed, retrying=report.retrying)
    if report.requeued:
        line += " " + _("Xếp lại %(count)d thư bị gián đoạn.", count=report.requeued)
    return line


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running; stop with Ctrl-C or SIGTERM.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds with --loop.")
@click.option("--limit", default=100, show_default=True, help="Messages per round at most.")
def send_command(loop: bool, interval: float, limit: int) -> None:
    """Deliver the e-mails that are due, with retries and backoff. Every round notes a
    heartbeat: the organizers' pages warn when none ran for 10 minutes."""
    from .services import deliver_due

    if not loop:
        report = deliver_due(limit=limit)
        click.echo(_summary(report) if report.handled or report.requeued
                   else _("Không có e-mail nào đến hạn gửi."))
        for error in report.errors:
            click.echo(f"  {error}")
        return

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_args: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(_("Đang chạy; Ctrl-C để dừng."))
    try:
        while not stop.is_set():
            try:
                report = deliver_due(limit=limit)
            except SQLAlchemyError as error:  # the database restarting must not end the worker
                db.session.rollback()
                click.echo(_("Lỗi cơ sở dữ liệu, thử lại sau: %(error)s", error=error), err=True)
                stop.wait(interval)
                continue
            if report.handled or report.requeued:
                click.echo(_summary(report))
            if report.handled < limit:  # a full round means more are due: go again at once
                stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(_("Đã dừng."))
