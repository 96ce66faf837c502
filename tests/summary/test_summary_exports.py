"""The summary's exports: the official report as DOCX (opened with python-docx), the workbook
(opened with openpyxl) and the printable page."""
import io
import re

from docx import Document
from openpyxl import load_workbook

from tests import factories
from workshop.feedback import services as feedback
from workshop.summary import services

SECTIONS = ("I. MỤC ĐÍCH, THÀNH PHẦN THAM DỰ", "II. NỘI DUNG CHÍNH", "III. KẾT QUẢ THẢO LUẬN",
            "IV. KIẾN NGHỊ, ĐỀ XUẤT", "V. KẾT LUẬN CỦA CHỦ TRÌ HỘI THẢO")


def docx_lines(data: bytes) -> list[str]:
    """Every paragraph of the document, the header and footer tables' cells included."""
    document = Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for cell in table._cells:
            lines += [paragraph.text for paragraph in cell.paragraphs]
    return lines


def test_docx_is_an_official_report(ctx, client_as, users):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    services.save_conclusions(workshop, "Các cơ quan tiếp tục duy trì hệ thống.\nSở KH&CN theo dõi.",
                              users["chair"], final=True)
    response = client_as("chair").get(f"/workshops/{workshop.code}/summary.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    lines = docx_lines(response.data)
    text = "\n".join(lines)

    for header in ("UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
                   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
        assert header in lines
    assert any(line.startswith("Số: ") and line.endswith("/BC-SKHCN") for line in lines)
    assert any(line.startswith("Thái Nguyên, ngày ") for line in lines)
    assert "BÁO CÁO" in lines
    assert f"Kết quả {workshop.title}" in lines
    positions = [lines.index(section) for section in SECTIONS]
    assert positions == sorted(positions)  # every section, in order
    assert "DỰ THẢO" not in lines  # final

    assert "Có mặt tại hội thảo 3 người" in text
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in text  # the agency not represented
    lesson = "Người đứng đầu phải trực tiếp chỉ đạo việc áp dụng ISO."
    lessons_at = lines.index("3. Bài học kinh nghiệm")
    assert any(lesson in line for line in lines[lessons_at:lines.index("4. Kiến nghị, đề xuất")])
    assert "Phải gắn ISO với cải cách hành chính của huyện." in text  # from a contribution
    assert "Các cơ quan tiếp tục duy trì hệ thống." in lines[lines.index(SECTIONS[-1]):]
    assert reviewed.answered.text in text and reviewed.answered.answer in text
    assert reviewed.hidden.text not in text
    assert "Nơi nhận:" in lines and "- UBND tỉnh (b/c);" in lines and "- Lưu: VT." in lines
    for signer in ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Phúc"):
        assert signer in lines


def test_a_draft_report_says_so(ctx, client_as, users):
    workshop = factories.make_letter_workshop()
    services.save_conclusions(workshop, "Bản nháp", users["chair"])
    lines = docx_lines(client_as("chair").get(f"/workshops/{workshop.code}/summary.docx").data)
    assert "DỰ THẢO" in lines
    assert "Không có ý kiến." in lines  # nothing was said: the section says so, it is not left out


def test_xlsx_has_attendance_questions_and_feedback(ctx, client_as):
    reviewed = factories.make_reviewed_workshop()
    response = client_as("organizer").get(f"/workshops/{reviewed.workshop.code}/summary.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Điểm danh", "Câu hỏi", "Góp ý"]
    for sheet in workbook:
        assert all(cell.font.bold for cell in sheet[2])  # the header, under the title row

    attendance = list(workbook["Điểm danh"].iter_rows(min_row=3, values_only=True))
    by_name = {row[3]: row for row in attendance}
    assert set(by_name) == {"Nguyễn Văn An", "Lê Văn Cường", "Hoàng Văn Dũng", "Phạm Thị Hà",
                            "Đỗ Văn Khách"}
    assert by_name["Lê Văn Cường"][5:8] == ("Cử người dự thay", "Trần Thị Bình", "Có mặt")
    assert by_name["Hoàng Văn Dũng"][5] == "Không tham dự" and by_name["Hoàng Văn Dũng"][7] == "Vắng"
    assert by_name["Đỗ Văn Khách"][5] == "Đến trực tiếp"

    questions = list(workbook["Câu hỏi"].iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in questions] == [reviewed.answered.text, reviewed.pending_answer.text,
                                             reviewed.anonymous.text]
    assert questions[0][4] == 7 and questions[0][6] == reviewed.answered.answer
    assert questions[2][2:4] == (None, None)  # anonymous

    feedback = list(workbook["Góp ý"].iter_rows(min_row=3, values_only=True))
    assert len(feedback) == 7  # five feedback items and the two parts of one contribution
    assert [row[0] for row in feedback].count("Bài học kinh nghiệm") == 3
    assert ("Kết quả đạt được", "Phổ Yên đã áp dụng ISO tại 12 phòng chuyên môn.", "UBND thị xã Phổ Yên") in [
        row[:3] for row in feedback]


def test_printable_page_is_the_same_report(ctx, client_as):
    reviewed = factories.make_reviewed_workshop()
    page = client_as("chair").get(f"/workshops/{reviewed.workshop.code}/summary/print")
    assert page.status_code == 200
    assert re.search(r"/static/css/report\.[0-9a-f]{12}\.css", page.text) and "data-print" in page.text
    for text in ("BÁO CÁO", "Nơi nhận:", "Nguyễn Hữu Phúc", "/BC-SKHCN", "DỰ THẢO", *SECTIONS,
                 reviewed.answered.answer):
        assert text in page.text
    assert reviewed.hidden.text not in page.text
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text


def test_text_pasted_from_word_with_control_characters_still_exports(ctx, client_as):
    workshop = factories.make_letter_workshop()
    invitation = factories.make_invitee(workshop)
    feedback.add_feedback(workshop, invitation, "lesson", "Dòng một\x0bdòng hai\nDòng ba")
    chair = client_as("chair")
    lines = docx_lines(chair.get(f"/workshops/{workshop.code}/summary.docx").data)
    assert any("Dòng mộtdòng hai\nDòng ba" in line for line in lines)
    workbook = load_workbook(io.BytesIO(chair.get(f"/workshops/{workshop.code}/summary.xlsx").data))
    assert workbook["Góp ý"]["B3"].value == "Dòng mộtdòng hai\nDòng ba"
