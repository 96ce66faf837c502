"""Directory pages: list and search, add and edit, import with preview, export."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories
from workshop.demo.services import DATA_FILE
from workshop.directory import imports
from workshop.extensions import db
from workshop.models import Organization


def organization_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


def load_demo_directory() -> None:
    imports.import_organizations(DATA_FILE.name, DATA_FILE.read_bytes())


def by_code(code: str) -> Organization:
    db.session.expire_all()
    return db.session.scalar(select(Organization).where(Organization.code == code))


def test_list_needs_a_signed_in_account(client):
    response = client.get("/directory/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_search_without_accents_and_kind_filter_with_counts(client_as):
    load_demo_directory()
    client = client_as("staff")

    page = client.get("/directory/").get_data(as_text=True)
    assert "Sở, Ban, Ngành (15)" in page
    assert "UBND cấp huyện (9)" in page
    assert "Chi cục (7)" in page
    assert "Cơ quan thuộc UBND tỉnh (4)" in page
    assert "Tất cả (35)" in page
    assert "Chi cục trưởng" in page and "Sở Khoa học và Công nghệ" in page

    page = client.get("/directory/?q=pho+yen").get_data(as_text=True)
    assert "UBND huyện Phổ Yên" in page
    assert "Sở Y tế" not in page
    assert "UBND cấp huyện (1)" in page

    page = client.get("/directory/?q=dong+hy").get_data(as_text=True)
    assert "UBND huyện Đồng Hỷ" in page
    assert "UBND huyện Phổ Yên" not in page

    page = client.get("/directory/?kind=subdepartment").get_data(as_text=True)
    assert "Chi cục Thú y" in page
    assert "<strong>Sở Nội vụ</strong>" not in page
    assert "</small>Sở Nội vụ</td>" in page  # the parent of Chi cục Văn thư - Lưu trữ


def test_staff_reads_but_cannot_change(client_as):
    organization = factories.make_organization("Sở Nội vụ")
    client = client_as("staff")
    page = client.get("/directory/").get_data(as_text=True)
    assert "Sở Nội vụ" in page
    assert "Thêm cơ quan" not in page
    assert client.get("/directory/new").status_code == 403
    assert client.post("/directory/new", data={"name": "Sở Y tế", "kind": "department"}).status_code == 403
    assert client.get(f"/directory/{organization.id}/edit").status_code == 403
    assert client.get("/directory/import").status_code == 403
    assert organization_count() == 1


def test_organizer_adds_an_agency_under_a_parent(client_as):
    parent = factories.make_organization("Sở Khoa học và Công nghệ", code="SKHCN")
    client = client_as("organizer")
    form = client.get("/directory/new").get_data(as_text=True)
    assert f'<option value="{parent.id}">Sở Khoa học và Công nghệ</option>' in form

    response = client.post("/directory/new", data={
        "name": "Chi cục Tiêu chuẩn Đo lường Chất lượng", "kind": "subdepartment",
        "parent_id": str(parent.id), "leader_name": "Hứa Văn Việt", "leader_title": "Chi cục trưởng",
        "email": "cc-tdc@example.org", "phone": "0208 3856 001",
    })
    assert response.status_code == 302
    created = db.session.scalar(select(Organization).where(Organization.kind == "subdepartment"))
    assert created.parent_id == parent.id
    assert created.code == f"CQ-{created.id}"
    assert created.leader_title == "Chi cục trưởng"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã thêm cơ quan" in page
    assert "Hứa Văn Việt" in page


def test_bad_input_keeps_what_was_typed_and_changes_nothing(client_as):
    factories.make_organization("Sở Nội vụ", code="SNV")
    client = client_as("organizer")
    response = client.post("/directory/new", data={
        "name": "Sở Tư pháp", "kind": "department", "email": "stp(at)example.org", "code": "SNV",
        "parent_id": "99999",
    })
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Địa chỉ e-mail không hợp lệ." in page
    assert "đã được dùng cho “Sở Nội vụ”" in page
    assert "Cơ quan cấp trên không có trong danh bạ." in page
    assert 'value="Sở Tư pháp"' in page
    assert 'value="stp(at)example.org"' in page
    assert organization_count() == 1

    missing = client.post("/directory/new", data={"name": "", "kind": "huyen"}).get_data(as_text=True)
    assert "Vui lòng nhập tên cơ quan." in missing
    assert "Loại cơ quan không hợp lệ." in missing


def test_organizer_edits_an_agency_and_cannot_put_it_under_itself(client_as):
    parent = factories.make_organization("Sở Nông nghiệp và Phát triển nông thôn", code="SNNPTNT")
    child = factories.make_organization("Chi cục Kiểm lâm", kind="subdepartment", code="CC-KL",
                                        parent_id=parent.id)
    other = factories.make_organization("Sở Y tế", code="SYT")
    client = client_as("organizer")

    form = client.get(f"/directory/{parent.id}/edit").get_data(as_text=True)
    assert 'value="Sở Nông nghiệp và Phát triển nông thôn"' in form
    assert f'<option value="{other.id}">' in form
    assert f'<option value="{child.id}"' not in form  # its own sub-department
    assert f'<option value="{parent.id}"' not in form  # itself

    looped = client.post(f"/directory/{parent.id}/edit", data={
        "name": parent.name, "kind": "department", "code": "SNNPTNT", "parent_id": str(child.id)})
    assert looped.status_code == 200
    assert "đơn vị trực thuộc nó" in looped.get_data(as_text=True)
    assert by_code("SNNPTNT").parent_id is None

    response = client.post(f"/directory/{child.id}/edit", data={
        "name": "Chi cục Kiểm lâm tỉnh Thái Nguyên", "kind": "subdepartment", "code": "CC-KL",
        "parent_id": str(other.id), "email": "kiemlam@example.org", "address": "Phường Quang Trung"})
    assert response.status_code == 302
    edited = by_code("CC-KL")
    assert edited.name == "Chi cục Kiểm lâm tỉnh Thái Nguyên"
    assert edited.parent_id == other.id
    assert edited.address == "Phường Quang Trung"
    assert edited.search_text == "chi cuc kiem lam tinh thai nguyen cc-kl"


def test_user_text_is_escaped_on_the_list(client_as):
    factories.make_organization("<script>alert(1)</script>", leader_name="<b>Ông</b>")
    page = client_as("staff").get("/directory/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Ông&lt;/b&gt;" in page


def _upload(client, content: bytes, filename: str):
    return client.post("/directory/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_import_preview_then_confirm(app, client_as):
    client = client_as("organizer")
    assert "code, name, kind, parent_code" in client.get("/directory/import").get_data(as_text=True)
    response = _upload(client, DATA_FILE.read_bytes(), DATA_FILE.name)
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    kept = Path(app.instance_path) / "imports" / token
    assert (kept / "content").read_bytes() == DATA_FILE.read_bytes()

    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert preview.count("Thêm mới</span>") == 35
    assert "Xác nhận nhập 35 cơ quan" in preview
    assert f'value="{token}"' in preview
    assert organization_count() == 0  # a preview changes nothing

    confirmed = client.post("/directory/import/confirm", data={"token": token})
    assert confirmed.status_code == 302
    assert organization_count() == 35
    assert not kept.exists()
    assert "thêm mới 35, cập nhật 0" in client.get("/directory/").get_data(as_text=True)

    again = client.get(_upload(client, DATA_FILE.read_bytes(), DATA_FILE.name).headers["Location"])
    assert again.get_data(as_text=True).count("Cập nhật</span>") == 35


def test_preview_marks_bad_rows_and_offers_no_confirmation(client_as):
    client = client_as("organizer")
    content = "name;kind;email\nSở Nội vụ;department;snv@example.org\n;district;\nSở Y tế;sở;x@\n"
    response = client.get(_upload(client, content.encode(), "loi.csv").headers["Location"])
    page = response.get_data(as_text=True)
    assert "Tệp có 3 lỗi" in page
    assert page.count('<tr class="bad problems">') == 2
    assert "Thiếu tên cơ quan" in page
    assert "E-mail “x@” không hợp lệ" in page
    assert "Xác nhận nhập" not in page
    assert 'action="/directory/import/confirm"' not in page


def test_confirm_refuses_unknown_or_forged_tokens(client_as):
    client = client_as("organizer")
    for token in ("../../secret_key", "A" * 32):
        response = client.post("/directory/import/confirm", data={"token": token})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/directory/import")
    assert client.get("/directory/import/" + "B" * 32).status_code == 302
    assert organization_count() == 0


def test_upload_needs_a_csv_or_xlsx_file(client_as):
    client = client_as("organizer")
    assert "Vui lòng chọn tệp" in client.post("/directory/import", data={}).get_data(as_text=True)
    page = _upload(client, b"x", "danh-ba.pdf").get_data(as_text=True)
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV." in page


def test_export_downloads_the_directory_as_xlsx(client_as):
    load_demo_directory()
    response = client_as("staff").get("/directory/export?kind=district")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "danh-ba-co-quan.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [cell.value for cell in sheet[2]] == list(imports.COLUMNS)  # under the title row
    assert sheet.max_row == 11
    assert {row[2] for row in sheet.iter_rows(min_row=3, values_only=True)} == {"district"}
