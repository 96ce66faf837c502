"""The official invitation letter: A4 HTML and DOCX, one letter or a whole list."""
import io
import re
from datetime import UTC, datetime

import docx
import pytest

from tests import factories
from workshop.extensions import db
from workshop.letters.services import position_at_agency
from workshop.links import personal_url
from workshop.models import WorkshopSession
from workshop.office.letterhead import official_date
from workshop.qr import qr_svg
from workshop.timeutil import LOCAL_TZ


def letter_case():
    workshop = factories.make_letter_workshop(letter_number="125/GM-SKHCN",
                                              contact_name="Bà Lê Thu Hà, Văn phòng Sở",
                                              contact_phone="0208 3850 014")
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
        "UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 125/GM-SKHCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        official_date(invitation.created_at, "Thái Nguyên"),
        "GIẤY MỜI", f"Dự {workshop.title}", "Kính gửi: Giám đốc Sở Tư pháp",
        f"Sở Khoa học và Công nghệ trân trọng kính mời đồng chí tới dự {workshop.title}.",
        "08 giờ 00, Thứ Hai, ngày 12/8/2030", workshop.venue, "Phiên 1",
        "trước 17 giờ 00 ngày 08/8/2030",
        "Đầu mối liên hệ: Bà Lê Thu Hà, Văn phòng Sở, điện thoại 0208 3850 014.",
        f"Mã xác nhận {invitation.short_code} dùng để điểm danh tại cửa hoặc trả lời qua điện thoại.",
        "Nơi nhận:", "Như trên;", "Lưu: VT.",
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Phúc",
        invitation.short_code, link(ctx, invitation),
    ):
        assert text in html, text
    # The QR code carries the personal link.
    assert qr_svg(link(ctx, invitation)) in html
    assert re.search(r'href="/static/css/letter\.[0-9a-f]{12}\.css"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert " style=" not in html
    assert "Ông/Bà" not in html and "Số: 7/" not in html  # the row number is not the letter's


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
    assert html.count("Số: 125/GM-SKHCN") == 2  # one register number for every copy
    assert html.index("Giám đốc Sở Tư pháp") < html.index(second.name)  # in the order of the rows
    assert "Người hội thảo khác" not in html

    html = client.get(f"/workshops/{workshop.code}/letters?status=sent").get_data(as_text=True)
    assert html.count('<article class="letter"') == 1
    assert second.name in html and first.name not in html

    response = client.get(f"/workshops/{workshop.code}/letters?status=nonsense")
    assert response.status_code == 400
    assert "Trạng thái giấy mời không hợp lệ" in response.get_data(as_text=True)


def test_without_a_register_number_the_clerk_fills_it_in(client_as, ctx):
    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop, letter_number=None)
    client = client_as("organizer")
    html = client.get(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/letter").get_data(as_text=True)
    assert "Số: ……/GM-SKHCN" in html
    assert "Chưa có số giấy mời" in html  # the organizer is told
    edit = client.get(f"/workshops/{workshop.code}/edit").get_data(as_text=True)
    assert "Chưa có số giấy mời" in edit and 'name="letter_number"' in edit


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
        "UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 125/GM-SKHCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        official_date(invitation.created_at, "Thái Nguyên"), "GIẤY MỜI",
        "Kính gửi: Giám đốc Sở Tư pháp", "Nơi nhận:", "- Như trên;",
        "Đầu mối liên hệ: Bà Lê Thu Hà, Văn phòng Sở, điện thoại 0208 3850 014.",
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Phúc", invitation.short_code,
        link(ctx, invitation), "+ Phiên 2",
    ):
        assert expected in text, expected
    header = document.tables[0]
    assert len(header.columns) == 2
    assert "CỘNG HÒA" in header.cell(0, 1).text and "SKHCN" in header.cell(0, 0).text
    assert "Ông/Bà" not in text
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
    assert text.count("Số: 125/GM-SKHCN") == 3
    assert len(document.inline_shapes) == 3
    # Each letter is a section of its own, numbered from 1 again; no page break inside a letter
    # with its agenda in the body.
    assert len(document.sections) == 3
    body = document.element.body.xml
    assert body.count('w:type="page"') == 0 and body.count("w:pageBreakBefore") == 0
    assert body.count('<w:pgNumType w:start="1"/>') == 3
    assert all(section.different_first_page_header_footer for section in document.sections)
    assert "PAGE" in document.sections[0].header._element.xml  # page numbers from page 2


