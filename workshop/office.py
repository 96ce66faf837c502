"""Office documents shared by the letters, the tracking lists and the summary: A4 pages in
Times New Roman as Decree 30/2020 sets them out (python-docx), and workbooks (openpyxl)."""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .text import writable
from .timeutil import as_local

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


def spreadsheet_time(value: datetime | None) -> datetime | None:
    """Spreadsheets know no time zones: Vietnam time, as people read it."""
    local = as_local(value)
    return local.replace(tzinfo=None) if local else None


# --- workbooks: the one writer of every export (CONTRACT.md "Documents and exports") ---------

DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
# The most characters Excel shows in a cell.
MAX_CELL_TEXT = 32_767


def append_row(sheet, values: Iterable, *, bold: bool = False) -> None:
    """Add one row under the last: text is stored as text, never as a formula (whatever it starts
    with: = + - @), without the characters a workbook cannot hold; times are dates in Vietnam
    time."""
    written = []
    for value in values:
        if isinstance(value, datetime):
            value = spreadsheet_time(value)
        elif isinstance(value, str):
            value = writable(value)[:MAX_CELL_TEXT]
        elif value is not None and not isinstance(value, int | float | date):
            value = writable(str(value))[:MAX_CELL_TEXT]  # a lazy translation, a Markup…
        written.append(value)
    sheet.append(written)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        elif isinstance(cell.value, datetime):
            cell.number_format = DATE_TIME_FORMAT
        elif isinstance(cell.value, date):
            cell.number_format = DATE_FORMAT
        if bold:
            cell.font = Font(bold=True)


def add_sheet(workbook: Workbook, title: str, header: Iterable, rows: Iterable[Iterable],
              first: bool = False, widths: Iterable[int] | None = None):
    """A sheet of `rows` under a bold, frozen `header`, written by `append_row`. Without
    `widths`, each column is as wide as its title (12 to 40)."""
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = writable(str(title))[:31]
    header = [str(name) for name in header]
    append_row(sheet, header, bold=True)
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    widths = list(widths) if widths is not None else [max(12, min(len(name) + 4, 40))
                                                       for name in header]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
