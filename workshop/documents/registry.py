"""The documents of a workshop, one entry each: who may read it, its DOCX and its print page.

`GET …/documents/<name>.docx` and `….pdf` (pages and API alike) look the name up here: the DOCX
comes from the document's own builder, the PDF from its print page's HTML through
`workshop.office.pdf`, so the PDF shows what the browser prints. A document not registered is a 404.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response, current_app, g, url_for
from flask.globals import request_ctx
from flask_babel import gettext as _

from ..models import Workshop
from ..office import MIMETYPES
from ..office.pdf import html_to_pdf
from ..text import fold

FORMATS = {kind: MIMETYPES[kind] for kind in ("docx", "pdf")}


class DocumentError(ValueError):
    """A query argument the document cannot take (422 in the API, 400 on a page)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class DocumentNotFound(LookupError):
    """The document asks for something the workshop does not have (a letter, a version): 404
    with `message`, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Built:
    """What one request for a document turns into: the DOCX and the print page are made only
    when asked for; `title` names the file ("Giấy mời iso9001-2014"), in Vietnamese whatever
    the screen's language, as the document itself is."""

    title: str
    docx: Callable[[], bytes]
    html: Callable[[], str]


@dataclass(frozen=True)
class Document:
    name: str  # the URL's <name>: letters, report, minutes, conclusions
    reader: str  # the least role that may read it: "organizer", "chair" (chair and organizer), "staff"
    build: Callable[[Workshop, Mapping[str, str]], Built]  # raises DocumentError / DocumentNotFound


DOCUMENTS: dict[str, Document] = {}


def register(name: str, reader: str, build: Callable[[Workshop, Mapping[str, str]], Built]) -> None:
    DOCUMENTS[name] = Document(name, reader, build)


def find(name: str) -> Document | None:
    return DOCUMENTS.get(name)


@dataclass(frozen=True)
class File:
    data: bytes
    filename: str
    mimetype: str


def make(document: Document, workshop: Workshop, kind: str, args: Mapping[str, str]) -> File:
    """The document as `kind` ("docx" or "pdf")."""
    built = document.build(workshop, args)
    data = built.docx() if kind == "docx" else html_to_pdf(_pdf_html(built.html))
    return File(data, f"{built.title}.{kind}", FORMATS[kind])


def _pdf_html(render: Callable[[], str]) -> str:
    """The print page as the PDF's HTML, without what only a screen has. A PDF has no form: the
    page's CSRF token is left blank rather than made, as making one would open a session (and
    send a cookie) to an API call. Nor does it take the user's pending messages, which belong to
    the next page they see."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    blank_token = field not in g
    if blank_token:
        setattr(g, field, "")
    keep_flashes = request_ctx.flashes is None
    if keep_flashes:
        request_ctx.flashes = []
    try:
        return render()
    finally:
        if blank_token:
            g.pop(field, None)
        if keep_flashes:
            request_ctx.flashes = None


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and the Vietnamese one as RFC 5987
    `filename*` ("Giấy mời …" stays "Giấy mời …" when saved)."""
    stem, _dot, extension = filename.rpartition(".")
    ascii_name = "-".join(fold(stem).replace('"', "").split()) or "document"
    ascii_name = "".join(ch for ch in ascii_name if ch.isascii() and (ch.isalnum() or ch in "-_."))
    return (f"attachment; filename=\"{ascii_name}.{extension}\"; "
            f"filename*=UTF-8''{quote(filename, safe='')}")


