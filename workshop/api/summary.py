"""API rows for the summary: the same compiled Summary that the page and the exports read; the
chair's conclusions; publishing, which freezes a version that `?version=N` answers unchanged."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.identity import staff_user
from ..errors import ApiError, field_error
from ..events.schemas import serialize_workshop
from ..events.services import workshop_or_404
from ..summary import services
from ..summary.schemas import ConclusionsBody, SummarySchema, VersionArgs, VersionSchema
from ..summary.services import SummaryError, compile_summary, summary_data
from .access import allow, bp, refuses


def _refused(error: SummaryError) -> ApiError:
    if error.field:
        return field_error(error.field, error.message)
    return ApiError(409, error.code, error.message)


@bp.route("/workshops/<code>/summary", methods=["GET"])
@allow("chair")
@bp.arguments(VersionArgs, location="query")
@bp.response(200, SummarySchema)
@refuses({404: "No workshop, or no published version N"})
def get_summary(args: dict, code: str):
    """The workshop's summary.

    Attendance by agency kind and the agencies not represented; per session the visible
    questions with votes and answers; feedback and contributions by category; the newest
    conclusions with their `status` (`draft` or `final`, null before any is written).
    `?version=N`: the published version N exactly as it was frozen, whatever happened since."""
    workshop = workshop_or_404(code)
    number = args["version"]
    if number is None:
        return {"workshop": serialize_workshop(workshop), **summary_data(compile_summary(workshop))}
    saved = services.get_version(workshop, number)
    if saved is None or saved.status != "final":
        raise ApiError(404, "not_found",
                       _("Không có phiên bản %(number)d đã công bố của báo cáo.", number=number))
    return {"workshop": serialize_workshop(workshop),
            **services.snapshot_of(workshop, saved)["summary"]}


@bp.route("/workshops/<code>/summary/conclusions", methods=["PUT"])
@allow("chair")
@bp.arguments(ConclusionsBody)
@bp.response(200, VersionSchema)
@refuses({404: "No workshop has this code", 409: "The summary is published"})
def put_conclusions(body: dict, code: str):
    """Save the chair's conclusions as a new version.

    `final: true` publishes the version (frozen as it stands). `proposals` (section IV of the
    report), `report_number` and `report_date` left out stay as the previous version has
    them."""
    workshop = workshop_or_404(code)
    try:
        version = services.save_conclusions(
            workshop, body["text"], staff_user(), final=body["final"],
            proposals=(body["proposals"] or "") if "proposals" in body else None,
            report_number=(body["report_number"] or "") if "report_number" in body else None,
            report_date=body["report_date"])
    except SummaryError as error:
        raise _refused(error) from None
    return {"version": version.version, "status": version.status}


@bp.route("/workshops/<code>/summary/publish", methods=["POST"])
@allow("chair")
@bp.response(200, VersionSchema)
@refuses({404: "No workshop has this code", 422: "No conclusions yet"})
def publish_summary(code: str):
    """Publish the summary: freeze it as it stands.

    The newest conclusions become final in a new version that keeps the whole summary and
    its report as they stand; attendees read it on their personal page."""
    workshop = workshop_or_404(code)
    try:
        version = services.publish(workshop, staff_user())
    except SummaryError as error:
        raise _refused(error) from None
    return {"version": version.version, "status": version.status}
