"""The agency on a 360 px phone: open the task link, report progress with a PDF, then finish."""
from datetime import date, timedelta

from tests import factories
from workshop.extensions import db
from workshop.models import Task
from workshop.tasks import services


def test_report_progress_and_finish_from_a_phone(ctx, live_server, phone, tmp_path):
    workshop = factories.make_workshop(
        title="Hội thảo đánh giá 05 năm áp dụng Hệ thống quản lý chất lượng TCVN ISO 9001:2008")
    agency = factories.make_organization("UBND huyện Đại Từ", "district")
    task, token = services.create_task(
        workshop, "Tích hợp quy trình ISO với hoạt động của bộ phận tiếp nhận và trả kết quả của "
        "UBND huyện; rà soát, cập nhật tài liệu của hệ thống.", agency.id,
        date.today() + timedelta(days=30))
    report_file = tmp_path / "bao-cao-tien-do.pdf"
    report_file.write_bytes(b"%PDF-1.4\n% bao cao tien do\n")

    phone.goto(f"{live_server}/t/{token}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Nhiệm vụ theo kết luận hội thảo"
    assert phone.get_by_text("UBND huyện Đại Từ").is_visible()
    assert phone.get_by_text("Chưa báo cáo").is_visible()
    phone.get_by_label("Nội dung báo cáo").fill("Đã tích hợp 18/35 quy trình với bộ phận một cửa.")
    phone.get_by_label("Tệp đính kèm (PDF hoặc Word .docx, tối đa 10 MB)").set_input_files(
        str(report_file))
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.get_by_text("Đã nhận báo cáo. Trân trọng cảm ơn Quý cơ quan!").wait_for()
    assert phone.get_by_text("Đã báo cáo tiến độ").is_visible()
    assert phone.get_by_text("Tệp đính kèm: bao-cao-tien-do.pdf").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.get_by_label("Nội dung báo cáo").fill("Đã tích hợp đủ 35/35 quy trình.")
    phone.get_by_label("Đã hoàn thành nhiệm vụ").check()
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.get_by_text("Đã nhận báo cáo. Trân trọng cảm ơn Quý cơ quan!").wait_for()
    assert phone.get_by_text("Nhiệm vụ đã hoàn thành.", exact=False).is_visible()
    assert phone.get_by_role("button", name="Gửi báo cáo").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "task.png"), full_page=True)

    db.session.expire_all()
    saved = db.session.get(Task, task.id)
    assert saved.status == "done"
    assert [(r.text, r.attachment_name) for r in saved.reports] == [
        ("Đã tích hợp 18/35 quy trình với bộ phận một cửa.", "bao-cao-tien-do.pdf"),
        ("Đã tích hợp đủ 35/35 quy trình.", None)]