def test_the_signature_block_is_kept_together(client_as, ctx):
    workshop, invitation = letter_case()
    response = client_as("organizer").get(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/letter.docx")
    document = docx.Document(io.BytesIO(response.data))
    header, footer = document.tables[0], document.tables[1]
    assert "<w:cantSplit/>" in footer._tbl.xml  # the row of "Nơi nhận" and the signer
    assert "Nơi nhận:" in footer.cell(0, 0).text and "Nguyễn Hữu Phúc" in footer.cell(0, 1).text
    assert len(footer.cell(0, 0).tables) == 1 and "w:drawing" in footer.cell(0, 0).tables[0]._tbl.xml
    closing = next(p for p in document.paragraphs if p.text.startswith("Rất mong"))
    assert closing.paragraph_format.keep_with_next  # never a signature alone on a page
    # The letterhead: columns wide enough for one line each, 12.5 pt, the rules right under it.
    assert [round(cell.width.mm) for cell in header.rows[0].cells] == [70, 95]
    host = next(p for p in header.cell(0, 0).paragraphs if p.text == "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    assert host.runs[0].font.size.pt == 12.5
    rules = [p for p in header.cell(0, 0).paragraphs + header.cell(0, 1).paragraphs
             if "w:pBdr" in p._p.xml]
    assert len(rules) == 2
    for item in rules:
        assert item.paragraph_format.line_spacing.pt == 2 and 'w:space="0"' in item._p.xml


def test_a_long_agenda_goes_to_a_programme_page(client_as, ctx):
    workshop, invitation = letter_case()
    for index in range(3, 9):  # six more sessions than the factory's two
        db.session.add(WorkshopSession(workshop=workshop, position=index, title=f"Tham luận {index}"))
    db.session.commit()
    response = client_as("organizer").get(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/letter.docx")
    document = docx.Document(io.BytesIO(response.data))
    text = docx_text(document)
    assert "- Nội dung: Theo Chương trình hội thảo gửi kèm theo Giấy mời này." in text
    assert "CHƯƠNG TRÌNH HỘI THẢO" in text and "(Kèm theo Giấy mời số 125/GM-SKHCN ngày" in text
    assert document.element.body.xml.count("w:pageBreakBefore") == 1  # the programme page
    programme = document.tables[-1]
    assert [cell.text for cell in programme.rows[0].cells] == ["Thời gian", "Nội dung", "Thực hiện"]
    assert "Tham luận 8" in programme.rows[-1].cells[1].text


def test_core_properties_name_the_host_and_today(client_as, ctx):
    workshop, invitation = letter_case()
    response = client_as("organizer").get(
        f"/workshops/{workshop.code}/invitations/{invitation.id}/letter.docx")
    properties = docx.Document(io.BytesIO(response.data)).core_properties
    assert properties.author == "Sở Khoa học và Công nghệ" != "python-docx"
    assert properties.title == f"Giấy mời: {workshop.title}"
    assert properties.comments == ""
    assert properties.created.date() == datetime.now(UTC).date()


def test_print_all_leaves_out_walk_ins_and_the_hosts_signer(client_as, ctx):
    workshop, invitation = letter_case()
    factories.make_invitee(workshop, "Nguyễn Hữu Phúc", organization=workshop.host_organization)
    factories.make_invitee(workshop, "Đại biểu đến trực tiếp", walk_in=True, letter_number=None)
    # the same name at another agency is someone else: invited
    factories.make_invitee(workshop, "Nguyễn Hữu Phúc", organization=invitation.organization)
    client = client_as("organizer")
    html = client.get(f"/workshops/{workshop.code}/letters").get_data(as_text=True)
    assert html.count('<article class="letter"') == 2
    assert "Đại biểu đến trực tiếp" not in html
    document = docx.Document(io.BytesIO(client.get(f"/workshops/{workshop.code}/letters.docx").data))
    assert len(document.sections) == 2


def test_salutation_or_position(ctx):
    from workshop.letters.services import addressee_of, build_letter
    workshop = factories.make_letter_workshop()
    agency = factories.make_organization("Chi cục Dân số - Kế hoạch hóa gia đình")
    by_position = factories.make_invitee(workshop, "Ông Văn Bảo", title="Chi cục trưởng",
                                         organization=agency)
    assert addressee_of(by_position) == "Chi cục trưởng Chi cục Dân số - Kế hoạch hóa gia đình"
    named = factories.make_invitee(workshop, "Ông Văn Bảo", title="Chi cục trưởng",
                                   organization=agency, salutation="Ông")
    letter = build_letter(named)
    assert letter.addressee == "Ông Ông Văn Bảo, Chi cục trưởng Chi cục Dân số - Kế hoạch hóa gia đình"
    assert "kính mời Ông tới dự" in letter.invitation_text
    untitled = factories.make_invitee(workshop, "Trịnh Văn Long",
                                      organization=factories.make_organization("Sở Văn hóa"))
    assert addressee_of(untitled) == "Trịnh Văn Long, Sở Văn hóa"
    placeholder = factories.make_invitee(workshop, "Lãnh đạo Sở Văn hóa",
                                         organization=untitled.organization)
    assert addressee_of(placeholder) == "Lãnh đạo Sở Văn hóa"
    assert position_at_agency("Trưởng ban", "Ban Dân tộc") == "Trưởng Ban Dân tộc"


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


def test_without_a_host_agency_or_signer_the_organizer_is_told(client_as, ctx):
    """A workshop made without its host agency or signer (both optional, e.g. through the API)
    would print a blank letterhead or signature block: the letters page says what is missing."""
    from workshop.extensions import db

    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop)
    client = client_as("organizer")
    url = f"/workshops/{workshop.code}/invitations/{invitation.id}/letter"
    assert "Chưa chọn cơ quan tổ chức hoặc người ký" not in client.get(url).get_data(as_text=True)
    workshop.signer_name = None
    db.session.commit()
    assert "Chưa chọn cơ quan tổ chức hoặc người ký" in client.get(url).get_data(as_text=True)