def attachment(file: File) -> Response:
    response = Response(file.data, mimetype=file.mimetype)
    response.headers["Content-Disposition"] = content_disposition(file.filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def id_arg(args: Mapping[str, str], name: str) -> int | None:
    text = args.get(name)
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        raise DocumentError(name, _("Phải là số nguyên dương."))
    return int(text)


# --- the documents of the app -------------------------------------------------------------------


def _letters(workshop: Workshop, args: Mapping[str, str]) -> Built:
    """Every letter of the workshop (`?status=` as on the letters page), or `?invitation_id=N`."""

    from ..extensions import db
    from ..letters import services
    from ..letters.forms import LetterFilterForm
    from ..letters.views import _page
    from ..models import Invitation

    invitation_id = id_arg(args, "invitation_id")
    if invitation_id is not None:
        invitation = db.session.get(Invitation, invitation_id)
        if invitation is None or invitation.workshop_id != workshop.id:
            raise DocumentNotFound(_("Không tìm thấy giấy mời này trong hội thảo."))
        letters = [services.build_letter(invitation)]
        title = f"Giấy mời {workshop.code} {invitation.letter_number or invitation.id}"
        docx_url = url_for("letters.letter_docx", code=workshop.code, invitation_id=invitation.id)
    else:
        form = LetterFilterForm(formdata=None, data={"status": args.get("status", "")})
        if not form.validate():
            raise DocumentError("status", _("Trạng thái giấy mời không hợp lệ."))
        letters = services.letters_for(workshop, form.status.data or None)
        if not letters:
            raise DocumentNotFound(_("Không có giấy mời nào để tải về."))
        title = f"Giấy mời {workshop.code}"
        docx_url = url_for("letters.letters_docx", code=workshop.code)
    return Built(title, lambda: services.letters_docx(letters),
                 lambda: _page(workshop, letters, docx_url))


def _report(workshop: Workshop, args: Mapping[str, str]) -> Built:
    """The báo cáo: the summary's print page; `?version=N` for what a published version froze."""
    from ..summary import report
    from ..summary.views import print_html

    number = id_arg(args, "version")
    built = report.report_of(workshop, number)
    if built is None:
        raise DocumentNotFound(_("Không có phiên bản đã công bố mang số này."))
    title = f"Báo cáo {workshop.code}" + (f" phiên bản {number}" if number is not None else "")
    return Built(title, lambda: report.write_docx(built, workshop),
                 lambda: print_html(workshop, built, str(number) if number is not None else None))


def _minutes_document(name: str, title: str) -> Callable[[Workshop, Mapping[str, str]], Built]:
    """The biên bản (`minutes`, marked DỰ THẢO until final) or the thông báo kết luận
    (`conclusions`, the chair's items with agencies and deadlines)."""

    def build(workshop: Workshop, args: Mapping[str, str]) -> Built:
        from ..minutes.views import DOCUMENTS, print_html

        return Built(f"{title} {workshop.code}", lambda: DOCUMENTS[name].docx(workshop),
                     lambda: print_html(workshop, name))

    return build


def _followup(workshop: Workshop, args: Mapping[str, str]) -> Built:
    """The báo cáo tình hình thực hiện kết luận: the tasks' states, by agency."""
    from ..tasks import report

    return Built(f"Báo cáo thực hiện kết luận {workshop.code}", lambda: report.status_docx(workshop),
                 lambda: report.print_html(workshop))


def _nameplates(workshop: Workshop, args: Mapping[str, str]) -> Built:
    """The biển tên để bàn, one A4 landscape sheet each, in the seating plan's order; `?row=N`
    for one row only (0: the head table)."""
    from ..seating import documents

    row = _row_arg(args)
    plates = documents.plates_of(workshop, row)
    if not plates:
        raise DocumentNotFound(_("Không có đại biểu nào để in biển tên."))
    title = f"Biển tên {workshop.code}" + (f" hàng {row}" if row is not None else "")
    return Built(title, lambda: documents.plates_docx(workshop, plates),
                 lambda: documents.plates_html(workshop, plates))


def _row_arg(args: Mapping[str, str]) -> int | None:
    text = args.get("row")
    if text is None or text == "":
        return None
    if not text.isdigit() or int(text) > 10_000:
        raise DocumentError("row", _("Hàng phải là số nguyên từ 0 (bàn chủ tọa)."))
    return int(text)


def _seating(workshop: Workshop, args: Mapping[str, str]) -> Built:
    """The sơ đồ chỗ ngồi: the head table, each row, then who has no seat yet."""
    from ..seating import documents

    return Built(f"Sơ đồ chỗ ngồi {workshop.code}", lambda: documents.plan_docx(workshop),
                 lambda: documents.plan_html(workshop))


register("letters", "organizer", _letters)
register("report", "chair", _report)
register("minutes", "chair", _minutes_document("minutes", "Biên bản"))
register("conclusions", "chair", _minutes_document("conclusions", "Thông báo kết luận"))
register("followup", "chair", _followup)
# The staff at the door show people to their seats: they read the plan; the plates are printed
# by the organizer, who arranges the seats.
register("nameplates", "organizer", _nameplates)
register("seating", "staff", _seating)
