"""Workbooks (openpyxl): the one safe writer of every export's rows and sheets."""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from ..text import writable
from ..timeutil import as_local


def spreadsheet_time(value: datetime | None) -> datetime | None:
    """Spreadsheets know no time zones: Vietnam time, as people read it."""
    local = as_local(value)
    return local.replace(tzinfo=None) if local else None


# --- workbooks: the one writer of every export (CONTRACT.md "Documents and exports") ---------

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


# Column widths in characters: from the content, at least MIN_WIDTH, at most MAX_WIDTH (longer
# text wraps); a header wider than HEADER_WIDTH wraps rather than widening its column.
MIN_WIDTH, MAX_WIDTH, HEADER_WIDTH = 6, 50, 20
# What a date or a time takes once formatted ("dd/mm/yyyy hh:mm").
_FORMATTED_WIDTH = {datetime: len("00/00/0000 00:00"), date: len("00/00/0000")}
# Page numbers in the footer, in Excel's header/footer codes (&P this page, &N all pages).
PAGE_FOOTER = "&P/&N"
TOP, TOP_WRAPPED = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
TITLE_HEIGHT, LINE_HEIGHT = 20, 15  # points: one line of the 13-point title, of the 11-point text


def workshop_heading(workshop) -> str:
    """What the title row of a workshop's sheets names: the workshop and its first day."""
    starts = spreadsheet_time(workshop.starts_at)
    return f"{workshop.title} — {starts:%d/%m/%Y}" if starts else str(workshop.title)


def _shown_length(value) -> int:
    """About how many characters `value` takes in its cell (its longest line)."""
    if value is None:
        return 0
    for kind, width in _FORMATTED_WIDTH.items():
        if isinstance(value, kind):
            return width
    return max((len(line) for line in str(value).splitlines()), default=0)


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes in a wrapped cell `width` characters wide."""
    room = max(width - 1, 1)
    return sum(max(1, -(-len(line) // room)) for line in text.splitlines() or [""])


def add_sheet(workbook: Workbook, title: str, header: Iterable, rows: Iterable[Iterable],
              first: bool = False, heading: str | None = None,
              widths: Iterable[int] | None = None):
    """A sheet of `rows` under a bold `header`, written by `append_row`, set up as an office
    prints a list (CONTRACT.md "Documents and exports"):

    - with `heading` (e.g. `workshop_heading(workshop)`), a title row above the header, "`title`
      — `heading`", bold and merged across the table;
    - each column as wide as its content (MIN_WIDTH to MAX_WIDTH characters; longer text wraps),
      and at least its `widths` entry when given;
    - the header frozen and filtered (an autofilter over the whole table);
    - A4 landscape, fitted to the page's width, the title and header rows repeated on every
      page, grid lines and "page/pages" in the footer.
    """
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = writable(str(title))[:31]
    header = [str(name) for name in header]
    columns = max(len(header), 1)
    last_column = get_column_letter(columns)
    if heading is not None:
        append_row(sheet, [f"{title} — {heading}"], bold=True)
        sheet.merge_cells(f"A1:{last_column}1")
        sheet["A1"].font = Font(bold=True, size=13)
        sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = sheet.max_row + 1 if heading is not None else 1
    append_row(sheet, header, bold=True)
    for cell in sheet[header_row]:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        append_row(sheet, row)
    last_row = sheet.max_row

    content = [min(len(name), HEADER_WIDTH) for name in header] + [0] * (columns - len(header))
    for values in sheet.iter_rows(min_row=header_row + 1, max_col=columns):
        for index, cell in enumerate(values):
            content[index] = max(content[index], _shown_length(cell.value))
    least = list(widths or ())
    widths = [max(MIN_WIDTH, min(width + 2, MAX_WIDTH), least[index] if index < len(least) else 0)
              for index, width in enumerate(content)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Wrapped cells and their rows' heights: office suites do not grow a row on opening the file.
    for values in sheet.iter_rows(min_row=header_row, max_col=columns):
        lines = 1
        for index, cell in enumerate(values):
            text = cell.value
            wraps = isinstance(text, str) and ("\n" in text or len(text) + 2 > widths[index])
            if cell.row > header_row:  # a row's cells all start at its top, wrapped or not
                cell.alignment = TOP_WRAPPED if wraps else TOP
            if wraps:
                lines = max(lines, _lines(text, widths[index]))
        if lines > 1:
            sheet.row_dimensions[values[0].row].height = LINE_HEIGHT * lines
    if heading is not None:
        # a bold 13-point letter is about 1.3 characters of a column's width
        title_lines = _lines(str(sheet["A1"].value), int(sum(widths) / 1.3))
        sheet.row_dimensions[1].height = TITLE_HEIGHT * title_lines

    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    sheet.print_title_rows = f"1:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PAGE_FOOTER
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
