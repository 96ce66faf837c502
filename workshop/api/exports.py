"""API rows for the spreadsheets (CONTRACT.md "Additions (v1.1) / Documents and exports"): the
same workbooks as the pages' download buttons, from the same services."""
from __future__ import annotations

import io

from flask import send_file

from ..checkin.desk import attendance_xlsx
from ..directory.imports import EXPORT_FILENAME, export_xlsx
from ..directory.services import search_organizations
from ..events.services import workshop_or_404
from ..invitations.tracking import tracking_xlsx
from ..office import XLSX_MIMETYPE
from ..summary.report import report_xlsx
from ..summary.services import compile_summary
from .access import allow, bp, refuses

FILE = {"type": "string", "format": "binary"}


def _workbook(content: bytes, filename: str):
    return send_file(io.BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=filename)


def xlsx(view):
    view = refuses({404: "No workshop has this code"})(view)
    return bp.response(200, FILE, content_type=XLSX_MIMETYPE, description="The workbook (XLSX)")(view)


@bp.route("/workshops/<code>/exports/invitations.xlsx", methods=["GET"])
@allow("staff")
@xlsx
def export_invitations(code: str):
    """The invitations as a workbook.

    Sheets "Giấy mời" (every invitation, in Vietnamese alphabetical order of agency and
    person), "Tổng hợp" (the counts by agency kind) and "Chưa có ai dự" (the agencies nobody
    will represent); each under a title row naming the workshop, printable on A4 landscape."""
    workshop = workshop_or_404(code)
    return _workbook(tracking_xlsx(workshop), f"giay-moi-{workshop.code}.xlsx")


@bp.route("/workshops/<code>/exports/attendance.xlsx", methods=["GET"])
@allow("staff")
@xlsx
def export_attendance(code: str):
    """Attendance as a workbook.

    Sheets "Điểm danh" (one row per invitation with its answer and check-in time, Vietnam
    time), "Theo loại cơ quan" and "Chưa có đại biểu"."""
    workshop = workshop_or_404(code)
    return _workbook(attendance_xlsx(workshop), f"diem-danh-{workshop.code}.xlsx")


@bp.route("/workshops/<code>/exports/summary.xlsx", methods=["GET"])
@allow("chair")
@xlsx
def export_summary(code: str):
    """The summary as a workbook: sheets "Điểm danh", "Câu hỏi" and "Góp ý"."""
    workshop = workshop_or_404(code)
    return _workbook(report_xlsx(compile_summary(workshop)), f"bao-cao-{workshop.code}.xlsx")


@bp.route("/organizations/export.xlsx", methods=["GET"])
@allow("organizer")
@xlsx
def export_organizations():
    """The directory as a workbook.

    The whole directory with the import's columns, in directory order (kind, then Vietnamese
    alphabetical order of the name): `POST /organizations/import` takes it back unchanged."""
    return _workbook(export_xlsx(search_organizations()), EXPORT_FILENAME)
