"""Spreadsheets that print and sort like an office's, and the exports API.

Every export: a title row naming the workshop, widths from the content with wrapped long text,
the header frozen and filtered, A4 landscape fitted to the width with the title and header rows
on every page, real dates as dd/mm/yyyy, no formula; rows of people and agencies in Vietnamese
alphabetical order (workshop/collation.py)."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests import factories
from workshop.checkin import desk as checkin_desk
from workshop.collation import vietnamese_key
from workshop.directory import imports as directory_imports
from workshop.directory import services as directory
from workshop.extensions import db
from workshop.invitations import services as invitations
from workshop.invitations import tracking
from workshop.models import CheckIn
from workshop.office.sheets import MAX_WIDTH, MIN_WIDTH
from workshop.summary.report import report_xlsx
from workshop.summary.services import compile_summary
from workshop.timeutil import as_local, utcnow

# --- the collation key ------------------------------------------------------------------------


def ordered(*names: str) -> list[str]:
    return sorted(names, key=vietnamese_key)


def test_the_issue_s_agencies_are_in_alphabetical_order():
    assert ordered("UBND huyện Võ Nhai", "UBND huyện Đại Từ") == ["UBND huyện Đại Từ",
                                                                    "UBND huyện Võ Nhai"]
    assert ordered("Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư") == [
        "Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"]


def test_letters_with_marks_are_letters_of_their_own():
    assert ordered("Đông", "Dũng", "Âu", "Ấp", "Anh") == ["Anh", "Ấp", "Âu", "Dũng", "Đông"]
    assert ordered("ơn", "ôm", "ong", "ưa", "uống", "vâng", "ăn", "ân", "êm", "ếch", "eo") == [
        "ăn", "ân", "eo", "ếch", "êm", "ong", "ôm", "ơn", "uống", "ưa", "vâng"]
    # d < đ < e, whatever the case; "Ð" (eth) typed for "Đ" sorts as "Đ".
    assert ordered("e", "Đa", "dz", "ÐB") == ["dz", "Đa", "ÐB", "e"]


def test_tones_are_a_second_level_in_dictionary_order():
    # ngang < huyền < hỏi < ngã < sắc < nặng (CLDR vi: ̀ << ̉ << ̃ << ́ << ̣)
    assert ordered("mạ", "má", "mã", "mả", "mà", "ma") == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # letters first: a tone never outweighs a later letter
    assert ordered("bán", "bàn", "ban", "bang") == ["ban", "bàn", "bán", "bang"]


def test_words_are_compared_one_by_one_as_a_dictionary_lists_them():
    assert ordered("bà con", "bà", "ba ba", "ba") == ["ba", "ba ba", "bà", "bà con"]
    assert ordered("Anh", "An Khánh") == ["An Khánh", "Anh"]


def test_case_punctuation_and_tone_placement_do_not_change_the_order():
    assert vietnamese_key("UBND HUYỆN ĐẠI TỪ")[0] == vietnamese_key("ubnd huyện đại từ")[0]
    assert vietnamese_key("Hoà Bình")[0] == vietnamese_key("Hòa Bình")[0]  # old and new placement
    assert vietnamese_key("Bà Rịa - Vũng Tàu")[0] == vietnamese_key("Bà Rịa Vũng Tàu")[0]
    # ... but the order stays total: equal letters are told apart by the text itself
    assert ordered("anh", "Anh") == ordered("Anh", "anh")
    assert ordered("", "a") == ["", "a"] and vietnamese_key(None) == vietnamese_key("")


def test_digits_come_before_letters_and_foreign_letters_after_z():
    assert ordered("Phòng 2", "Phòng A", "Phòng Ω", "Phòng Z") == [
        "Phòng 2", "Phòng A", "Phòng Z", "Phòng Ω"]


# --- a workshop whose records come in the wrong order -----------------------------------------

PEOPLE_IN_ORDER = ["Anh", "Ấp", "Âu", "Dũng", "Đông"]
AGENCIES_IN_ORDER = ["Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ", "UBND huyện Đại Từ",
                     "UBND huyện Võ Nhai"]
LONG_TITLE = "Chuyên viên phụ trách " + "công tác cải cách hành chính và kiểm soát thủ tục " * 3
CHECKED_IN_AT = datetime(2031, 3, 10, 1, 5, tzinfo=UTC)  # 08:05 in Vietnam


@pytest.fixture
def world(ctx):
    """Agencies and people created against Vietnamese order, so that no database order (id,
    letter number, byte order of the names) puts them right by chance."""
    workshop = factories.make_workshop(title="Hội thảo “Sắp xếp” của Sở",
                                       starts_at=datetime(2031, 3, 10, 1, 0, tzinfo=UTC),
                                       ends_at=datetime(2031, 3, 10, 10, 0, tzinfo=UTC))
    agencies = {}
    for code, name, kind in (("VN", "UBND huyện Võ Nhai", "district"),
                             ("DT", "UBND huyện Đại Từ", "district"),
                             ("KHCN", "Sở Khoa học và Công nghệ", "department"),
                             ("KHDT", "Sở Kế hoạch và Đầu tư", "department")):
        agencies[name] = factories.make_organization(name, kind=kind, code=code,
                                                     address="Số 1 đường Hoàng Văn Thụ")
    leaders = {"UBND huyện Võ Nhai": "Hoàng Văn Sơn", "UBND huyện Đại Từ": "Lê Thị Hoa",
               "Sở Khoa học và Công nghệ": "Trần Văn Bình"}
    for agency, person in leaders.items():
        factories.make_invitee(workshop, person, organization=agencies[agency], status="accepted",
                               responded_at=datetime(2031, 3, 1, 2, 30, tzinfo=UTC))
    people = {}
    for name in reversed(PEOPLE_IN_ORDER):
        people[name] = factories.make_invitee(workshop, name, title=LONG_TITLE,
                                              organization=agencies["Sở Kế hoạch và Đầu tư"])
    for invitation in (people["Đông"], people["Anh"]):
        db.session.add(CheckIn(invitation_id=invitation.id, workshop_id=workshop.id,
                               checked_in_at=CHECKED_IN_AT, method="scan"))
    db.session.commit()
    return SimpleNamespace(workshop=workshop, agencies=agencies, people=people)


def expected_invitees() -> list[tuple[str, str]]:
    """(agency, person) in directory order: kind, then agency, then person."""
    return ([("Sở Kế hoạch và Đầu tư", person) for person in PEOPLE_IN_ORDER]
            + [("Sở Khoa học và Công nghệ", "Trần Văn Bình"), ("UBND huyện Đại Từ", "Lê Thị Hoa"),
               ("UBND huyện Võ Nhai", "Hoàng Văn Sơn")])


def table(sheet) -> tuple[list, list[tuple]]:
    """(header, data rows) of a sheet written by add_sheet with a title row."""
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return list(rows[0]), rows[1:]


def assert_prints_like_an_office(sheet, title: str) -> None:
    last = sheet.max_column
    letter = get_column_letter(last)
    # the title row: naming the workshop, bold, merged across the table; then the bold header
    assert title in sheet["A1"].value and sheet["A1"].font.bold, sheet.title
    assert f"A1:{letter}1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert all(cell.font.bold for cell in sheet[2])
    # the header frozen and filtered over the whole table
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:{letter}{sheet.max_row}"
    # A4 landscape, fitted to one page wide, the title and header on every page, page numbers
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4 (ECMA-376 ST_PaperSize)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$1:$2"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    # widths from the content, capped; what does not fit wraps
    for column in range(1, last + 1):
        width = sheet.column_dimensions[get_column_letter(column)].width
        assert MIN_WIDTH <= width <= MAX_WIDTH
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            if isinstance(cell.value, str) and len(cell.value) > width:
                assert cell.alignment.wrap_text, (sheet.title, cell.coordinate)
    # no formula, real dates in Vietnamese format
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (sheet.title, cell.coordinate)
            if isinstance(cell.value, datetime):
                assert cell.number_format in ("dd/mm/yyyy hh:mm", "dd/mm/yyyy")


def test_the_invitations_export_prints_and_sorts(world):
    book = load_workbook(io.BytesIO(tracking.tracking_xlsx(world.workshop)))
    for sheet in book.worksheets:
        assert_prints_like_an_office(sheet, world.workshop.title)
    header, rows = table(book["Giấy mời"])
    agency, person = header.index("Cơ quan, đơn vị"), header.index("Người được mời")
    assert [(row[agency], row[person]) for row in rows] == expected_invitees()
    answered = header.index("Trả lời lúc")
    sheet = book["Giấy mời"]
    dated = [sheet.cell(row, answered + 1) for row in range(3, sheet.max_row + 1)
             if sheet.cell(row, answered + 1).value is not None]
    assert len(dated) == 3
    assert all(cell.is_date and cell.number_format == "dd/mm/yyyy hh:mm" for cell in dated)
    assert dated[0].value == datetime(2031, 3, 1, 9, 30)  # Vietnam time
    title_column = get_column_letter(header.index("Chức vụ") + 1)
    assert sheet.column_dimensions[title_column].width == MAX_WIDTH  # capped; the title wraps


def test_the_attendance_export_prints_and_sorts(world):
    book = load_workbook(io.BytesIO(checkin_desk.attendance_xlsx(world.workshop)))
    for sheet in book.worksheets:
        assert_prints_like_an_office(sheet, world.workshop.title)
    header, rows = table(book["Điểm danh"])
    agency, person = header.index("Cơ quan, đơn vị"), header.index("Họ và tên")
    assert [(row[agency], row[person]) for row in rows] == expected_invitees()
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))  # STT follows the order
    at = header.index("Giờ điểm danh")
    assert {row[person]: row[at] for row in rows if row[at]} == {
        "Anh": datetime(2031, 3, 10, 8, 5), "Đông": datetime(2031, 3, 10, 8, 5)}


def test_the_summary_export_prints_and_sorts(world):
    book = load_workbook(io.BytesIO(report_xlsx(compile_summary(world.workshop))))
    for sheet in book.worksheets:
        assert_prints_like_an_office(sheet, world.workshop.title)
    header, rows = table(book["Điểm danh"])
    agency, person = header.index("Cơ quan, đơn vị"), header.index("Người được mời")
    assert [(row[agency], row[person]) for row in rows] == expected_invitees()
    at = book["Điểm danh"].cell(3, header.index("Điểm danh lúc") + 1)
    assert at.is_date and at.number_format == "dd/mm/yyyy hh:mm"


def test_the_directory_export_prints_sorts_and_re_imports_unchanged(world):
    content = directory_imports.export_xlsx(directory.search_organizations())
    book = load_workbook(io.BytesIO(content))
    today = f"{as_local(utcnow()):%d/%m/%Y}"
    for sheet in book.worksheets:
        assert_prints_like_an_office(sheet, today)
    assert book.worksheets[0]["A1"].value == f"Danh bạ cơ quan — {today}"
    header, rows = table(book.worksheets[0])
    assert header == list(directory_imports.COLUMNS)  # the import's columns, under the title row
    assert [row[header.index("name")] for row in rows] == AGENCIES_IN_ORDER

    before = factories.database_snapshot()
    preview = directory_imports.parse_import(directory_imports.EXPORT_FILENAME, content)
    assert preview.ok and [row.row for row in preview.rows] == [3, 4, 5, 6]  # rows as Excel numbers them
    result = directory_imports.import_organizations(directory_imports.EXPORT_FILENAME, content)
    assert (result.created, result.updated) == (0, 4)
    assert factories.database_snapshot() == before


def test_the_import_still_reports_a_missing_column_on_the_first_row(ctx):
    content = b"ten,kind\nS\xe1\xbb\x9f A,department\n"
    preview = directory_imports.parse_import("danh-ba.csv", content)
    assert [(problem.row, problem.field) for problem in preview.file_problems] == [(1, "name")]


def test_the_pages_lists_are_in_vietnamese_order(world, client_as):
    workshop = world.workshop
    listed = invitations.list_invitations(workshop)
    assert [(i.organization.name, i.name) for i in listed] == expected_invitees()
    found = checkin_desk.search_invitations(workshop, "ke hoach")
    assert [invitation.name for invitation in found] == PEOPLE_IN_ORDER
    assert [invitation.name for invitation in checkin_desk.search_invitations(workshop, "ke hoach",
                                                                              limit=2)] == ["Anh", "Ấp"]
    sheet = [invitation.name for _kind, rows in checkin_desk.sign_in_sheet(workshop) for invitation in rows]
    assert sheet == [person for _agency, person in expected_invitees()]
    assert [o.name for o in directory.search_organizations()] == AGENCIES_IN_ORDER

    organizer = client_as("organizer")
    page = organizer.get("/directory/").get_data(as_text=True)
    assert sorted(AGENCIES_IN_ORDER, key=page.index) == AGENCIES_IN_ORDER
    page = organizer.get(f"/workshops/{workshop.code}/invitations").get_data(as_text=True)
    shown = [f">{person}<" for person in PEOPLE_IN_ORDER]
    assert sorted(shown, key=page.index) == shown
    page = organizer.get(f"/workshops/{workshop.code}/sign-in-sheet").get_data(as_text=True)
    assert sorted(PEOPLE_IN_ORDER, key=page.index) == PEOPLE_IN_ORDER


# --- the API ----------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(("name", "first_sheet"), [("invitations", "Giấy mời"),
                                                   ("attendance", "Điểm danh"),
                                                   ("summary", "Điểm danh")])
def test_the_api_serves_each_export(world, client, api_headers, name, first_sheet):
    url = f"/api/v1/workshops/{world.workshop.code}/exports/{name}.xlsx"
    response = client.get(url, headers=api_headers("chair"))
    assert response.status_code == 200 and response.mimetype == XLSX
    assert f"{world.workshop.code}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == first_sheet
    assert_prints_like_an_office(book.worksheets[0], world.workshop.title)


def test_the_api_s_exports_are_for_whom_the_contract_says(world, client, api_headers):
    code = world.workshop.code
    staff = api_headers("staff")
    assert client.get(f"/api/v1/workshops/{code}/exports/attendance.xlsx", headers=staff).status_code == 200
    assert client.get(f"/api/v1/workshops/{code}/exports/summary.xlsx", headers=staff).status_code == 403
    assert client.get(f"/api/v1/workshops/{code}/exports/other.xlsx", headers=staff).status_code == 404
    assert client.get("/api/v1/workshops/khong-co/exports/attendance.xlsx",
                      headers=staff).status_code == 404
    assert client.get("/api/v1/organizations/export.xlsx", headers=staff).status_code == 403
    response = client.get("/api/v1/organizations/export.xlsx", headers=api_headers("organizer"))
    assert response.status_code == 200 and response.mimetype == XLSX
    result = directory_imports.parse_import(directory_imports.EXPORT_FILENAME, response.data)
    assert result.ok and [row.values["name"] for row in result.rows] == AGENCIES_IN_ORDER
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/workshops/{code}/exports/invitations.xlsx", "/workshops/{code}/exports/attendance.xlsx",
                 "/workshops/{code}/exports/summary.xlsx", "/organizations/export.xlsx"):
        assert "get" in paths[f"/api/v1{path}"], path
