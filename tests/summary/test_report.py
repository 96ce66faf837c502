"""The báo cáo kết quả hội thảo (Decree 30/2020/NĐ-CP form 1.4) as a văn thư reads it: numbers
that add up to the invitations and match the board and the API, the report's structure, number
and date, page numbers and headings kept with their text; and published versions that later
check-ins, questions and feedback never change."""
import io
import re

from docx import Document
from docx.oxml.ns import qn

from tests import factories
from tests.summary.test_summary_exports import docx_lines
from workshop.extensions import db
from workshop.feedback import services as feedback
from workshop.models import CheckIn, Question
from workshop.summary import services

SECTIONS = ("I. MỤC ĐÍCH, THÀNH PHẦN THAM DỰ", "II. NỘI DUNG CHÍNH", "III. KẾT QUẢ THẢO LUẬN",
            "IV. KIẾN NGHỊ, ĐỀ XUẤT", "V. KẾT LUẬN CỦA CHỦ TRÌ HỘI THẢO")
INVITATIONS = re.compile(
    r"đã gửi (\d+) giấy mời đến các cơ quan, đơn vị: (\d+) đại biểu xác nhận tham dự, (\d+) đại "
    r"biểu cử người dự thay, (\d+) đại biểu báo vắng, (\d+) đại biểu không phản hồi\.")
PRESENT = re.compile(
    r"Có mặt tại hội thảo (\d+) người: (\d+) trong số (\d+) đại biểu đã xác nhận tham dự hoặc được "
    r"cử dự thay \((\d+) đại biểu đã xác nhận nhưng vắng mặt\), (\d+) đại biểu được mời nhưng "
    r"không đăng ký trước và (\d+) người đến trực tiếp không có giấy mời\.")
AGENCIES = re.compile(r"(\d+)/(\d+) cơ quan, đơn vị được mời có đại biểu tham dự; (\d+) cơ quan")


def report_text(client, code: str, version: int | None = None) -> str:
    query = f"?version={version}" if version else ""
    response = client.get(f"/workshops/{code}/summary.docx{query}")
    assert response.status_code == 200
    return "\n".join(docx_lines(response.data))


def test_the_reports_numbers_add_up_and_match_the_board_and_the_api(ctx, client_as, api_headers):
    reviewed = factories.make_reviewed_workshop()
    code = reviewed.workshop.code
    text = report_text(client_as("chair"), code)
    invited, accepted, delegated, declined, unanswered = map(int, INVITATIONS.search(text).groups())
    assert invited == accepted + delegated + declined + unanswered == 4
    checked_in, present, expected, no_show, unannounced, walk_ins = map(
        int, PRESENT.search(text).groups())
    assert checked_in == present + unannounced + walk_ins
    assert no_show == expected - present

    api = client_as("chair").get(f"/api/v1/workshops/{code}/summary",
                                 headers=api_headers("chair")).json["attendance"]
    board = client_as("staff").get(f"/workshops/{code}/board.json").json
    for numbers in (api, board):
        assert (numbers["invited"], numbers["accepted"], numbers["delegated"], numbers["declined"],
                numbers["unanswered"]) == (invited, accepted, delegated, declined, unanswered)
        assert (numbers["checked_in"], numbers["present"], numbers["expected"],
                numbers["unannounced"], numbers["walk_ins"]) == (
                    checked_in, present, expected, unannounced, walk_ins)
    represented, agencies, absent = map(int, AGENCIES.search(text).groups())
    assert (represented, agencies, absent) == (2, 4, len(api["absent"]))
    assert represented + absent == agencies


