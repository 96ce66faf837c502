"""The biên bản hội thảo (form 1.9) and the thông báo kết luận (form 1.4):
their DOCX text on the demo record, editing and finalizing, and bad input that changes nothing."""
from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document as WordDocument
from docx.shared import Mm
from sqlalchemy import func, select

from tests import factories
from workshop.demo.services import DEMO_CODE
from workshop.events.services import get_workshop
from workshop.extensions import db
from workshop.minutes import services
from workshop.models import ConclusionItem, ConclusionNotice, Minutes, Organization, Question


def docx_parts(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The body's paragraphs in order, and each table's cells' text."""
    document = WordDocument(io.BytesIO(data))
    section = document.sections[0]
    for value, expected in ((section.page_width, 210), (section.page_height, 297),
                            (section.left_margin, 30), (section.right_margin, 15)):
        assert abs(value - Mm(expected)) < Mm(0.1)  # A4, Decree 30 margins (in whole twips)
    paragraphs = [paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()]
    tables = [[cell.text for cell in table.rows[0].cells] for table in document.tables]
    return paragraphs, tables


@pytest.fixture
def demo(runner, ctx):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return get_workshop(DEMO_CODE)


def test_minutes_docx_of_the_demo_record(demo):
    paragraphs, tables = docx_parts(services.minutes_docx(demo))
    text = "\n".join(paragraphs)
    head, signatures = tables[0], tables[-1]
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in head[0] and "Số:" in head[0] and "/BB-SKHCN" in head[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head[1]
    assert paragraphs[0] == "DỰ THẢO" and paragraphs[1] == "BIÊN BẢN"  # not final yet
    assert "Thời gian bắt đầu: 08 giờ 00, ngày 12 tháng 8 năm 2014." in paragraphs
    assert "Địa điểm: Hội trường Sở Khoa học và Công nghệ tỉnh Thái Nguyên" in paragraphs
    assert ("- Chủ trì (chủ tọa): Nguyễn Hữu Phúc, Phó Giám đốc Sở Khoa học và Công nghệ"
            in paragraphs)
    # Present and absent agencies: 35 invited, 6 without anyone, each with its reason.
    assert "đại diện 29/35 cơ quan, đơn vị được mời" in text
    assert "(trong đó 1 đại biểu đến trực tiếp, không có giấy mời)" in text
    assert "Sở Tư pháp" in text and "UBND huyện Võ Nhai" in text  # present (Võ Nhai: a walk-in)
    assert "Vắng mặt: 6 cơ quan, đơn vị:" in paragraphs
    for line in ("- Sở Giáo dục và Đào tạo (có báo vắng);",
                 "- Thanh tra tỉnh (không phản hồi giấy mời);",
                 "- Sở Công Thương (đã xác nhận tham dự nhưng không có mặt);"):
        assert line in paragraphs
    # The proceedings in agenda order, the questions in the order asked, each with its answer.
    headings = [index for index, line in enumerate(paragraphs)
                if line[:2] in {f"{n}." for n in range(1, 6)} and "giờ" in line]
    assert len(headings) == 5 and paragraphs[headings[0]].startswith("1. Khai mạc hội thảo")
    questions = db.session.scalars(select(Question).where(
        Question.workshop_id == demo.id, Question.status == "visible").order_by(Question.created_at))
    places = []
    for question in questions:
        line = next(index for index, line in enumerate(paragraphs)
                    if line.startswith("- Đại biểu") and " ".join(question.text.split()) in line)
        places.append(line)
        answer = paragraphs[line + 1]
        if question.answer:
            assert answer == f"+ {question.answered_by} trả lời: {' '.join(question.answer.split())}"
        else:
            assert answer == "+ Ý kiến chưa được trả lời tại hội thảo."
    assert len(places) == 9 and places == sorted(places)
    assert headings[3] < places[0] and places[-1] < headings[4]
    assert "- Đại biểu Trần Quốc Hưng (UBND huyện Phổ Yên) nêu ý kiến:" in paragraphs[places[0]]
    # The chair's conclusions (the summary's), the closing line and both signature blocks.
    assert "Kết luận của chủ tọa:" in paragraphs
    assert any(line.startswith("4. Giao Chi cục Tiêu chuẩn Đo lường Chất lượng") for line in paragraphs)
    assert "Hội thảo kết thúc vào hồi 11 giờ 30 cùng ngày." in paragraphs
    assert any(line.startswith("Biên bản được lập thành 02 bản") for line in paragraphs)
    assert signatures[0].split("\n")[0] == "THƯ KÝ"
    assert signatures[1].split("\n")[0] == "CHỦ TỌA" and "Nguyễn Hữu Phúc" in signatures[1]
    properties = WordDocument(io.BytesIO(services.minutes_docx(demo))).core_properties
    assert properties.author == "Sở Khoa học và Công nghệ" and properties.created.year >= 2026


def test_conclusions_docx_of_the_demo_record(demo):
    paragraphs, tables = docx_parts(services.conclusions_docx(demo))
    head, (recipients, signer) = tables[0], tables[-1]
    assert "/TB-SKHCN" in head[0] and "Thái Nguyên, ngày 12 tháng 8 năm 2014" in head[1]
    assert paragraphs[0] == "THÔNG BÁO"
    assert paragraphs[1].startswith("Kết luận của đồng chí Nguyễn Hữu Phúc, Phó Giám đốc Sở Khoa học "
                                    "và Công nghệ tại Hội thảo đánh giá 05 năm")
    numbered = [line for line in paragraphs if line[:3] in ("1. ", "2. ", "3. ", "4. ")]
    assert [line[:2] for line in numbered] == ["1.", "2.", "3.", "4."]
    acting = paragraphs.index(numbered[3]) + 1
    assert paragraphs[acting] == ("(Cơ quan thực hiện: Chi cục Tiêu chuẩn Đo lường Chất lượng; thời "
                                  "hạn hoàn thành: trước ngày 29/08/2014.)")
    assert paragraphs[-1] == "Sở Khoa học và Công nghệ thông báo để các cơ quan, đơn vị biết, thực hiện./."
    # the agency the items name, then those of the follow-up tasks (in directory order)
    assert recipients.split("\n") == ["Nơi nhận:", "- Chi cục Tiêu chuẩn Đo lường Chất lượng;",
                                      "- Sở Nội vụ;", "- UBND huyện Đại Từ;",
                                      "- UBND huyện Phú Bình;", "- Lưu: VT."]
    assert signer.split("\n")[0] == "KT. GIÁM ĐỐC" and signer.split("\n")[-1] == "Nguyễn Hữu Phúc"
    items = services.conclusion_items(demo)
    assert [(item.organization.code if item.organization else None, item.due_on) for item in items] \
        == [(None, None)] * 3 + [("CC-TDC", date(2014, 8, 29))]


def test_a_new_workshop_has_both_documents(ctx):
    workshop = factories.make_workshop()
    minutes, _tables = docx_parts(services.minutes_docx(workshop))
    assert "BIÊN BẢN" in minutes and "Hội thảo kết thúc vào hồi 11 giờ 30 cùng ngày." in minutes
    notice, _tables = docx_parts(services.conclusions_docx(workshop))
    assert "(Chưa có nội dung kết luận.)" in notice


MINUTES_FORM = {"chair_name": "Nguyễn Hữu Phúc", "chair_title": "Phó Giám đốc Sở",
                "started": "08 giờ 00, ngày 12 tháng 8 năm 2014.", "place": "Hội trường tầng 3",
                "participants": "- Đại diện 20 cơ quan, đơn vị.",
                "proceedings": "1. Khai mạc hội thảo\n- Đại biểu A nêu ý kiến: ...",
                "conclusions": "Chủ tọa kết luận: giữ nguyên lộ trình.",
                "closing": "Hội thảo kết thúc vào hồi 11 giờ 30 cùng ngày."}


def test_the_organizer_edits_then_finalizes_the_minutes(ctx, client_as):
    workshop = factories.make_workshop()
    organizer = client_as("organizer")
    page = organizer.get(f"/workshops/{workshop.code}/minutes")
    assert page.status_code == 200 and "Dự thảo lập từ dữ liệu hội thảo" in page.get_data(as_text=True)
    url = f"/workshops/{workshop.code}/minutes"

    saved = organizer.post(url, data={**MINUTES_FORM, "revision": "0", "save": "1"})
    assert saved.status_code == 302
    minutes = services.minutes_of(workshop)
    assert (minutes.status, minutes.revision, minutes.conclusions) == (
        "draft", 1, "Chủ tọa kết luận: giữ nguyên lộ trình.")
    paragraphs, _tables = docx_parts(services.minutes_docx(workshop))
    assert paragraphs[0] == "DỰ THẢO" and "Chủ tọa kết luận: giữ nguyên lộ trình." in paragraphs

    # Final without a secretary: refused, nothing changes.
    refused = organizer.post(url, data={**MINUTES_FORM, "revision": "1", "finish": "1"})
    assert refused.status_code == 422
    assert "Vui lòng ghi họ tên thư ký trước khi hoàn thành biên bản." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (services.minutes_of(workshop).status, services.minutes_of(workshop).revision) == ("draft", 1)

    # A save from a page opened before the last one: refused, the typed text stays on the page.
    stale = organizer.post(url, data={**MINUTES_FORM, "conclusions": "Bản cũ", "revision": "0"})
    assert stale.status_code == 409 and "Bản cũ" in stale.get_data(as_text=True)

    final = organizer.post(url, data={**MINUTES_FORM, "secretary_name": "Lê Thu Hà",
                                      "secretary_title": "Chuyên viên Văn phòng Sở",
                                      "revision": "1", "finish": "1"})
    assert final.status_code == 302
    db.session.expire_all()
    minutes = services.minutes_of(workshop)
    assert minutes.status == "final" and minutes.finalized_at is not None
    paragraphs, tables = docx_parts(services.minutes_docx(workshop))
    assert "DỰ THẢO" not in paragraphs and paragraphs[0] == "BIÊN BẢN"
    assert "- Thư ký (người ghi biên bản): Lê Thu Hà, Chuyên viên Văn phòng Sở" in paragraphs
    assert tables[-1][0].split("\n")[-1] == "Lê Thu Hà"

    # Final: it no longer changes, neither by a save nor by a new draft from the record.
    again = organizer.post(url, data={**MINUTES_FORM, "conclusions": "Sửa sau", "revision": "2"})
    assert again.status_code == 409
    assert "Biên bản đã hoàn thành, không thể sửa." in again.get_data(as_text=True)
    organizer.post(f"{url}/redraft", data={"revision": "2"})
    db.session.expire_all()
    assert services.minutes_of(workshop).conclusions == "Chủ tọa kết luận: giữ nguyên lộ trình."
    page = organizer.get(url).get_data(as_text=True)
    assert "không còn thay đổi" in page and 'name="finish"' not in page


def test_a_new_draft_from_the_record_keeps_the_names(ctx, client_as):
    workshop = factories.make_workshop()
    organizer = client_as("organizer")
    url = f"/workshops/{workshop.code}/minutes"
    organizer.post(url, data={**MINUTES_FORM, "secretary_name": "Lê Thu Hà", "number": "15",
                              "revision": "0"})
    assert organizer.post(f"{url}/redraft", data={"revision": "1"}).status_code == 302
    db.session.expire_all()
    minutes = services.minutes_of(workshop)
    assert (minutes.secretary_name, minutes.number, minutes.revision) == ("Lê Thu Hà", "15", 2)
    assert minutes.proceedings.startswith("Hội thảo diễn ra theo chương trình như sau:\n1. Phiên 1")
    assert "Số: 15/BB" in docx_parts(services.minutes_docx(workshop))[1][0][0]


@pytest.mark.parametrize(("change", "message"), [
    ({"chair_name": "  "}, "Vui lòng nhập trường này."),
    ({"place": ""}, "Vui lòng nhập trường này."),
    ({"secretary_name": "Lê\x07Hà"}, "ký tự"),
    ({"number": "1" * 41}, "Tối đa 40 ký tự."),
])
def test_bad_minutes_input_changes_nothing(ctx, client_as, change, message):
    workshop = factories.make_workshop()
    response = client_as("organizer").post(f"/workshops/{workshop.code}/minutes",
                                           data={**MINUTES_FORM, **change, "revision": "0"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Minutes.id))) == 0


def test_the_chair_reads_the_minutes_and_cannot_change_them(ctx, client_as):
    workshop = factories.make_workshop()
    chair = client_as("chair")
    page = chair.get(f"/workshops/{workshop.code}/minutes").get_data(as_text=True)
    assert "Chỉ Ban tổ chức được sửa biên bản" in page and 'name="save"' not in page
    assert chair.post(f"/workshops/{workshop.code}/minutes",
                      data={**MINUTES_FORM, "revision": "0"}).status_code == 403
    assert chair.get(f"/workshops/{workshop.code}/minutes.docx").status_code == 200


def _items(workshop) -> list[tuple]:
    db.session.expire_all()
    return [(item.position, item.text, item.organization_id, item.due_on)
            for item in services.conclusion_items(workshop)]


def test_conclusion_items_are_added_edited_reordered_and_deleted(ctx, client_as):
    workshop = factories.make_workshop(letter_code="SKHCN")
    agency = factories.make_organization("Sở Nội vụ")
    other = factories.make_organization("Sở Tài chính")
    chair = client_as("chair")  # the chair edits the items too
    url = f"/workshops/{workshop.code}/conclusions"
    assert chair.get(url).status_code == 200
    added = chair.post(url, data={
        "opening": "Chủ trì hội thảo kết luận như sau:", "revision": "0", "number": "20",
        "items-0-text": "Đánh giá cao kết quả 05 năm.",
        "items-1-text": "Giao Sở Nội vụ rà soát quy trình.", "items-1-organization_id": str(agency.id),
        "items-1-due_on": "2030-09-30",
        "items-2-text": "", "items-2-organization_id": ""})  # a blank row is no item
    assert added.status_code == 302
    assert _items(workshop) == [(1, "Đánh giá cao kết quả 05 năm.", None, None),
                                (2, "Giao Sở Nội vụ rà soát quy trình.", agency.id, date(2030, 9, 30))]
    first, second = services.conclusion_items(workshop)

    # Edit the second, move it first (by its "Thứ tự"), add a third, then delete the first.
    edited = chair.post(url, data={
        "opening": "Chủ trì hội thảo kết luận như sau:", "revision": "1",
        "items-0-id": str(first.id), "items-0-position": "2", "items-0-text": first.text,
        "items-1-id": str(second.id), "items-1-position": "1",
        "items-1-text": "Giao Sở Tài chính bố trí kinh phí.", "items-1-organization_id": str(other.id),
        "items-1-due_on": "15/10/2030",
        "items-2-text": "Giao Sở Nội vụ hướng dẫn.", "items-2-organization_id": str(agency.id)})
    assert edited.status_code == 302
    assert _items(workshop) == [(1, "Giao Sở Tài chính bố trí kinh phí.", other.id, date(2030, 10, 15)),
                                (2, "Đánh giá cao kết quả 05 năm.", None, None),
                                (3, "Giao Sở Nội vụ hướng dẫn.", agency.id, None)]
    assert services.conclusion_items(workshop)[0].id == second.id  # the same item, kept

    deleted = chair.post(url, data={
        "opening": "Chủ trì hội thảo kết luận như sau:", "revision": "2", "number": "20",
        "items-0-id": str(second.id), "items-0-text": "Giao Sở Tài chính bố trí kinh phí.",
        "items-0-organization_id": str(other.id), "items-0-due_on": "2030-10-15",
        "items-1-id": str(first.id), "items-1-text": first.text, "items-1-delete": "y",
        "items-2-id": str(services.conclusion_items(workshop)[2].id),
        "items-2-text": "Giao Sở Nội vụ hướng dẫn.", "items-2-organization_id": str(agency.id)})
    assert deleted.status_code == 302
    assert [row[1] for row in _items(workshop)] == ["Giao Sở Tài chính bố trí kinh phí.",
                                                    "Giao Sở Nội vụ hướng dẫn."]
    assert db.session.get(ConclusionItem, first.id) is None

    paragraphs, tables = docx_parts(services.conclusions_docx(workshop))
    assert "Số: 20/TB-SKHCN" in tables[0][0]
    assert tables[-1][0].split("\n")[1:3] == ["- Sở Tài chính;", "- Sở Nội vụ;"]  # Nơi nhận
    assert ("(Cơ quan thực hiện: Sở Tài chính; thời hạn hoàn thành: trước ngày 15/10/2030.)"
            in paragraphs)
    assert "(Cơ quan thực hiện: Sở Nội vụ.)" in paragraphs


@pytest.mark.parametrize(("row", "message"), [
    ({"items-0-text": "Giao rà soát.", "items-0-due_on": "2030-09-30"},
     "Mục có thời hạn cần ghi cơ quan thực hiện."),
    ({"items-0-text": "Giao rà soát.", "items-0-organization_id": "999999"}, "Cơ quan không hợp lệ."),
    ({"items-0-text": "Giao rà soát.", "items-0-organization_id": "abc"}, "Cơ quan không hợp lệ."),
    ({"items-0-text": "Giao rà soát.", "items-0-due_on": "31/02/2030"}, "Ngày không hợp lệ"),
    ({"items-0-text": "Giao rà soát.", "items-0-due_on": "1899-01-01"}, "Ngày không hợp lệ"),
    ({"items-0-text": "", "items-0-organization_id": "{agency}"}, "Vui lòng nhập nội dung kết luận."),
    ({"items-0-text": "Giao\x00 rà soát."}, "không hợp lệ"),
    ({"items-0-text": "Giao rà soát.", "items-0-position": "0"}, "Số phải từ 1 đến 1000."),
    ({"items-0-text": "Giao rà soát.", "items-0-id": "999999"}, "Mục kết luận không còn tồn tại"),
    ({"items-0-text": "Giao rà soát.", "opening": " "}, "Vui lòng nhập trường này."),
])
def test_bad_conclusion_items_change_nothing(ctx, client_as, row, message):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Nội vụ")
    url = f"/workshops/{workshop.code}/conclusions"
    chair = client_as("chair")
    assert chair.post(url, data={"opening": "Kết luận như sau:", "revision": "0",
                                 "items-0-text": "Mục đã có."}).status_code == 302
    before = _items(workshop)
    data = {"opening": "Kết luận như sau:", "revision": "1",
            **{name: value.replace("{agency}", str(agency.id)) for name, value in row.items()}}
    response = chair.post(url, data=data)
    assert response.status_code in (400, 422), response.status_code
    if response.status_code == 422:
        assert message in response.get_data(as_text=True)
    assert _items(workshop) == before
    assert db.session.scalar(select(ConclusionNotice.revision)) == 1


def test_a_stale_notice_is_not_saved(ctx, client_as):
    workshop = factories.make_workshop()
    chair = client_as("chair")
    url = f"/workshops/{workshop.code}/conclusions"
    chair.post(url, data={"opening": "Kết luận:", "revision": "0", "items-0-text": "Một."})
    response = chair.post(url, data={"opening": "Kết luận:", "revision": "0", "items-0-text": "Hai."})
    assert response.status_code == 409 and "vừa được người khác lưu" in response.get_data(as_text=True)
    assert [row[1] for row in _items(workshop)] == ["Một."]


def test_print_pages_carry_their_own_style(ctx, client_as):
    workshop = factories.make_workshop()
    for path in ("minutes/print", "conclusions/print"):
        response = client_as("chair").get(f"/workshops/{workshop.code}/{path}")
        assert response.status_code == 200
        assert "style-src 'self' 'sha256-" in response.headers["Content-Security-Policy"]
        page = response.get_data(as_text=True)
        assert "@page { size: A4; margin: 20mm 15mm 20mm 30mm;" in page
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page


def test_the_dashboard_links_both_documents(ctx, client_as):
    workshop = factories.make_workshop()
    page = client_as("chair").get(f"/workshops/{workshop.code}/").get_data(as_text=True)
    assert f"/workshops/{workshop.code}/minutes" in page and f"/workshops/{workshop.code}/conclusions" in page
    assert Organization  # the directory model is what the items name


def test_a_refused_save_is_shown_one_way_on_every_document_page(app):
    """The biên bản, the thông báo and the summary show a refusal with one helper: under the
    field it names, else as a message; the newer revision put back in the form; 409 for a
    stale or final document, 422 for a bad value."""
    from flask import get_flashed_messages

    from workshop.minutes.forms import MinutesForm
    from workshop.refusals import show_refusal

    with app.test_request_context(method="POST"):
        form = MinutesForm(formdata=None, data={"revision": "1"})
        status = show_refusal(form, services.DocumentError("Quá dài.", field="place"),
                              revision_field="revision", revision=4)
        assert (status, form.place.errors, form.revision.data) == (422, ["Quá dài."], "4")
        stale = services.DocumentError("Bản cũ.", code="conflict")
        assert show_refusal(form, stale, revision_field="revision", revision=5) == 409
        final = services.DocumentError("Đã hoàn thành.", code="final")
        assert show_refusal(form, final, revision_field="revision", revision=5) == 409
        assert get_flashed_messages() == ["Bản cũ.", "Đã hoàn thành."]
