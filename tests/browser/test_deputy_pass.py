"""A deputy who needs the organizer's approval, seen on a 360 px phone: waiting, then their own
pass and the text to send them."""
from tests import factories
from workshop.extensions import db
from workshop.invitations import deputies, inviting
from workshop.models import Invitation


def test_deputy_waits_then_gets_their_own_pass_on_a_phone(ctx, live_server, phone, tmp_path):
    workshop = factories.make_workshop(deputy_approval=True)
    agency = factories.make_organization("UBND thị xã Phổ Yên", "district")
    invitation = inviting.invite_person(workshop, "Lê Thị Hoa", "Chủ tịch UBND thị xã", agency.id)
    old_pass = invitation.pass_token

    phone.goto(f"{live_server}/i/{invitation.token}")
    phone.get_by_text("Cử người dự thay", exact=True).click()
    phone.get_by_label("Họ và tên người dự thay").fill("Vũ Văn Phó")
    phone.get_by_label("Chức vụ").fill("Phó Chủ tịch UBND thị xã")
    phone.get_by_role("button", name="Gửi thông tin người dự thay").click()
    waiting = phone.locator(".deputy-pending")
    waiting.wait_for()
    assert "Ban tổ chức đang xem xét người dự thay" in waiting.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    db.session.expire_all()
    deputies.decide(db.session.get(Invitation, invitation.id), True,
                    actor=factories.make_user("organizer"))
    new_pass = db.session.get(Invitation, invitation.id).pass_token
    assert new_pass != old_pass

    phone.reload()
    message = phone.locator("#deputy-message")
    assert message.is_visible()
    assert message.input_value().endswith(f"/pass/{new_pass}")
    assert phone.locator(".pass-name").inner_text() == "Vũ Văn Phó"
    assert phone.locator(".pass-wait").count() == 0
    assert phone.locator("#pass svg.qr").bounding_box()["width"] >= 250
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "deputy.png"), full_page=True)

    # The link in the text: the deputy's own pass, large enough to scan, on a 360 px phone.
    phone.goto(message.input_value().rsplit(" ", 1)[1])
    assert phone.locator(".pass-name").inner_text() == "Vũ Văn Phó"
    assert "Lê Thị Hoa" in phone.locator(".pass-for").inner_text()
    assert phone.locator("#pass svg.qr").bounding_box()["width"] >= 250
    assert phone.get_by_text("Đổi câu trả lời").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
