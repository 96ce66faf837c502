"""The summary page for the chair and the organizer: the compiled report, the conclusions edited
in place and their versions, publishing, and the DOCX / XLSX / print exports."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import role_required
from ..events.services import workshop_or_404
from ..expired_session import keeps_input
from ..models import CATEGORY_LABELS, KIND_LABELS, Workshop
from ..office import download
from ..refusals import show_refusal
from ..tasks.series import series_context
from . import page, report, services
from .forms import ConclusionsForm, PublishForm

bp = Blueprint("summary", __name__)


def _page(summary: services.Summary, form: ConclusionsForm, status: int = 200):
    series = series_context(summary.workshop)
    repeated = frozenset(series["series"].repeated_texts) if series["series"] else frozenset()
    return render_template(
        "summary/summary.html", summary=summary, workshop=summary.workshop, form=form,
        publish_form=PublishForm(), category_labels=CATEGORY_LABELS, kind_labels=KIND_LABELS,
        rows=page.rows(summary, repeated), **series,
    ), status


def _conclusions_form(summary: services.Summary) -> ConclusionsForm:
    return ConclusionsForm(formdata=None, data={
        "conclusions": summary.conclusions,
        "proposals": summary.proposals,
        "report_number": summary.report_number,
        "report_date": summary.report_date,
        "base_version": str(summary.version.version if summary.version else 0),
    })


@bp.get("/workshops/<code>/summary")
@role_required("chair")
def show(code: str):
    summary = services.compile_summary(workshop_or_404(code))
    return _page(summary, _conclusions_form(summary))


@bp.post("/workshops/<code>/summary")
@role_required("chair")
@keeps_input
def save(code: str):
    """"Lưu bản nháp" or "Hoàn thành và công bố": either way a new version."""
    workshop = workshop_or_404(code)
    form = ConclusionsForm()
    if form.validate_on_submit():
        try:
            version = services.save_conclusions(
                workshop, form.conclusions.data, current_user, final=form.finish.data,
                base_version=int(form.base_version.data) if form.base_version.data else None,
                proposals=form.proposals.data or "", report_number=form.report_number.data or "",
                report_date=form.report_date.data)
        except services.SummaryError as error:
            summary = services.compile_summary(workshop)
            return _page(summary, form, show_refusal(
                form, error, revision_field="base_version",
                revision=summary.version.version if summary.version else 0))
        if version.status == "final":
            flash(_("Đã hoàn thành báo cáo (phiên bản %(number)d); đại biểu xem được qua đường link "
                    "cá nhân.", number=version.version), "success")
        else:
            flash(_("Đã lưu bản nháp kết luận (phiên bản %(number)d).", number=version.version),
                  "success")
        return redirect(url_for(".show", code=code, _anchor="conclusions"))
    return _page(services.compile_summary(workshop), form, 422)


@bp.post("/workshops/<code>/summary/publish")
@role_required("chair")
def publish(code: str):
    """"Công bố": the current conclusions become final."""
    workshop = workshop_or_404(code)
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        version = services.publish(workshop, current_user)
    except services.SummaryError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã công bố báo cáo (phiên bản %(number)d); đại biểu xem được qua đường link cá nhân.",
                number=version.version), "success")
    return redirect(url_for(".show", code=code, _anchor="conclusions"))


@bp.get("/workshops/<code>/summary/versions/<int:number>")
@role_required("chair")
def version(code: str, number: int):
    workshop = workshop_or_404(code)
    saved = services.get_version(workshop, number) or abort(404)
    return render_template("summary/version.html", workshop=workshop, version=saved)


def _report(code: str) -> tuple[Workshop, report.Report]:
    """The live draft's report, or with `?version=N` the report that published version froze."""
    workshop = workshop_or_404(code)
    number = request.args.get("version", "")
    if number and not (number.isdigit() and len(number) <= 9):
        abort(404)
    built = report.report_of(workshop, int(number) if number else None)
    return workshop, built or abort(404)


@bp.get("/workshops/<code>/summary/print")
@role_required("chair")
def print_page(code: str):
    """The report as A4 pages, the same lines as the DOCX."""
    workshop, built = _report(code)
    return print_html(workshop, built, request.args.get("version"))


def print_html(workshop: Workshop, built: report.Report, version: str | None = None) -> str:
    """The print page of a report (the live draft's, or a published version's): also the PDF's."""
    return render_template("summary/print.html", workshop=workshop, report=built, version=version)


@bp.get("/workshops/<code>/summary.docx")
@role_required("chair")
def docx(code: str):
    workshop, built = _report(code)
    return download(report.write_docx(built, workshop), f"bao-cao-{workshop.code}.docx")


@bp.get("/workshops/<code>/summary.xlsx")
@role_required("chair")
def xlsx(code: str):
    summary = services.compile_summary(workshop_or_404(code))
    return download(report.report_xlsx(summary), f"bao-cao-{code}.xlsx")
