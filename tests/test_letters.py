"""The official invitation letter: A4 HTML and DOCX, one letter or a whole list."""
import io
import re
from datetime import datetime

import docx
import pytest

from tests import factories
from workshop.letters.services import official_date, position_at_agency
from workshop.links import personal_url
from workshop.qr import qr_svg
from workshop.timeutil import LOCAL_TZ


def letter_case():
    workshop = factories.make_letter_workshop()
    agency = factories.make_organization("Sở Tư pháp", code="STP")
    invitation = factories.make_invitee(workshop, "Lê Văn Cường", title="Giám đốc Sở",
                                        organization=agency, letter_number=7)
    return workshop, invitation


def link(app, invitation) -> str:
    """The personal link as a page request (http://localhost/…) writes it."""
    with app.test_request_context():
        return personal_url(invitation)


def docx_text(document) -> str:
    """Every paragraph of the document, tables (and their nested tables) included."""
    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
                for inner in cell.tables:
                    yield from cells(inner)

    paragraphs = list(document.paragraphs)
    for table in document.tables:
        paragraphs.extend(cells(table))
    return "\n".join(paragraph.text for paragraph in paragraphs)


def test_official_date_follows_decree_30():
    assert official_date(datetime(2014, 8, 5, 9, 0, tzinfo=LOCAL_TZ), "Thái Nguyên") == \
        "Thái Nguyên, ngày 05 tháng 8 năm 2014"
    assert official_date(datetime(2014, 2, 12, 9, 0, tzinfo=LOCAL_TZ)) == "Ngày 12 tháng 02 năm 2014"
    # 20:00 UTC on 31/12 is already 1 January in Vietnam.
    assert official_date(datetime.fromisoformat("2013-12-31T20:00:00+00:00")) == \
        "Ngày 01 tháng 01 năm 2014"


def test_title_runs_into_the_agency_name():
    assert position_at_agency("Giám đốc Sở", "Sở Tư pháp") == "Giám đốc Sở Tư pháp"
    assert position_at_agency("Chi cục trưởng", "Chi cục Tiêu chuẩn Đo lường Chất lượng") == \
        "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng"
    assert position_at_agency("Giám đốc Sở Tư pháp", "Sở Tư pháp") == "Giám đốc Sở Tư pháp"
    assert position_at_agency(None, "UBND huyện Phú Bình") == "UBND huyện Phú Bình"
    assert position_at_agency("Chuyên gia", None) == "Chuyên gia"


def test_letter_page_has_every_part_of_the_official_form(client_as, ctx):
    workshop, invitation = letter_case()
    response = client_as("organizer").get(f"/workshops/{workshop.code}/invitations/{invitation.id}/letter")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 7/GM-SKHCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        official_date(invitation.created_at, "Thái Nguyên"),
        "GIẤY MỜI", f"Dự {workshop.title}", "Kính gửi:",
        "Ông/Bà Lê Văn Cường, Giám đốc Sở Tư pháp",
        f"Sở Khoa học và Công nghệ trân trọng kính mời Ông/Bà tới dự {workshop.title}.",
        "Từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 12/08/2030", workshop.venue, "Phiên 1",
        "trước 17 giờ 00 ngày 08/08/2030", "Nơi nhận:", "Như trên;", "Lưu: VT.",
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Phúc",
        invitation.short_code, link(ctx, invitation),
    ):
        assert text in html, text
    # The QR code carries the personal link.
    assert qr_svg(link(ctx, invitation)) in html
    assert 'href="/static/css/letter.css"' in html
    assert "/static/js/letter.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert " style=" not in html


def test_the_letter_stays_vietnamese_on_an_english_screen(client_as, ctx):
    workshop, invitation = letter_case()
    client = client_as("organizer")
    client.get("/lang/en")
    html = client.get(f"/workshops/{workshop.code}/invitations/{invitation.id}/letter").get_data(as_text=True)
    assert "Kính gửi:" in html and "Nơi nhận:" in html and "trân trọng kính mời" in html


