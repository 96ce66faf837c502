"""The agency directory as a spreadsheet: import (with its preview and the kept upload) and export.

An import is all or nothing: `parse_import` reads a CSV or XLSX file into rows, each with the
action it would take and every problem found; `import_organizations` applies it only when no
row has a problem. Problems name the spreadsheet row (as the spreadsheet numbers it: the
header is row 1, or row 2 under a title row) and the column. The export writes the import's
columns, so that it re-imports unchanged.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import Select, select

from .. import audit
from ..collation import agency_key
from ..extensions import db
from ..models import KIND_LABELS, ORGANIZATION_KINDS, SALUTATIONS, Organization, User
from ..office.sheets import add_sheet, spreadsheet_time, workbook_bytes
from ..text import fold, text_problem
from ..timeutil import utcnow
from .services import _clean, _ensure_code, _reaches, max_length, with_parents

COLUMNS = ("code", "name", "kind", "parent_code", "leader_name", "leader_title", "email", "phone",
           "address", "leader_salutation")
REQUIRED_COLUMNS = ("name", "kind")
# Columns stored as they are on the agency (parent_code and kind are translated first).
PLAIN_COLUMNS = ("name", "leader_name", "leader_title", "email", "phone", "address",
                 "leader_salutation")
EXPORT_FILENAME = "danh-ba-co-quan.xlsx"
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# Bounds of an import, checked before and while reading it (a 0.5 MB XLSX can hold 1.5 million
# rows): the file, what its zip holds once inflated, the rows and the columns read.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_XLSX_INFLATED = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_COLUMNS = 50
# Other names organizers write in the kind column, besides the codes and KIND_LABELS.
KIND_ALIASES = {
    "district": ("UBND huyện, thị xã, thành phố", "UBND huyện"),
    "subdepartment": ("Chi cục trực thuộc Sở",),
    "provincial_agency": ("Cơ quan chuyên môn thuộc UBND tỉnh",),
}


def _key(text: str) -> str:
    """Letters and digits only, without accents: "UBND cấp huyện" and "ubnd cap huyen" agree."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


# --- import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str


@dataclass
class ImportRow:
    """One agency row of the file: what it says, what importing would do, what is wrong."""

    row: int
    values: dict[str, str | None]
    kind: str | None = None
    action: str = "create"  # or "update"
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.row, column, message))


@dataclass
class ImportPreview:
    filename: str
    columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    file_problems: list[RowProblem] = field(default_factory=list)

    @property
    def problems(self) -> list[RowProblem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row.action == "update")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class ImportRejected(Exception):
    """The file has bad rows: nothing was imported. `problems` lists every one."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        rows = len({p.row for p in problems})
        super().__init__(_("Tệp có %(count)d lỗi ở %(rows)d dòng; chưa nhập cơ quan nào. "
                           "Vui lòng sửa tệp rồi tải lên lại.", count=len(problems), rows=rows))


class _Unreadable(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


def _cell_text(value) -> str:
    """An XLSX cell as the text a person sees: 12.0 is "12", a date is dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _too_many_rows() -> _Unreadable:
    return _Unreadable(MAX_IMPORT_ROWS + 2, _(
        "Tệp có hơn %(count)s dòng cơ quan; mỗi lần chỉ nhập được tối đa %(count)s dòng. Vui lòng "
        "chia thành nhiều tệp.", count=format_number(MAX_IMPORT_ROWS)))


