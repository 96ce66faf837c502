"""Pages: the agency's task link /t/<token> (a phone, no account), and the organizer's tasks
page of a workshop with its follow-up (links, reminders, export)."""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import role_required
from ..auth.rights import visible_workshop_ids
from ..events.services import workshop_or_404
from ..expired_session import keeps_input
from ..extensions import limiter
from ..models import TASK_STATUS_LABELS, TASK_STATUSES, Workshop
from ..outbox.services import deliver_due
from . import followup, services
from .forms import FromItemsForm, PageReportForm, TaskForm
from .identity import request_task, task_key, task_page_limits, task_url

bp = Blueprint("tasks", __name__)

AGENCY_ENDPOINTS = ("tasks.agency",)
AGENCY_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}
# Beside the pages' budget per link: at most this many reports a minute per valid link.
_sent_per_link = limiter.limit(
    "30 per minute", methods=["POST"],
    key_func=lambda: task_key(request_task((request.view_args or {}).get("token"))) or "",
    exempt_when=lambda: request_task((request.view_args or {}).get("token")) is None,
)


@bp.after_request
def _agency_headers(response: Response) -> Response:
    if request.endpoint in AGENCY_ENDPOINTS:
        response.headers.update(AGENCY_HEADERS)
    return response


def _show_error(form, error: services.TaskError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


# --- the agency -------------------------------------------------------------------------------


@bp.route("/t/<token>", methods=["GET", "POST"])
@task_page_limits
@_sent_per_link
@keeps_input
def agency(token: str):
    """The agency's tasks of this workshop, each taking a short report (with an optional PDF
    or DOCX) or "Đã hoàn thành"."""
    task = request_task(token)
    if task is None:
        abort(404, _("Đường link nhiệm vụ không đúng hoặc không còn hiệu lực. Đề nghị liên hệ "
                     "Ban tổ chức hội thảo để được gửi lại."))
    form = PageReportForm()
    status = 200
    if form.validate_on_submit():
        target = services.task_of_link(task, int(form.task_id.data)) \
            if form.task_id.data.isdigit() and len(form.task_id.data) <= 10 else None
        if target is None:
            abort(404)
        upload = form.attachment.data
        attachment = (upload.filename or "", upload.read()) if upload else None
        try:
            services.add_report(target, form.text.data, bool(form.done.data), attachment)
        except services.TaskError as error:
            _show_error(form, error)
            status = 409 if error.code == "done" else 422
        else:
            flash(_("Đã nhận báo cáo. Trân trọng cảm ơn Quý cơ quan!"), "success")
            return redirect(url_for(".agency", token=token))
    elif form.is_submitted():
        status = 422
    return render_template(
        "tasks/agency.html", task=task, workshop=task.workshop, organization=task.organization,
        tasks=services.agency_tasks(task), form=form, today=services.today(),
        labels=TASK_STATUS_LABELS, failed_task=form.task_id.data if status != 200 else None,
    ), status


# --- the organizer ----------------------------------------------------------------------------


def _page(workshop: Workshop, form: TaskForm | None = None, issued=(), status: int = 200):
    chosen_status = request.args.get("status") if request.args.get("status") in TASK_STATUSES else None
    chosen_agency = request.args.get("organization_id", type=int)
    today = services.today()
    every = services.tasks_of(workshop)
    shown = services.filter_tasks(every, chosen_status, chosen_agency, today)
    return render_template(
        "tasks/index.html", workshop=workshop, form=form or TaskForm(), from_items=FromItemsForm(),
        groups=services.by_agency(shown), counts=services.counts(every, today), today=today,
        labels=TASK_STATUS_LABELS, issued=issued, items=services.unassigned_items(workshop),
        mail=followup.mail_counts(workshop), overdue=len(followup.overdue_tasks(workshop, today)),
        chosen_status=chosen_status, chosen_agency=chosen_agency,
        agencies=services.by_agency(every), total=len(every),
    ), status


@bp.get("/tasks")
@role_required("staff")
def across():
    """Every workshop's tasks, by agency and state: who owes what, whichever the workshop."""
    chosen_status = request.args.get("status") if request.args.get("status") in TASK_STATUSES else None
    chosen_agency = request.args.get("organization_id", type=int)
    today = services.today()
    visible = visible_workshop_ids(current_user)  # a team-limited account: its workshops'
    every = [task for task in services.every_task() if visible is None or task.workshop_id in visible]
    shown = services.filter_tasks(every, chosen_status, chosen_agency, today)
    return render_template(
        "tasks/across.html", groups=services.by_agency(shown), counts=services.counts(every, today),
        agencies=services.by_agency(every), today=today, labels=TASK_STATUS_LABELS,
        chosen_status=chosen_status, chosen_agency=chosen_agency, total=len(every))


@bp.get("/workshops/<code>/tasks")
@role_required("staff")
def index(code: str):
    return _page(workshop_or_404(code))


@bp.post("/workshops/<code>/tasks")
@role_required("chair")
def create(code: str):
    workshop = workshop_or_404(code)
    form = TaskForm()
    if not form.validate_on_submit():
        return _page(workshop, form, status=422)
    try:
        task, token = services.create_task(workshop, form.text.data, form.organization_id.data,
                                           form.due_on.data, author=current_user)
    except services.TaskError as error:
        _show_error(form, error)
        return _page(workshop, form, status=422)
    # The secret is shown now, once: it is not kept (no redirect, which would lose it).
    return _page(workshop, issued=[followup.IssuedLink(task, task_url(token))], status=201)


@bp.post("/workshops/<code>/tasks/from-conclusions")
@role_required("chair")
def from_conclusions(code: str):
    """A task for every item of the thông báo kết luận that names an agency and has none yet;
    an item without a deadline takes the one typed here."""
    workshop = workshop_or_404(code)
    form = FromItemsForm()
    if not form.validate_on_submit():
        flash(_("Thời hạn không hợp lệ."), "error")
        return _page(workshop, status=422)
    items = services.unassigned_items(workshop)
    if any(item.due_on is None for item in items) and form.due_on.data is None:
        flash(_("Có mục kết luận chưa có thời hạn: vui lòng nhập thời hạn cho các mục đó."), "error")
        return _page(workshop, status=422)
    try:
        made = services.create_from_items(workshop, items, form.due_on.data, author=current_user)
    except services.TaskError as error:
        flash(error.message, "error")
        return _page(workshop, status=422)
    if not made:
        flash(_("Không còn mục kết luận nào có cơ quan thực hiện mà chưa giao nhiệm vụ."), "info")
    return _page(workshop, issued=[followup.IssuedLink(task, task_url(token))
                                   for task, token in made], status=201 if made else 200)


def _task_or_404(workshop: Workshop, task_id: int):
    task = services.task_in(workshop, task_id)
    if task is None:
        abort(404)
    return task


@bp.post("/workshops/<code>/tasks/<int:task_id>/link")
@role_required("organizer")
def new_link(code: str, task_id: int):
    """A new link of the task, with its Zalo/SMS text to copy; the older link stops working."""
    workshop = workshop_or_404(code)
    task = _task_or_404(workshop, task_id)
    token = services.new_link(task)
    return _page(workshop, issued=[followup.IssuedLink(task, task_url(token))])


@bp.post("/workshops/<code>/tasks/<int:task_id>/reopen")
@role_required("organizer")
def reopen(code: str, task_id: int):
    workshop = workshop_or_404(code)
    try:
        services.reopen(_task_or_404(workshop, task_id))
    except services.TaskError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã mở lại nhiệm vụ: cơ quan có thể tiếp tục báo cáo."), "success")
    return redirect(url_for(".index", code=code))


def _queued(queued: int, missing: list[str]) -> None:
    if queued:
        flash(_("Đã đưa %(num)d e-mail vào hàng đợi gửi.", num=queued), "success")
    else:
        flash(_("Không có e-mail nào cần gửi."), "info")
    if missing:
        flash(_("Các cơ quan sau chưa có địa chỉ e-mail trong danh bạ, đề nghị gửi đường link qua "
                "Zalo hoặc tin nhắn: %(names)s.", names="; ".join(missing)), "error")


@bp.post("/workshops/<code>/tasks/send")
@role_required("organizer")
def send_links(code: str):
    """Each agency with a task not done gets its (new) link by e-mail."""
    workshop = workshop_or_404(code)
    _queued(*followup.queue_links(workshop))
    return redirect(url_for(".index", code=code))


@bp.post("/workshops/<code>/tasks/remind")
@role_required("organizer")
def remind(code: str):
    """Each agency with an overdue task gets a reminder listing those tasks."""
    workshop = workshop_or_404(code)
    _queued(*followup.queue_reminders(workshop))
    return redirect(url_for(".index", code=code))


@bp.post("/workshops/<code>/tasks/deliver")
@role_required("organizer")
def deliver(code: str):
    """"Gửi ngay": a delivery round for this workshop's task mails, without waiting for the
    outbox worker."""
    workshop = workshop_or_404(code)
    sent = failed = 0
    for batch in followup.pending_batches(workshop):
        report = deliver_due(batch=batch, runner="page")
        sent, failed = sent + report.sent, failed + report.failed + report.retrying
    flash(_("Đã gửi %(sent)d e-mail; %(failed)d e-mail chưa gửi được.", sent=sent, failed=failed),
          "success" if not failed else "error")
    return redirect(url_for(".index", code=code))


@bp.get("/workshops/<code>/tasks.xlsx")
@role_required("staff")
def tasks_xlsx(code: str):
    workshop = workshop_or_404(code)
    return send_file(
        io.BytesIO(followup.tasks_xlsx(workshop)), as_attachment=True,
        download_name=f"nhiem-vu-{workshop.code}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/workshops/<code>/tasks/reports/<int:report_id>/attachment")
@role_required("staff")
def attachment(code: str, report_id: int):
    workshop = workshop_or_404(code)
    report = services.report_in(workshop, report_id)
    if report is None or report.attachment is None:
        abort(404)
    return send_file(io.BytesIO(report.attachment), as_attachment=True,
                     download_name=report.attachment_name, mimetype=report.attachment_type)



