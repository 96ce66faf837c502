"""API rows for the documents (CONTRACT.md "Documents and exports"): each registered document
as DOCX or PDF, for the organizer, and for the chair the report, minutes and conclusions."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..auth.identity import staff_user
from ..auth.rights import can_act_on
from ..documents import registry
from ..errors import ApiError, validation_error
from ..events.services import workshop_or_404
from .access import allow, bp, refuses

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE = {"type": "string", "format": "binary"}
REFUSALS = {
    403: "Not a reader of this document",
    404: "No workshop has this code, no such document, letter or published version",
    422: "invitation_id, status or version is not valid",
}


def _send(code: str, name: str, kind: str):
    document = registry.find(name)
    if document is None:
        raise ApiError(404, "not_found", _("Không có văn bản này."))
    if not can_act_on(staff_user(), code, document.reader):  # its role, on this workshop
        raise ApiError(403, "forbidden", _("Tài khoản không có quyền thực hiện thao tác này."))
    workshop = workshop_or_404(code)
    try:
        return registry.attachment(registry.make(document, workshop, kind, request.args))
    except registry.DocumentError as error:
        raise validation_error({error.field: [error.message]}) from None
    except registry.DocumentNotFound as error:
        raise ApiError(404, "not_found", error.message) from None


NOTES = """`name` is `letters` (every letter of the workshop, `?status=` as on the letters page;
`?invitation_id=N` for one letter: organizer), `report` (báo cáo kết quả hội thảo; `?version=N`
for a published version: chair and organizer), `minutes` (biên bản) or `conclusions` (thông báo
kết luận). The file comes as an attachment with its Vietnamese name (RFC 5987 `filename*`)."""


@bp.route("/workshops/<code>/documents/<name>.pdf", methods=["GET"])
@allow("chair")
@bp.response(200, FILE, content_type=PDF, description="The document (A4, fonts embedded)")
@refuses(REFUSALS)
def get_document_pdf(code: str, name: str):
    return _send(code, name, "pdf")


@bp.route("/workshops/<code>/documents/<name>.docx", methods=["GET"])
@allow("chair")
@bp.response(200, FILE, content_type=DOCX, description="The document")
@refuses(REFUSALS)
def get_document_docx(code: str, name: str):
    return _send(code, name, "docx")


# One description for both (the OpenAPI document takes it from the view's docstring).
get_document_pdf.__doc__ = "A document of the workshop as PDF.\n\n" + NOTES
get_document_docx.__doc__ = "A document of the workshop as DOCX.\n\n" + NOTES