def test_all_letters_at_once_with_a_status_filter(client_as, ctx):
    workshop, first = letter_case()
    second = factories.make_invitee(workshop, "Phạm Thị Dung", status="sent", letter_number=8)
    factories.make_invitee(factories.make_letter_workshop(), "Người hội thảo khác")
    client = client_as("organizer")

    html = client.get(f"/workshops/{workshop.code}/letters").get_data(as_text=True)
    assert html.count('<article class="letter"') == 2
    assert html.index("Số: 7/GM-SKHCN") < html.index("Số: 8/GM-SKHCN")
    assert "Người hội thảo khác" not in html

    html = client.get(f"/workshops/{workshop.code}/letters?status=sent").get_data(as_text=True)
    assert html.count('<article class="letter"') == 1
    assert second.name in html and first.name not in html

    response = client.get(f"/workshops/{workshop.code}/letters?status=nonsense")
    assert response.status_code == 400
    assert "Trạng thái giấy mời không hợp lệ" in response.get_data(as_text=True)


def test_an_unnumbered_letter_leaves_room_for_the_number(client_as, ctx):
    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop, letter_number=None)
    html = client_as("organizer").get(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/letter").get_data(as_text=True)
    assert re.search(r"Số: \s+/GM-SKHCN", html)


def test_letter_docx_has_the_same_content(client_as, ctx):
    workshop, invitation = letter_case()
    response = client_as("organizer").get(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/letter.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    text = docx_text(document)
    for expected in (
        "UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 7/GM-SKHCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        official_date(invitation.created_at, "Thái Nguyên"), "GIẤY MỜI",
        "Kính gửi: Ông/Bà Lê Văn Cường, Giám đốc Sở Tư pháp", "Nơi nhận:", "- Như trên;",
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Phúc", invitation.short_code,
        link(ctx, invitation), "+ Phiên 2",
    ):
        assert expected in text, expected
    header = document.tables[0]
    assert len(header.columns) == 2
    assert "CỘNG HÒA" in header.cell(0, 1).text and "SKHCN" in header.cell(0, 0).text
    assert 'w:val="nil"' in header._tbl.xml  # borderless
    assert len(document.inline_shapes) == 1  # the QR code
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(margin.mm) for margin in margins] == [20, 15, 20, 30]
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_all_letters_in_one_docx_one_page_each(client_as, ctx):
    workshop, _first = letter_case()
    factories.make_invitee(workshop, "Phạm Thị Dung", letter_number=8)
    factories.make_invitee(workshop, "Hoàng Văn Em", letter_number=9)
    response = client_as("organizer").get(f"/workshops/{workshop.code}/letters.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    text = docx_text(document)
    assert [n for n in (7, 8, 9) if f"Số: {n}/GM-SKHCN" in text] == [7, 8, 9]
    assert len(document.inline_shapes) == 3
    assert document.element.body.xml.count('w:type="page"') == 2


def test_an_empty_list_gives_no_docx(client_as, ctx):
    workshop = factories.make_letter_workshop()
    response = client_as("organizer").get(f"/workshops/{workshop.code}/letters.docx?status=declined")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.code}/letters?status=declined")


@pytest.mark.parametrize("role", ["staff", "chair"])
def test_letters_are_for_organizers_only(client_as, ctx, role):
    workshop, invitation = letter_case()
    client = client_as(role)
    for url in (f"/workshops/{workshop.code}/invitations/{invitation.id}/letter",
                f"/workshops/{workshop.code}/invitations/{invitation.id}/letter.docx",
                f"/workshops/{workshop.code}/letters", f"/workshops/{workshop.code}/letters.docx"):
        assert client.get(url).status_code == 403, url


def test_letters_need_a_sign_in(client, ctx):
    workshop, invitation = letter_case()
    response = client.get(f"/workshops/{workshop.code}/invitations/{invitation.id}/letter")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_letter_of_another_workshop_is_not_found(client_as, ctx):
    _workshop, invitation = letter_case()
    other = factories.make_letter_workshop()
    organizer = client_as("organizer")
    assert organizer.get(f"/workshops/{other.code}/invitations/{invitation.id}/letter").status_code == 404
    assert organizer.get("/workshops/nope/letters").status_code == 404
