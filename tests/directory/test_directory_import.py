"""Importing and exporting the agency directory: the service and POST /api/v1/organizations/import."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests import factories
from workshop.demo.services import DATA_FILE
from workshop.directory import imports, services
from workshop.extensions import db
from workshop.models import Organization

HEADER = "code,name,kind,parent_code,leader_name,leader_title,email,phone,address"


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\n".join(lines) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def organization_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


def by_code(code: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.code == code))


def snapshot() -> dict[str, tuple]:
    columns = ("name", "kind", "leader_name", "leader_title", "email", "phone", "address")
    db.session.expire_all()
    return {o.code: tuple(getattr(o, c) for c in columns) + (o.parent.code if o.parent else None,)
            for o in db.session.scalars(select(Organization))}


def upload(client, headers, content: bytes, filename: str = "danh-ba.csv"):
    return client.post("/api/v1/organizations/import", headers=headers,
                       data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_demo_file_creates_35_agencies_with_parents_then_updates_them(client, api_headers):
    response = upload(client, api_headers("organizer"), DATA_FILE.read_bytes(), DATA_FILE.name)
    assert response.status_code == 200
    assert response.get_json() == {"created": 35, "updated": 0}
    assert services.kind_counts() == {
        "department": 15, "district": 9, "subdepartment": 7, "provincial_agency": 4, "other": 0,
    }
    assert by_code("CC-TDC").parent.code == "SKHCN"
    assert by_code("CC-ATVSTP").parent.code == "SYT"
    assert by_code("SKHCN").parent is None
    before = snapshot()

    again = upload(client, api_headers("organizer"), DATA_FILE.read_bytes(), DATA_FILE.name)
    assert again.get_json() == {"created": 0, "updated": 35}
    assert organization_count() == 35
    assert snapshot() == before


def test_csv_with_bom_semicolons_loose_headers_and_vietnamese_kinds(ctx):
    content = csv_bytes(
        " Code ;Tên bỏ qua;NAME;Kind;Parent Code;E-mail",
        "UBND-PY;x;UBND huyện Phổ Yên;UBND cấp huyện;;ubnd-py@example.org",
        "SKHCN;x;Sở Khoa học và Công nghệ;so, ban, nganh;;",
        "CC-TDC;x;Chi cục Tiêu chuẩn Đo lường Chất lượng;Chi cục;SKHCN;",
        "BDT;x;Ban Dân tộc;CƠ QUAN THUỘC UBND TỈNH;;",
        bom=True,
    )
    result = imports.import_organizations("danh-ba.csv", content)
    assert (result.created, result.updated) == (4, 0)
    assert by_code("UBND-PY").kind == "district"
    assert by_code("UBND-PY").email == "ubnd-py@example.org"
    assert by_code("SKHCN").kind == "department"
    assert by_code("CC-TDC").kind == "subdepartment"
    assert by_code("CC-TDC").parent.code == "SKHCN"
    assert by_code("BDT").kind == "provincial_agency"


def test_xlsx_made_with_openpyxl(client, api_headers):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "parent_code", "leader_name", "phone"])
    sheet.append(["SNV", "Sở Nội vụ", "department", None, "Trần Thị Bình", 2083850002])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["CC-VTLT", "Chi cục Văn thư - Lưu trữ", "subdepartment", "SNV", None, None])
    output = io.BytesIO()
    workbook.save(output)

    response = upload(client, api_headers("organizer"), output.getvalue(), "danh-ba.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 0}
    assert by_code("SNV").phone == "2083850002"
    assert by_code("SNV").leader_name == "Trần Thị Bình"
    assert by_code("CC-VTLT").parent.code == "SNV"


def test_xlsx_is_recognized_by_its_bytes_whatever_its_name(ctx):
    workbook = Workbook()
    workbook.active.append(["name", "kind"])
    workbook.active.append(["Sở Y tế", "department"])
    output = io.BytesIO()
    workbook.save(output)
    preview = imports.parse_import("tai-ve", output.getvalue())
    assert preview.ok
    assert [row.values["name"] for row in preview.rows] == ["Sở Y tế"]


def test_every_bad_row_is_listed_and_nothing_is_imported(client, api_headers):
    factories.make_organization("Sở Tư pháp", code="STP")
    content = csv_bytes(
        HEADER,
        "SNV,Sở Nội vụ,department,,,,snv@example.org,,",           # 2: good
        "X1,UBND huyện Phú Lương,huyen,,,,,,",                     # 3: bad kind
        "X2,,district,,,,,,",                                      # 4: missing name
        "X3,Sở Y tế,department,,,,syt(at)example.org,,",           # 5: bad email
        "",                                                        # 6: blank, skipped
        "X4,Chi cục Thú y,subdepartment,SNN,,,,,",                 # 7: unknown parent
        "SNV,Sở Nội vụ (bản trùng),department,,,,,,",              # 8: duplicate code
        "X5,Chi cục Văn thư,subdepartment,STP,,,,,",               # 9: good, parent in database
        "X6," + "A" * 256 + ",other,,,,,,",                        # 10: name too long
    )
    response = upload(client, api_headers("organizer"), content)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_import"
    assert "chưa nhập" in error["message"]
    assert {(p["row"], p["field"]) for p in error["rows"]} == {
        (3, "kind"), (4, "name"), (5, "email"), (7, "parent_code"), (8, "code"), (10, "name"),
    }
    messages = {p["row"]: p["message"] for p in error["rows"]}
    assert "huyen" in messages[3]
    assert "SNN" in messages[7]
    assert "dòng 2" in messages[8]
    assert "255" in messages[10]
    assert organization_count() == 1


def test_missing_required_column_is_a_problem_of_the_header_row(ctx):
    preview = imports.parse_import("a.csv", csv_bytes("code,name,email", "SNV,Sở Nội vụ,"))
    assert [(p.row, p.field) for p in preview.problems] == [(1, "kind")]
    assert "kind" in preview.problems[0].message


def test_a_file_that_is_not_utf8_gets_a_clear_message(client, api_headers):
    content = "name,kind\nSo Noi vu,department\nPhòng Tài chính,department\n".encode("cp1252")
    response = upload(client, api_headers("organizer"), content)
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["rows"]
    assert problem["row"] == 3
    assert problem["field"] == "file"
    assert "UTF-8" in problem["message"]
    assert organization_count() == 0


def test_old_xls_and_empty_files_are_refused(ctx):
    old = imports.parse_import("danh-ba.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert ".xls" in old.problems[0].message
    empty = imports.parse_import("danh-ba.csv", b"")
    assert [(p.row, p.field) for p in empty.problems] == [(1, "file")]
    header_only = imports.parse_import("danh-ba.csv", csv_bytes(HEADER))
    assert [(p.row, p.field) for p in header_only.problems] == [(1, "file")]


def test_parents_that_would_make_a_loop_are_refused(ctx):
    preview = imports.parse_import("a.csv", csv_bytes(
        "code,name,kind,parent_code",
        "A,Cơ quan A,other,B",
        "B,Cơ quan B,other,A",
        "C,Cơ quan C,other,C",
    ))
    assert {(p.row, p.field) for p in preview.problems} == {
        (2, "parent_code"), (3, "parent_code"), (4, "parent_code"),
    }


def test_a_known_code_updates_and_columns_the_file_lacks_are_kept(ctx):
    factories.make_organization("Sở Nội vụ cũ", code="SNV", address="Số 1 đường Đội Cấn",
                                email="cu@example.org")
    preview = imports.parse_import("a.csv", csv_bytes(
        "code,name,kind,email", "SNV,Sở Nội vụ,department,", "MOI,Cơ quan mới,other,"))
    assert [(row.row, row.action) for row in preview.rows] == [(2, "update"), (3, "create")]

    result = imports.import_organizations("a.csv", csv_bytes(
        "code,name,kind,email", "SNV,Sở Nội vụ,department,", "MOI,Cơ quan mới,other,"))
    assert (result.created, result.updated) == (1, 1)
    db.session.expire_all()
    snv = by_code("SNV")
    assert snv.name == "Sở Nội vụ"
    assert snv.address == "Số 1 đường Đội Cấn"  # no address column: left as it was
    assert snv.email is None  # an empty cell of a present column clears it
    assert organization_count() == 2


def test_rows_without_a_code_get_one_so_that_an_export_updates_them(ctx):
    imports.import_organizations("a.csv", csv_bytes("name,kind", "Trung tâm Hành chính công,other"))
    organization = db.session.scalar(select(Organization))
    assert organization.code == f"CQ-{organization.id}"


def test_export_then_reimport_changes_nothing(ctx):
    imports.import_organizations(DATA_FILE.name, DATA_FILE.read_bytes())
    factories.make_organization("=HYPERLINK(\"http://example.org\")", kind="other", code="CONG-THUC",
                                address="Số 10 đường Nha Trang, TP Thái Nguyên")
    before = snapshot()

    content = imports.export_xlsx(services.search_statement())
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[2]] == list(imports.COLUMNS)  # under the title row
    assert sheet.max_row == 38
    formula_row = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == "CONG-THUC")
    assert formula_row[1].data_type == "s"  # user text stays text in Excel

    result = imports.import_organizations(imports.EXPORT_FILENAME, content)
    assert (result.created, result.updated) == (0, 36)
    assert snapshot() == before


def test_missing_file_and_wrong_roles(client, api_headers):
    missing = client.post("/api/v1/organizations/import", headers=api_headers("organizer"),
                          data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert [f["field"] for f in missing.get_json()["error"]["fields"]] == ["file"]

    content = csv_bytes("name,kind", "Sở Y tế,department")
    assert upload(client, api_headers("staff"), content).status_code == 403
    assert upload(client, {}, content).status_code == 401
    assert organization_count() == 0
