"""API rows for the summary: the same compiled Summary that the page and the exports read; the
chair's conclusions; publishing, which freezes a version that `?version=N` answers unchanged."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..summary import services
from ..summary.forms import ConclusionsApiForm
from ..summary.services import Summary, SummaryError, compile_summary, summary_data
from .errors import ApiError
from .routing import endpoint, int_arg, json_form, staff_user
from .workshops import serialize_workshop, workshop_or_404


def serialize_summary(summary: Summary) -> dict:
    return {"workshop": serialize_workshop(summary.workshop), **summary_data(summary)}


def _refused(error: SummaryError) -> ApiError:
    if error.field:
        return ApiError(422, "invalid", error.message,
                        fields=[{"field": error.field, "message": error.message}])
    return ApiError(409, error.code, error.message)


@endpoint("/workshops/<code>/summary", "GET", who="chair", summary="The workshop's summary",
          responses={200: "The summary", 404: "No workshop, or no published version N"})
def get_summary(code: str):
    """Attendance by agency kind and the agencies not represented; per session the visible
    questions with votes and answers; feedback and contributions by category; the newest
    conclusions with their `status` (`draft` or `final`, null before any is written).
    `?version=N`: the published version N exactly as it was frozen, whatever happened since."""
    workshop = workshop_or_404(code)
    number = int_arg("version")
    if number is None:
        return serialize_summary(compile_summary(workshop))
    saved = services.get_version(workshop, number)
    if saved is None or saved.status != "final":
        raise ApiError(404, "not_found",
                       _("Không có phiên bản %(number)d đã công bố của báo cáo.", number=number))
    return {"workshop": serialize_workshop(workshop),
            **services.snapshot_of(workshop, saved)["summary"]}


@endpoint("/workshops/<code>/summary/conclusions", "PUT", who="chair",
          summary="Save the chair's conclusions as a new version", body=ConclusionsApiForm,
          responses={200: "{version}", 422: "Invalid", 404: "No workshop has this code"})
def put_conclusions(code: str):
    """`final: true` publishes the version (frozen as it stands). `proposals` (section IV of
    the report), `report_number` and `report_date` left out stay as the previous version has
    them."""
    workshop = workshop_or_404(code)
    form = json_form(ConclusionsApiForm)
    sent = request.get_json(silent=True) or {}
    try:
        version = services.save_conclusions(
            workshop, form.text.data, staff_user(), final=form.final.data,
            proposals=(form.proposals.data or "") if "proposals" in sent else None,
            report_number=(form.report_number.data or "") if "report_number" in sent else None,
            report_date=form.report_date.data)
    except SummaryError as error:
        raise _refused(error) from None
    return {"version": version.version, "status": version.status}


@endpoint("/workshops/<code>/summary/publish", "POST", who="chair",
          summary="Publish the summary: freeze it as it stands",
          responses={200: "{version}", 422: "No conclusions yet", 404: "No workshop has this code"})
def publish_summary(code: str):
    """The newest conclusions become final in a new version that keeps the whole summary and
    its report as they stand; attendees read it on their personal page."""
    workshop = workshop_or_404(code)
    try:
        version = services.publish(workshop, staff_user())
    except SummaryError as error:
        raise _refused(error) from None
    return {"version": version.version, "status": version.status}
