"""The organizer's outbox pages: start a bulk send, a resend of the failed e-mails or
reminders, watch a batch's progress.

Nothing here sends mail by itself: `flask outbox send` delivers. The one exception is the
"Gửi ngay" button, a bounded delivery round for a small deployment without a separate worker.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.decorators import role_required
from ..events.services import workshop_or_404
from ..models import Workshop
from . import services
from .forms import ConfirmForm, SendForm

bp = Blueprint("outbox", __name__, url_prefix="/workshops/<code>/outbox")

DELIVER_NOW_LIMIT = 50


def _batch(workshop: Workshop, batch: str) -> services.BatchProgress:
    progress = services.batch_progress(batch)
    if progress is None or not services.batch_in_workshop(workshop, batch):
        abort(404)
    return progress


def _queued(code: str, result: services.QueueResult):
    if not result.queued:
        flash(_("Không có giấy mời nào cần gửi e-mail."), "warning")
        return redirect(url_for(".index", code=code))
    flash(_("Đã xếp %(count)d e-mail vào hàng đợi gửi.", count=result.queued), "success")
    return redirect(url_for(".batch", code=code, batch=result.batch))


@bp.get("")
@role_required("organizer")
def index(code: str):
    workshop = workshop_or_404(code)
    return render_template("outbox/index.html", workshop=workshop,
                           overview=services.overview(workshop), form=SendForm(),
                           confirm=ConfirmForm(), mail=services.mail_health(workshop))


@bp.post("")
@role_required("organizer")
def send(code: str):
    """A bulk send: the ticked `ids`, or every invitation never e-mailed."""
    workshop = workshop_or_404(code)
    form = SendForm()
    if not form.validate():
        for error in form.ids.errors:
            flash(error, "error")
        return redirect(url_for(".index", code=code))
    try:
        result = services.queue_invitation_emails(workshop, form.ids.data or None)
    except services.OutboxError as error:
        flash(str(error), "error")
        return redirect(url_for(".index", code=code))
    return _queued(code, result)


@bp.post("/resend-failed")
@role_required("organizer")
def resend_failed(code: str):
    """"Gửi lại n e-mail bị lỗi": the invitation e-mail again wherever the latest one failed."""
    workshop = workshop_or_404(code)
    if not ConfirmForm().validate():
        abort(400)
    return _queued(code, services.queue_failed_again(workshop))


@bp.post("/reminders")
@role_required("organizer")
def remind(code: str):
    workshop = workshop_or_404(code)
    if not ConfirmForm().validate():
        abort(400)
    return _queued(code, services.queue_reminders(workshop))


@bp.get("/<batch>")
@role_required("organizer")
def batch(code: str, batch: str):
    workshop = workshop_or_404(code)
    return render_template("outbox/batch.html", workshop=workshop, progress=_batch(workshop, batch),
                           failures=services.batch_failures(batch), confirm=ConfirmForm())


@bp.get("/<batch>/progress")
@role_required("organizer")
def progress(code: str, batch: str):
    """What the progress page polls."""
    progress = _batch(workshop_or_404(code), batch)
    failures = [
        {"name": message.invitation.name if message.invitation else "",
         "email": message.to_address, "status": message.status, "error": message.reason}
        for message in services.batch_failures(batch)
    ]
    return jsonify(progress.as_dict() | {"failures": failures})


@bp.post("/<batch>/deliver")
@role_required("organizer")
def deliver_now(code: str, batch: str):
    """One bounded delivery round for this batch, in the request."""
    workshop = workshop_or_404(code)
    _batch(workshop, batch)
    if not ConfirmForm().validate():
        abort(400)
    report = services.deliver_due(limit=DELIVER_NOW_LIMIT, batch=batch, runner=services.PAGE,
                                  workshop=workshop)
    flash(_("Đã gửi %(sent)d, không gửi được %(failed)d, sẽ thử lại %(retrying)d.",
            sent=report.sent, failed=report.failed, retrying=report.retrying),
          "success" if not report.failed and not report.retrying else "warning")
    return redirect(url_for(".batch", code=code, batch=batch))
