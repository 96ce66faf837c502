"""The deputy's whole story on 360 px phones, as the people in it live it: the invitee names a
deputy on the personal page, the organizer (told on the dashboard) approves on a phone, the
deputy's own pass enters at the scanner's camera, and the invitee's earlier pass is refused."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from workshop.extensions import db
from workshop.invitations import inviting
from workshop.models import CheckIn, Invitation

from .conftest import CHROMIUM, CHROMIUM_FLAGS, PHONE
from .qr_video import write_qr_video
from .test_scanner import sign_in

DEPUTY = "Vũ Văn Phó"


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)  # the forms as a real server takes them


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def scan_with_camera(browser, tmp_path, live_server, staff, workshop, data: str, name: str):
    """A staff phone whose camera films the QR code of `data`: the scanner's result screen."""
    video = write_qr_video(tmp_path / f"{name}.y4m", data)
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    context = chromium.new_context(permissions=["camera"], **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server, staff, f"/workshops/{workshop.code}/scan/")
    result = page.locator("#scan-result")
    result.wait_for(state="visible")
    answer = {"head": result.locator(".scan-result-head").inner_text(),
              "name": result.locator(".scan-result-name").inner_text(),
              "note": result.locator(".scan-result-note").inner_text(),
              "class": result.get_attribute("class")}
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    chromium.close()
    return answer


def test_an_approved_deputy_enters_with_their_own_pass_and_the_old_one_is_refused(
        ctx, live_server, browser, browser_context, users, tmp_path):
    workshop = factories.make_workshop(deputy_approval=True)
    agency = factories.make_organization("UBND thị xã Phổ Yên", "district")
    invitation = inviting.invite_person(workshop, "Lê Thị Hoa", "Chủ tịch UBND thị xã", agency.id)
    old_pass = invitation.pass_token

    # The invitee, on a phone, names a deputy.
    invitee = browser_context(**PHONE).new_page()
    invitee.goto(f"{live_server}/i/{invitation.token}")
    invitee.get_by_text("Cử người dự thay", exact=True).click()
    invitee.get_by_label("Họ và tên người dự thay").fill(DEPUTY)
    invitee.get_by_label("Chức vụ").fill("Phó Chủ tịch UBND thị xã")
    invitee.get_by_role("button", name="Gửi thông tin người dự thay").click()
    expect(invitee.locator(".deputy-pending")).to_contain_text("Ban tổ chức đang xem xét")
    no_sideways_scroll(invitee)

    # The organizer, on a phone: the dashboard says a deputy waits and leads to them.
    organizer = browser_context(**PHONE).new_page()
    sign_in(organizer, live_server, users["organizer"], f"/workshops/{workshop.code}/")
    expect(organizer.locator(".deputy-waiting")).to_contain_text(
        "Người dự thay chờ Ban tổ chức duyệt: 1")
    organizer.get_by_role("link", name="Xem và duyệt").click()
    row = organizer.locator(f"#invitation-{invitation.id}")
    expect(row).to_contain_text(DEPUTY)
    approve = row.get_by_role("button", name="Duyệt người dự thay")
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["viewport"]["width"]  # no sideways scroll
    no_sideways_scroll(organizer)
    organizer.screenshot(path=str(tmp_path / "organizer.png"))
    approve.click()
    expect(organizer.locator(f"#invitation-{invitation.id} .tag.deputy-approved")).to_have_text(
        "Đã được duyệt")
    db.session.expire_all()
    new_pass = db.session.get(Invitation, invitation.id).pass_token
    assert new_pass != old_pass
    # The confirmation is where the page has scrolled, in the row; the row now copies the
    # deputy's own pass message.
    expect(organizer.locator(f"#invitation-{invitation.id} .row-flash")).to_be_in_viewport()
    expect(organizer.locator(f"#invitation-{invitation.id} .row-flash")).to_have_text(
        "Đã duyệt người dự thay.")
    assert f"/pass/{new_pass}" in organizer.locator(f"#share-{invitation.id}").input_value()
    no_sideways_scroll(organizer)
    organizer.screenshot(path=str(tmp_path / "organizer-approved.png"))
    wide = browser_context(viewport={"width": 1920, "height": 1080}).new_page()
    sign_in(wide, live_server, users["organizer"], f"/workshops/{workshop.code}/invitations")
    expect(wide.locator(f"#invitation-{invitation.id}")).to_contain_text(
        "Sao chép tin nhắn Zalo/SMS cho người dự thay")
    wide.screenshot(path=str(tmp_path / "invitations-1920.png"))

    # The invitee's page now holds the deputy's own pass and the message to send them.
    invitee.reload()
    assert f"/pass/{new_pass}" in invitee.locator("#deputy-message").input_value()
    expect(invitee.locator(".pass-name")).to_have_text(DEPUTY)
    no_sideways_scroll(invitee)

    # At the door: the deputy's pass is green, the invitee's earlier pass amber.
    staff = users["staff"]
    entered = scan_with_camera(browser, tmp_path, live_server, staff, workshop, new_pass, "new-pass")
    assert entered["head"] == "ĐÃ ĐIỂM DANH" and "scan-ok" in entered["class"]
    assert entered["name"] == DEPUTY
    assert entered["note"] == "Người dự thay cho Lê Thị Hoa"
    refused = scan_with_camera(browser, tmp_path, live_server, staff, workshop, old_pass, "old-pass")
    assert refused["head"] == f"Giấy mời đã chuyển cho người dự thay: {DEPUTY}"
    assert "scan-warn" in refused["class"]
    db.session.rollback()
    assert db.session.scalars(db.select(CheckIn.invitation_id)).all() == [invitation.id]
