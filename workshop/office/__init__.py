"""Office documents, one home each: workbooks (`sheets`, the one safe writer of every export),
Word files (`docx`), the Decree 30 letterhead, title and signature rows (`letterhead`) and PDF
from a print page (`pdf`)."""
from __future__ import annotations

import io

from flask import Response, send_file

from .docx import DOCX_MIMETYPE, docx_bytes, set_up_a4
from .letterhead import NATIONAL_MOTTO, NATIONAL_TITLE, official_date
from .pdf import PDF_MIMETYPE, html_to_pdf
from .sheets import (
    MAX_WIDTH,
    MIN_WIDTH,
    XLSX_MIMETYPE,
    add_sheet,
    append_row,
    spreadsheet_time,
    workbook_bytes,
    workshop_heading,
)

MIMETYPES = {"docx": DOCX_MIMETYPE, "xlsx": XLSX_MIMETYPE, "pdf": PDF_MIMETYPE}


def download(data: bytes, filename: str) -> Response:
    """A made document as the browser saves it: `filename` ("bien-ban-iso9001-2014.docx") with
    the type its extension names."""
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[filename.rpartition(".")[2]],
                     as_attachment=True, download_name=filename)


__all__ = [
    "DOCX_MIMETYPE", "MAX_WIDTH", "MIMETYPES", "MIN_WIDTH", "NATIONAL_MOTTO", "NATIONAL_TITLE",
    "PDF_MIMETYPE", "XLSX_MIMETYPE", "add_sheet", "append_row", "docx_bytes", "download",
    "html_to_pdf", "official_date", "set_up_a4", "spreadsheet_time", "workbook_bytes",
    "workshop_heading",
]
