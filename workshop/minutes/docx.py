"""The biên bản and the thông báo kết luận as DOCX: the lines of their `Document`, on A4 in the
Decree 30 layout (the letterhead and signature rows of workshop/office/letterhead.py)."""
from __future__ import annotations

from docx import Document as WordDocument
from docx.shared import Mm

from ..models import Workshop
from ..office.docx import JUSTIFY, add_run, docx_bytes, number_pages, paragraph, set_properties, set_up_a4
from ..office.letterhead import foot, write_letterhead, write_recipients, write_signature, write_title
from ..text import writable
from .services import Document, Line


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


def document_docx(doc: Document, workshop: Workshop) -> bytes:
    word = WordDocument()
    set_up_a4(word)
    number_pages(word.sections[0])
    host = workshop.host_organization
    set_properties(word, title=f"{doc.title} - {workshop.title}", author=host.name if host else "")

    write_letterhead(word, doc, margin=Mm(0))
    write_title(word, doc.title, doc.subtitle, draft_mark=doc.draft_mark)
    for line in doc.body:
        _line(word, line)
    for line in doc.closing:  # on the page of the signatures
        _line(word, line, keep_with_next=True)

    if len(doc.signatures) == 1:  # recipients on the left, the signer on the right
        recipients, signer = foot(word)
        write_recipients(recipients, doc.recipients_label, doc.recipients)
        write_signature(signer, *_signer(doc.signatures[0]))
    else:  # THƯ KÝ and CHỦ TỌA side by side, the recipients under them
        cells = foot(word, tuple(Mm(165 // len(doc.signatures)) for _ in doc.signatures))
        for cell, signature in zip(cells, doc.signatures, strict=True):
            write_signature(cell, *_signer(signature))
        write_recipients(word, doc.recipients_label, doc.recipients)
    return docx_bytes(word)


def _signer(signature) -> tuple[str, str, str]:
    return signature.authority, signature.title, signature.name
