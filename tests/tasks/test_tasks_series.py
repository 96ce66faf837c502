"""A series: the 2015 edition follows the 2014 one and opens with its tasks and their states;
lessons and recommendations raised again are marked."""
from datetime import date, timedelta

import pytest

from tests import factories
from workshop.extensions import db
from workshop.models import Feedback
from workshop.tasks import services
from workshop.tasks.series import raised_again, repeats

LATER = date.today() + timedelta(days=20)


@pytest.fixture
def editions(ctx):
    earlier = factories.make_workshop(code="iso-2014")
    later = factories.make_workshop(code="iso-2015", previous_code="iso-2014")
    agency = factories.make_organization("Sở Nội vụ")
    open_task, _ = services.create_task(earlier, "Rà soát quy trình.", agency.id, LATER)
    done, _ = services.create_task(earlier, "Công bố hệ thống.", agency.id, LATER)
    services.add_report(done, "Đã công bố.", done=True)
    late, _ = services.create_task(earlier, "Đào tạo chuyên gia.", agency.id, LATER)
    late.due_on = date.today() - timedelta(days=1)
    db.session.add_all([
        Feedback(workshop_id=earlier.id, category="recommendation",
                 text="Đề nghị bố trí kinh phí duy trì ISO hằng năm cho các cơ quan."),
        Feedback(workshop_id=earlier.id, category="lesson",
                 text="Lãnh đạo phải trực tiếp chỉ đạo việc áp dụng ISO."),
        Feedback(workshop_id=later.id, category="recommendation",
                 text="De nghi bo tri kinh phi duy tri ISO hang nam"),
        Feedback(workshop_id=later.id, category="recommendation",
                 text="Cần ứng dụng công nghệ thông tin vào hệ thống quản lý chất lượng."),
    ])
    db.session.commit()
    return earlier, later


def test_the_summary_carries_the_previous_editions_tasks_by_state(client, api_headers, editions):
    answer = client.get("/api/v1/workshops/iso-2015/summary", headers=api_headers("chair")).get_json()
    assert answer["previous"]["code"] == "iso-2014"
    assert answer["previous"]["tasks"] == {"open": 1, "reported": 0, "done": 1, "overdue": 1}
    first = client.get("/api/v1/workshops/iso-2014/summary", headers=api_headers("chair")).get_json()
    assert first["previous"] is None


def test_recommendations_raised_again_are_marked_by_folded_similarity(editions):
    _, later = editions
    found = repeats(later)
    assert [(r.category, r.text) for r in found] == [
        ("recommendation", "De nghi bo tri kinh phi duy tri ISO hang nam")]
    assert found[0].earlier.startswith("Đề nghị bố trí kinh phí")
    assert not raised_again("Lãnh đạo phải trực tiếp chỉ đạo việc áp dụng ISO.",
                            "Cần ứng dụng công nghệ thông tin vào hệ thống quản lý chất lượng.")


def test_dashboard_and_summary_page_open_with_the_previous_edition(client_as, editions):
    chair = client_as("chair")
    dashboard = chair.get("/workshops/iso-2015/").get_data(as_text=True)
    assert "Kết quả thực hiện kết luận kỳ trước" in dashboard
    assert "Rà soát quy trình." in dashboard and "Quá hạn" in dashboard
    page = chair.get("/workshops/iso-2015/summary").get_data(as_text=True)
    assert page.index("Kết quả thực hiện kết luận kỳ trước") < page.index("Thông tin hội thảo")
    assert "Đã nêu tại kỳ trước" in page
    assert "Kết quả thực hiện kết luận kỳ trước" not in chair.get("/workshops/iso-2014/").get_data(
        as_text=True)


def test_the_report_opens_with_the_previous_editions_tasks_and_marks_repeats(client_as, editions):
    import io

    from docx import Document as Docx

    chair = client_as("chair")
    response = chair.get("/workshops/iso-2015/documents/report.docx")
    assert response.status_code == 200
    text = [p.text for p in Docx(io.BytesIO(response.data)).paragraphs]
    headings = [line for line in text if line[:3] in ("I. ", "II.", "III", "IV.", "V. ", "VI.")]
    assert headings[:2] == ["I. KẾT QUẢ THỰC HIỆN KẾT LUẬN KỲ TRƯỚC",
                            "II. MỤC ĐÍCH, THÀNH PHẦN THAM DỰ"]
    assert headings[-1] == "VI. KẾT LUẬN CỦA CHỦ TRÌ HỘI THẢO"
    joined = "\n".join(text)
    assert "3 nhiệm vụ được giao, đã hoàn thành 1" in joined and "quá hạn chưa hoàn thành 1" in joined
    assert "- Sở Nội vụ: Đào tạo chuyên gia. (quá hạn)." in joined
    assert "De nghi bo tri kinh phi duy tri ISO hang nam (đã nêu tại kỳ trước)" in joined
    first = chair.get("/workshops/iso-2014/documents/report.docx")
    first_text = [p.text for p in Docx(io.BytesIO(first.data)).paragraphs]
    assert "I. MỤC ĐÍCH, THÀNH PHẦN THAM DỰ" in first_text
    assert not any("KỲ TRƯỚC" in line for line in first_text)
