"""The biên bản and the thông báo kết luận as DOCX: the lines of their `Document`, on A4 in the
Decree 30 layout (the letters' letterhead, shared helpers of workshop/office.py)."""
from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..letters.services import HEAD_WIDTHS
from ..models import Workshop
from ..office import add_run, borderless_table, paragraph, rule, set_up_a4
from ..text import writable
from ..timeutil import utcnow
from .services import Document, Line

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def _line(document, line: Line, keep_with_next: bool = False) -> None:
    item = paragraph(document, align=JUSTIFY, indent=line.kind != "sub")
    item.paragraph_format.keep_with_next = keep_with_next
    if line.kind == "sub":
        item.paragraph_format.left_indent = Mm(10)
    if line.label:
        item.add_run(writable(line.label) + (" " if line.text else "")).bold = True
    if line.text:
        run = add_run(item, line.text)
        run.bold = line.kind == "heading"
        run.italic = line.kind == "note"


def _no_side_margins(cell) -> None:
    """The header's cells use their whole width: "SỞ KHOA HỌC VÀ CÔNG NGHỆ" on one line."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    cell._tc.getparent().getparent().tblPr.append(margins)


def _head(document, doc: Document) -> None:
    agency, nation = borderless_table(document, HEAD_WIDTHS)
    _no_side_margins(agency)
    if doc.parent_agency:
        paragraph(agency, doc.parent_agency, size=12, align=CENTER, space_after=0)
    paragraph(agency, doc.host_agency, bold=True, size=12, align=CENTER, space_after=0)
    rule(agency, Mm(25))
    paragraph(agency, doc.number, align=CENTER)
    paragraph(nation, doc.national_title, bold=True, size=12, align=CENTER, space_after=0)
    paragraph(nation, doc.national_motto, bold=True, align=CENTER, space_after=0)
    rule(nation, Mm(55))
    if doc.place_and_date:
        paragraph(nation, doc.place_and_date, italic=True, align=CENTER)


def _signature(cell, signature) -> None:
    paragraph(cell, signature.authority, bold=True, align=CENTER, space_after=0)
    paragraph(cell, signature.title, bold=True, align=CENTER, space_after=0)
    paragraph(cell, "", space_after=60)  # the space for the signature (and the seal)
    paragraph(cell, signature.name, bold=True, align=CENTER)


def _recipients(cell, doc: Document) -> None:
    paragraph(cell, doc.recipients_label, bold=True, italic=True, size=12, space_after=0)
    for line in doc.recipients:
        paragraph(cell, f"- {line}", size=11, space_after=0)


def _page_numbers(word) -> None:
    """The page number centred at the top, from page 2 (Decree 30)."""
    section = word.sections[0]
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    number._p.append(field)


def document_docx(doc: Document, workshop: Workshop) -> bytes:
    word = WordDocument()
    set_up_a4(word)
    _page_numbers(word)
    properties = word.core_properties
    properties.title = writable(f"{doc.title} - {workshop.title}")[:255]
    host = workshop.host_organization
    properties.author = properties.last_modified_by = writable(host.name if host else "")[:255]
    properties.created = properties.modified = utcnow().replace(tzinfo=None)
    properties.comments = properties.keywords = properties.subject = ""

    _head(word, doc)
    if doc.draft_mark:
        paragraph(word, doc.draft_mark, bold=True, size=12, space_after=0)
    title = paragraph(word, doc.title, bold=True, size=14, align=CENTER, space_after=0)
    title.paragraph_format.space_before = Pt(18)
    paragraph(word, doc.subtitle, bold=True, align=CENTER, space_after=12)
    for line in doc.body:
        _line(word, line)
    for line in doc.closing:  # on the page of the signatures
        _line(word, line, keep_with_next=True)

    if len(doc.signatures) == 1:  # recipients on the left, the signer on the right
        recipients, signer = borderless_table(word, (Mm(75), Mm(90)))
        _recipients(recipients, doc)
        _signature(signer, doc.signatures[0])
    else:  # THƯ KÝ and CHỦ TỌA side by side, the recipients under them
        cells = borderless_table(word, tuple(Mm(165 // len(doc.signatures)) for _ in doc.signatures))
        for cell, signature in zip(cells, doc.signatures, strict=True):
            _signature(cell, signature)
        _recipients(word, doc)
    for table in word.tables:  # a signature block is never split over two pages
        for row in table.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
