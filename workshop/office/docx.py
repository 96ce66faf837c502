"""Word documents (python-docx) as Decree 30/2020 lays them out: A4 in Times New Roman, short
rules, borderless tables, page numbers from page 2, the file's properties as the agency issues
it. The letters, the report, the biên bản and the thông báo are all written with these."""
from __future__ import annotations

import io

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml.etree import SubElement

from ..text import writable
from ..timeutil import utcnow

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


FONT = "Times New Roman"


def set_up_a4(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.space_before = Pt(0)


def paragraph(container, text: str = "", *, bold=False, italic=False, size=None,
               align=WD_ALIGN_PARAGRAPH.LEFT, indent=False, space_after=None):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    if text:
        run = add_run(paragraph, text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def add_run(paragraph, text: str):
    """A run of `text` without the characters a Word file cannot hold (user text may have them)."""
    return paragraph.add_run(writable(text))


def rule(cell, width) -> None:
    """The short line under the agency name and under the motto: an empty paragraph's bottom
    border, made short by indenting both sides."""
    paragraph = cell.add_paragraph()
    side = (cell.width - width) // 2
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(4)
    # A line 2 pt high, its mark too: the border sits right under the text above (an empty
    # paragraph is otherwise a whole line of 13 pt, and the rule floats a line lower).
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(2)
    run = paragraph.add_run()
    run.font.size = Pt(2)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "auto")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    properties.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc",
                                     "w:rPr")
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    properties.append(mark)


def borderless_table(document, widths):
    table = document.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    cells = table.rows[0].cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = width
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # cells start empty
    return cells


def keep(paragraph_, *, with_next: bool = True) -> None:
    """The paragraph is never split over two pages (and, `with_next`, stays with the next)."""
    paragraph_.paragraph_format.keep_together = True
    paragraph_.paragraph_format.keep_with_next = with_next


def cell_margins(cells, width) -> None:
    """Left and right margins of `width` in the cells' table (the letterhead's lines get their
    column's whole width)."""
    table = cells[0]._tc.getparent().getparent()
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(int(width.twips)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                      "w:tblPrChange")


def unsplittable(cells) -> None:
    """The row of `cells` is never split over two pages (a signature block stays together)."""
    cells[0]._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def field(run, instruction: str) -> None:
    """A Word field (`PAGE`) in `run`, its result computed when the document is opened."""
    SubElement(run._r, qn("w:fldChar")).set(qn("w:fldCharType"), "begin")
    code = SubElement(run._r, qn("w:instrText"))
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    SubElement(run._r, qn("w:fldChar")).set(qn("w:fldCharType"), "separate")
    SubElement(run._r, qn("w:t")).text = "1"
    SubElement(run._r, qn("w:fldChar")).set(qn("w:fldCharType"), "end")


def number_pages(section) -> None:
    """The page number centred in the top margin of every page of `section` but the first
    (Decree 30 numbers pages from 2)."""
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = CENTER
    run = header.add_run()
    run.font.size = Pt(13)
    field(run, "PAGE")


def set_properties(document, *, title: str, author: str, subject: str = "") -> None:
    """The file's title, author and date as the agency issues it, not python-docx's template
    ("python-docx", 2013)."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = writable(author)[:255]
    properties.title = writable(title)[:255]
    properties.subject = writable(subject)[:255]
    properties.keywords = properties.comments = properties.category = ""
    properties.created = properties.modified = utcnow().replace(tzinfo=None, microsecond=0)
    properties.revision = 1


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