def test_the_report_is_structured_as_a_report_to_the_province(ctx, client_as, users):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    first = workshop.sessions[0]
    first.presenter, first.title = "Chi cục trưởng Chi cục TĐC", "Báo cáo đánh giá 05 năm"
    users["chair"].title = "Phó Giám đốc Sở Khoa học và Công nghệ"
    first.chair_id = users["chair"].id
    db.session.commit()
    services.save_conclusions(workshop, "Duy trì hệ thống.", users["chair"],
                              proposals="Đề nghị UBND tỉnh bố trí kinh phí duy trì ISO.")
    lines = docx_lines(client_as("chair").get(f"/workshops/{workshop.code}/summary.docx").data)
    text = "\n".join(lines)
    positions = [lines.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    assert (f"Chủ trì hội thảo: đồng chí {users['chair'].name}, Phó Giám đốc Sở Khoa học và "
            "Công nghệ.") in lines
    assert ("Báo cáo đề dẫn: Báo cáo đánh giá 05 năm, do Chi cục trưởng Chi cục TĐC trình bày."
            in lines)
    assert "Ban Tổ chức nhận được 1 báo cáo tham luận của: UBND thị xã Phổ Yên." in lines
    discussion = lines[positions[2]:positions[3]]
    for theme in ("1. Kết quả đạt được", "2. Tồn tại, vướng mắc", "3. Bài học kinh nghiệm",
                  "4. Kiến nghị, đề xuất"):
        assert theme in discussion
    items = [line for line in discussion if line.startswith("- ") and " điểm (" not in line]
    assert items and not any(session.title in line for line in items
                             for session in workshop.sessions)
    assert lines[positions[3] + 1] == "Đề nghị UBND tỉnh bố trí kinh phí duy trì ISO."
    assert lines[positions[4] + 1] == "Duy trì hệ thống."
    assert lines.index("Phụ lục") > positions[4]
    assert "CÂU HỎI VÀ TRẢ LỜI TẠI HỘI THẢO" in lines
    assert "Không có câu hỏi." not in text  # both sessions had questions
    for recipient in ("- UBND tỉnh (b/c);", "- Lưu: VT."):
        assert recipient in lines


def test_no_question_is_said_once_not_per_session(ctx, client_as):
    workshop = factories.make_letter_workshop(sessions=3)
    lines = docx_lines(client_as("chair").get(f"/workshops/{workshop.code}/summary.docx").data)
    assert lines.count("Không có câu hỏi.") == 1
    assert not any(line.startswith("Phiên 1:") for line in lines)


def test_the_report_is_dated_at_the_end_of_the_workshop_and_carries_its_number(
        ctx, client_as, api_headers):
    from datetime import datetime

    from workshop.timeutil import LOCAL_TZ

    workshop = factories.make_letter_workshop(
        starts_at=datetime(2014, 8, 12, 8, 0, tzinfo=LOCAL_TZ),
        ends_at=datetime(2014, 8, 12, 11, 30, tzinfo=LOCAL_TZ), rsvp_deadline=None)
    lines = docx_lines(client_as("chair").get(f"/workshops/{workshop.code}/summary.docx").data)
    assert "Thái Nguyên, ngày 12 tháng 8 năm 2014" in lines  # never today, in 2026
    assert "Số: \u2002\u2002\u2002\u2002/BC-SKHCN" in lines  # a blank for the register's number

    path = f"/api/v1/workshops/{workshop.code}/summary/conclusions"
    answer = client_as("chair").put(path, headers=api_headers("chair"), json={
        "text": "Kết luận.", "report_number": "45/BC-SKHCN", "report_date": "2014-08-15"})
    assert answer.status_code == 200 and answer.json["version"] == 1
    lines = docx_lines(client_as("chair").get(f"/workshops/{workshop.code}/summary.docx").data)
    assert "Số: 45/BC-SKHCN" in lines
    assert "Thái Nguyên, ngày 15 tháng 8 năm 2014" in lines
    assert ("(Kèm theo Báo cáo số 45/BC-SKHCN ngày 15/8/2014 của Sở Khoa học và Công nghệ)"
            in lines)
    # Left out of the next save: the number and the date stay.
    answer = client_as("chair").put(path, headers=api_headers("chair"), json={"text": "Sửa."})
    assert answer.json["version"] == 2
    body = client_as("chair").get(f"/api/v1/workshops/{workshop.code}/summary",
                                  headers=api_headers("chair")).json
    assert (body["report_number"], body["report_date"], body["conclusions"]) == (
        "45/BC-SKHCN", "2014-08-15", "Sửa.")


def test_conclusions_api_refuses_bad_input_and_non_chairs(ctx, client, api_headers):
    workshop = factories.make_letter_workshop()
    path = f"/api/v1/workshops/{workshop.code}/summary/conclusions"
    too_long = client.put(path, headers=api_headers("chair"),
                          json={"text": "Kết luận", "report_number": "4" * 41})
    assert too_long.status_code == 422
    bad_date = client.put(path, headers=api_headers("chair"),
                          json={"text": "Kết luận", "report_date": "15/08/2014x"})
    assert bad_date.status_code == 422
    assert client.put(path, headers=api_headers("staff"), json={"text": "x"}).status_code == 403
    publish = client.post(f"/api/v1/workshops/{workshop.code}/summary/publish",
                          headers=api_headers("chair"))
    assert publish.status_code == 422  # no conclusions yet
    assert services.versions(workshop) == []


def test_docx_headings_stay_with_their_text_and_pages_are_numbered(ctx, client_as):
    reviewed = factories.make_reviewed_workshop()
    data = client_as("chair").get(f"/workshops/{reviewed.workshop.code}/summary.docx").data
    document = Document(io.BytesIO(data))
    names = (*SECTIONS, "1. Mục đích", "2. Thời gian, địa điểm", "3. Thành phần tham dự",
             "1. Kết quả đạt được", "2. Tồn tại, vướng mắc", "3. Bài học kinh nghiệm",
             "4. Kiến nghị, đề xuất", "Phụ lục", "CÂU HỎI VÀ TRẢ LỜI TẠI HỘI THẢO")
    headings = [paragraph for paragraph in document.paragraphs
                if paragraph.text in names or paragraph.text.startswith("Phiên ")]
    assert len(headings) == len(names) + 2  # and the appendix's two sessions
    leads = [paragraph for paragraph in document.paragraphs if paragraph.text.endswith(":")]
    assert len(leads) >= 3  # the agenda, the ratings, the themes: kept with what they announce
    headings += leads
    assert all(paragraph.paragraph_format.keep_with_next for paragraph in headings)
    section = document.sections[0]
    assert section.different_first_page_header_footer  # no number on page 1 (Decree 30)
    codes = [code.text.strip() for code in section.header._element.iter(qn("w:instrText"))]
    assert codes == ["PAGE"]


def test_a_published_version_never_changes(ctx, client_as, api_headers, users):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    chair, headers = client_as("chair"), api_headers("chair")
    path = f"/api/v1/workshops/{workshop.code}/summary"
    chair.put(f"{path}/conclusions", headers=headers, json={"text": "Kết luận của chủ trì."})
    published = chair.post(f"{path}/publish", headers=headers)
    assert published.status_code == 200
    number = published.json["version"]
    frozen = chair.get(f"{path}?version={number}", headers=headers).json
    frozen_docx = report_text(chair, workshop.code, number)
    assert frozen["status"] == "final" and frozen["attendance"]["checked_in"] == 3

    # Later: the silent invitee turns up, asks and gives feedback.
    db.session.add(CheckIn(invitation_id=reviewed.silent.id, workshop_id=workshop.id))
    db.session.add(Question(workshop_id=workshop.id, session_id=workshop.sessions[0].id,
                            text="Câu hỏi đến sau khi công bố", invitation_id=reviewed.silent.id))
    db.session.commit()
    feedback.add_feedback(workshop, reviewed.silent, "lesson", "Bài học gửi sau khi công bố")

    again = chair.get(f"{path}?version={number}", headers=headers).json
    assert again == frozen
    assert report_text(chair, workshop.code, number) == frozen_docx
    assert "Câu hỏi đến sau khi công bố" not in frozen_docx
    live = chair.get(path, headers=headers).json
    assert live["attendance"]["checked_in"] == 4
    assert "Bài học gửi sau khi công bố" in [item["text"] for item in live["feedback"]["lesson"]]
    assert services.published_summary(workshop).attendance["checked_in"] == 3
    # Publishing again freezes the record as it now stands, as a new version.
    newer = chair.post(f"{path}/publish", headers=headers).json["version"]
    assert newer == number + 1
    assert chair.get(f"{path}?version={newer}", headers=headers).json["attendance"][
        "checked_in"] == 4
    assert chair.post(f"{path}/publish", headers=headers).json["version"] == newer  # nothing new
    assert chair.get(f"{path}?version=1", headers=headers).status_code == 404  # a draft
    assert chair.get(f"{path}?version=99", headers=headers).status_code == 404
    assert chair.get(f"/workshops/{workshop.code}/summary.docx?version=1").status_code == 404


def test_a_version_that_is_no_number_is_not_found(ctx, client_as):
    workshop = factories.make_letter_workshop()
    chair = client_as("chair")
    for version in ("abc", "99999999999999999999", "-1"):
        assert chair.get(f"/workshops/{workshop.code}/summary.docx?version={version}"
                         ).status_code == 404
        assert chair.get(f"/workshops/{workshop.code}/summary/print?version={version}"
                         ).status_code == 404


def test_the_page_publishes_again_after_new_data(ctx, client_as, users):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    services.save_conclusions(workshop, "Kết luận.", users["chair"], final=True)
    chair = client_as("chair")
    page = chair.get(f"/workshops/{workshop.code}/summary").text
    assert "Công bố lại với số liệu mới nhất" in page
    url = f"/workshops/{workshop.code}/summary/publish"
    chair.post(url)
    assert [version.version for version in services.versions(workshop)] == [1]  # nothing new
    db.session.add(CheckIn(invitation_id=reviewed.silent.id, workshop_id=workshop.id))
    db.session.commit()
    chair.post(url)
    newest, first = services.versions(workshop)
    assert (newest.version, newest.snapshot["summary"]["attendance"]["checked_in"]) == (2, 4)
    assert first.snapshot["summary"]["attendance"]["checked_in"] == 3