def _bounded(rows: Iterable[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows read, the header and at most MAX_IMPORT_ROWS more; reading stops past them."""
    table = []
    for row in rows:
        if len(table) > MAX_IMPORT_ROWS:
            raise _too_many_rows()
        table.append(row)
    return table


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    unreadable = _("Không đọc được tệp Excel. Vui lòng kiểm tra tệp có đúng định dạng .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _Unreadable(1, unreadable) from error
    if inflated > MAX_XLSX_INFLATED:
        raise _Unreadable(1, _("Tệp Excel quá lớn khi giải nén (hơn %(size)d MB); mỗi lần chỉ nhập "
                               "được tối đa %(count)s dòng cơ quan.",
                               size=MAX_XLSX_INFLATED // (1024 * 1024),
                               count=format_number(MAX_IMPORT_ROWS)))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _Unreadable(1, unreadable) from error
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the file's own dimensions may lie
        rows = sheet.iter_rows(max_col=MAX_IMPORT_COLUMNS, values_only=True)
        return _bounded((number, [_cell_text(value) for value in values])
                        for number, values in enumerate(rows, start=1))
    except _Unreadable:
        raise
    except Exception as error:  # a damaged sheet shows only while it is read
        raise _Unreadable(1, unreadable) from error
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _Unreadable(line, _("Tệp CSV không dùng bảng mã UTF-8 (lỗi từ dòng %(row)d). Trong "
                                  "Excel, chọn Lưu thành “CSV UTF-8 (Comma delimited)” rồi tải "
                                  "lên lại.", row=line)) from error
    header = next((line for line in text.splitlines() if line.strip()), "")
    # Vietnamese Excel writes ";" where the list separator is ",".
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        # line_num counts physical lines: a quoted cell with a line break keeps the numbering right
        for values in reader:
            if len(rows) > MAX_IMPORT_ROWS:
                raise _too_many_rows()
            rows.append((start, values[:MAX_IMPORT_COLUMNS]))
            start = reader.line_num + 1
        return rows
    except csv.Error as error:
        raise _Unreadable(reader.line_num, _("Tệp CSV bị lỗi ở dòng %(row)d: %(error)s",
                                             row=reader.line_num, error=str(error))) from error


def _read_table(filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cells) of the first sheet of an XLSX file, or of a CSV file."""
    if len(content) > MAX_IMPORT_BYTES:
        raise _Unreadable(1, _("Tệp quá lớn (hơn %(size)d MB). Vui lòng chia thành nhiều tệp.",
                               size=MAX_IMPORT_BYTES // (1024 * 1024)))
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xls" or content.startswith(XLS_MAGIC):
        raise _Unreadable(1, _("Tệp Excel 97–2003 (.xls) không được hỗ trợ. Vui lòng lưu lại dưới "
                               "dạng .xlsx hoặc CSV UTF-8."))
    if suffix in (".xlsx", ".xlsm") or content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    return _read_csv(content)


def kind_names() -> dict[str, str]:
    """Every way a file may write a kind (its code, its name in Vietnamese or English, the
    longer official names), folded by `_key`, to the kind."""
    names = {}
    for kind in ORGANIZATION_KINDS:
        written = [kind, *KIND_ALIASES.get(kind, ())]
        for locale in ("vi", "en"):
            with force_locale(locale):
                written.append(str(KIND_LABELS[kind]))
        names.update({_key(name): kind for name in written})
    return names


def _kind_choices() -> str:
    return "; ".join(f"{kind} ({KIND_LABELS[kind]})" for kind in ORGANIZATION_KINDS)


def _check_values(row: ImportRow, kinds: dict[str, str]) -> None:
    """The rules of one row that need nothing but the row itself; `kinds` is kind_names()."""
    values = row.values
    if not values.get("name"):
        row.problem("name", _("Thiếu tên cơ quan (cột “name”)."))
    kind_text = values.get("kind")
    if not kind_text:
        row.problem("kind", _("Thiếu loại cơ quan (cột “kind”). Dùng một trong: %(choices)s.",
                              choices=_kind_choices()))
    else:
        row.kind = kinds.get(_key(kind_text))
        if row.kind is None:
            row.problem("kind", _("Loại cơ quan “%(value)s” không hợp lệ (cột “kind”). Dùng một "
                                  "trong: %(choices)s.", value=kind_text, choices=_kind_choices()))
    for column, value in values.items():
        problem = text_problem(value or "", label=column)
        if problem:
            row.problem(column, problem)
    for column in ("code", *PLAIN_COLUMNS):
        value = values.get(column)
        if value and len(value) > max_length(column):
            row.problem(column, _("Cột “%(column)s” dài quá %(max)d ký tự (hiện có %(length)d).",
                                  column=column, max=max_length(column), length=len(value)))
    salutation = values.get("leader_salutation")
    if salutation:
        canonical = {fold(value): value for value in SALUTATIONS}.get(fold(salutation))
        if canonical is None:
            row.problem("leader_salutation", _("Danh xưng “%(value)s” không hợp lệ (cột "
                                               "“leader_salutation”): Ông hoặc Bà, hoặc để trống.",
                                               value=salutation))
        else:
            values["leader_salutation"] = canonical
    email = values.get("email")
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            row.problem("email", _("E-mail “%(value)s” không hợp lệ (cột “email”).", value=email))


# How many non-empty rows above the header a file may have (a title row, a subtitle…).
MAX_ROWS_ABOVE_HEADER = 5


def _header_index(table: list[tuple[int, list[str]]]) -> int | None:
    """Where the header is: the first of the first non-empty rows that names every required
    column (so that a title row above it, as in our own export, is passed over), else the first
    non-empty row, whose missing columns are then reported; None for an empty file."""
    filled = [i for i, (_n, cells) in enumerate(table) if any(c.strip() for c in cells)]
    required = {_key(column) for column in REQUIRED_COLUMNS}
    for index in filled[:MAX_ROWS_ABOVE_HEADER + 1]:
        if required <= {_key(cell) for cell in table[index][1]}:
            return index
    return filled[0] if filled else None


def _read_rows(table: list[tuple[int, list[str]]], preview: ImportPreview) -> None:
    header_at = _header_index(table)
    if header_at is None:
        preview.file_problems.append(RowProblem(1, "file", _(
            "Tệp không có dữ liệu. Dòng đầu tiên phải là dòng tiêu đề với các cột: %(columns)s.",
            columns=", ".join(COLUMNS))))
        return
    header_row, header = table[header_at]
    positions: dict[str, int] = {}
    wanted = {_key(column): column for column in COLUMNS}
    for position, title in enumerate(header):
        column = wanted.get(_key(title))
        if column and column not in positions:
            positions[column] = position
    preview.columns = [column for column in COLUMNS if column in positions]
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            preview.file_problems.append(RowProblem(header_row, column, _(
                "Thiếu cột bắt buộc “%(column)s” ở dòng tiêu đề.", column=column)))
    if preview.file_problems:
        return
    for number, cells in table[header_at + 1:]:
        if not any(cell.strip() for cell in cells):
            continue
        values = {column: _clean(cells[position] if position < len(cells) else "")
                  for column, position in positions.items()}
        preview.rows.append(ImportRow(number, values))
    if not preview.rows:
        preview.file_problems.append(RowProblem(header_row, "file", _(
            "Tệp chỉ có dòng tiêu đề, chưa có cơ quan nào.")))


def _check_codes_and_parents(preview: ImportPreview) -> None:
    """Codes unique in the file; parents found in the file or the directory, without loops."""
    everyone = list(db.session.scalars(select(Organization)))
    existing = {o.code: o for o in everyone if o.code}
    by_id = {o.id: o for o in everyone}
    first_row: dict[str, int] = {}
    for row in preview.rows:
        code = row.values.get("code")
        if not code:
            continue
        if code in first_row:
            row.problem("code", _("Mã “%(code)s” trùng với dòng %(row)d (cột “code”).",
                                  code=code, row=first_row[code]))
        else:
            first_row[code] = row.row
            if code in existing:
                row.action = "update"
    if "parent_code" not in preview.columns:
        return
    proposed = {row.values["code"]: row.values.get("parent_code")
                for row in preview.rows if row.values.get("code")}

    def parent_of(node):
        """Parents as they would be after the import; agencies are keyed by code, else id."""
        if node in proposed:
            return proposed[node]
        organization = existing.get(node) if isinstance(node, str) else by_id.get(node)
        parent = organization.parent if organization is not None else None
        return None if parent is None else parent.code or parent.id

    for row in preview.rows:
        parent_code = row.values.get("parent_code")
        if not parent_code:
            continue
        if parent_code not in proposed and parent_code not in existing:
            row.problem("parent_code", _(
                "Không tìm thấy cơ quan cấp trên có mã “%(code)s” trong tệp hoặc trong danh bạ "
                "(cột “parent_code”).", code=parent_code))
        elif row.values.get("code") and _reaches(parent_code, row.values["code"], parent_of):
            row.problem("parent_code", _(
                "Cơ quan cấp trên “%(code)s” làm thành vòng lặp: một cơ quan không thể trực thuộc "
                "chính nó hoặc đơn vị dưới nó (cột “parent_code”).", code=parent_code))


def parse_import(filename: str, content: bytes) -> ImportPreview:
    """Read a CSV or XLSX directory file and say what importing it would do; changes nothing."""
    preview = ImportPreview(filename)
    try:
        table = _read_table(filename, content)
    except _Unreadable as unreadable:
        preview.file_problems.append(RowProblem(unreadable.row, "file", unreadable.message))
        return preview
    _read_rows(table, preview)
    kinds = kind_names()
    for row in preview.rows:
        _check_values(row, kinds)
    _check_codes_and_parents(preview)
    return preview


def import_organizations(filename: str, content: bytes, *, actor: User | None = None) -> ImportResult:
    """Create or update (by `code`) every agency of the file, or raise ImportRejected and
    import nothing."""
    preview = parse_import(filename, content)
    if not preview.ok:
        raise ImportRejected(preview.problems)
    by_code = {o.code: o for o in db.session.scalars(select(Organization).where(
        Organization.code.is_not(None)))}
    imported: list[tuple[ImportRow, Organization]] = []
    for row in preview.rows:
        code = row.values.get("code")
        organization = by_code.get(code) if code else None
        if organization is None:
            organization = Organization(code=code)
            db.session.add(organization)
        organization.kind = row.kind
        for column in PLAIN_COLUMNS:
            if column in row.values:  # a column the file does not have is left as it was
                setattr(organization, column, row.values[column])
        _ensure_code(organization)
        by_code[organization.code] = organization
        imported.append((row, organization))
    if "parent_code" in preview.columns:
        for row, organization in imported:
            parent_code = row.values.get("parent_code")
            organization.parent = by_code[parent_code] if parent_code else None
    audit.log("directory.import", detail=filename, actor=actor)
    db.session.commit()
    return ImportResult(preview.created, preview.updated)


# --- uploads kept between the preview and the confirmation --------------------------------

UPLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
UPLOAD_LIFETIME = 24 * 3600


def store_upload(folder: Path, filename: str, content: bytes) -> str:
    """Keep an uploaded file under `folder/<random token>/` and return the token."""
    _prune_uploads(folder)
    token = secrets.token_urlsafe(24)
    target = folder / token
    target.mkdir(parents=True)
    (target / "content").write_bytes(content)
    (target / "filename").write_text(Path(filename or "").name or "danh-ba", encoding="utf-8")
    return token


def load_upload(folder: Path, token: str) -> tuple[str, bytes] | None:
    """(original filename, bytes) of a kept upload; None for an unknown or malformed token."""
    if not UPLOAD_TOKEN.fullmatch(token or ""):
        return None
    target = folder / token
    try:
        return (target / "filename").read_text(encoding="utf-8"), (target / "content").read_bytes()
    except OSError:
        return None


def discard_upload(folder: Path, token: str) -> None:
    if UPLOAD_TOKEN.fullmatch(token or ""):
        shutil.rmtree(folder / token, ignore_errors=True)


def _prune_uploads(folder: Path) -> None:
    """Forget uploads that were never confirmed, after a day."""
    if not folder.is_dir():
        return
    cutoff = time.time() - UPLOAD_LIFETIME
    for entry in folder.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


# --- export -------------------------------------------------------------------------------


def export_xlsx(organizations: Select | Iterable[Organization]) -> bytes:
    """The agencies as an XLSX file with the import's columns, in directory order, under a
    title row that names the directory and the day: it re-imports unchanged (the import finds
    its header under the title, `_header_index`)."""
    if isinstance(organizations, Select):
        organizations = db.session.scalars(with_parents(organizations))
    rows = []
    for organization in sorted(organizations, key=agency_key):
        values = [getattr(organization, column) for column in COLUMNS if column != "parent_code"]
        values.insert(COLUMNS.index("parent_code"),
                      organization.parent.code if organization.parent else None)
        rows.append(values)
    today = f"{spreadsheet_time(utcnow()):%d/%m/%Y}"
    workbook = Workbook()
    add_sheet(workbook, _("Danh bạ cơ quan"), COLUMNS, rows, first=True, heading=today)
    add_sheet(workbook, _("Loại cơ quan"), ("kind", _("Ý nghĩa")),
              [(kind, str(KIND_LABELS[kind])) for kind in ORGANIZATION_KINDS], heading=today)
    return workbook_bytes(workbook)
