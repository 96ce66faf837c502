"""The invitee on a 360 px phone: open the personal link, send a deputy, show the QR pass."""
from datetime import datetime

from tests import factories
from workshop.extensions import db
from workshop.invitations import inviting
from workshop.models import Invitation
from workshop.timeutil import LOCAL_TZ


def test_send_a_deputy_from_a_phone_and_see_the_pass(ctx, live_server, phone, tmp_path):
    host = factories.make_organization("Sở Khoa học và Công nghệ", phone="0208 3856 789")
    workshop = factories.make_workshop(
        title="Hội thảo đánh giá 05 năm áp dụng Hệ thống quản lý chất lượng TCVN ISO 9001:2008",
        venue="Hội trường Sở Khoa học và Công nghệ tỉnh Thái Nguyên", host_organization=host,
        rsvp_deadline=datetime(2030, 8, 8, 17, 0, tzinfo=LOCAL_TZ))
    agency = factories.make_organization("UBND thị xã Phổ Yên", "district")
    invitation = inviting.invite_person(workshop, "Lê Thị Hoa", "Chủ tịch UBND thị xã", agency.id)

    phone.goto(f"{live_server}/i/{invitation.token}")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Hội thảo đánh giá 05 năm")
    assert phone.get_by_text("Thứ Hai, 12/08/2030").is_visible()
    assert phone.get_by_role("button", name="Tôi sẽ tham dự").is_visible()
    assert phone.get_by_role("button", name="Không tham dự").is_visible()

    phone.get_by_text("Cử người dự thay", exact=True).click()
    phone.get_by_label("Họ và tên người dự thay").fill("Vũ Văn Phó")
    phone.get_by_label("Chức vụ").fill("Phó Chủ tịch UBND thị xã")
    phone.get_by_label("Điện thoại").fill("0987 654 321")
    phone.get_by_role("button", name="Gửi thông tin người dự thay").click()

    answer = phone.locator("[data-answer]")
    answer.wait_for()
    assert "Ông/Bà đã cử người dự thay: Vũ Văn Phó" in answer.inner_text()
    assert phone.get_by_text("Đổi câu trả lời", exact=True).is_visible()
    qr = phone.locator("#pass svg.qr")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 250  # large enough for a scanner at arm's length
    assert phone.locator(".pass-name").inner_text() == "Vũ Văn Phó"
    # No approval asked: the deputy has a pass of their own at once, and the letter's short
    # code, refused at the door from then on, is not shown on it.
    assert phone.locator(".pass-code").count() == 0
    assert phone.locator(".pass-agency").inner_text() == "UBND thị xã Phổ Yên"
    assert phone.get_by_role("link", name="Lưu ảnh").is_visible()
    # Readable at 360 px: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "personal.png"), full_page=True)

    db.session.expire_all()
    saved = db.session.get(Invitation, invitation.id)
    assert (saved.status, saved.delegate_name, saved.delegate_phone) == (
        "delegated", "Vũ Văn Phó", "0987 654 321")
