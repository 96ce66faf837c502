"""The check-in scanner in a real Chromium: a fake camera reads a QR pass; scans made offline are
queued, then synced exactly once with their own time."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import make_invitee
from workshop.extensions import db
from workshop.models import CheckIn, CheckInAttempt

from .conftest import CHROMIUM, CHROMIUM_FLAGS, PHONE
from .qr_video import write_qr_video


def sign_in(page, live_server: str, user, target: str) -> None:
    page.goto(f"{live_server}/login?next={target}")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}{target}")


@pytest.fixture
def camera_browser(browser, tmp_path):
    """A separate Chromium whose camera films a video of a QR code: camera_browser(data)."""
    launched = []

    def launch(data: str):
        video = write_qr_video(tmp_path / "pass.y4m", data)
        chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ])
        launched.append(chromium)
        return chromium

    yield launch
    for chromium in launched:
        chromium.close()


def test_the_camera_reads_a_pass_and_checks_the_attendee_in(ctx, live_server, users, camera_browser):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Khoa học và Công nghệ")
    invitation = make_invitee(workshop, name="Phạm Thị Hồng", organization=agency, status="accepted")
    make_invitee(workshop, name="Chưa đến", status="accepted")

    context = camera_browser(invitation.pass_token).new_context(permissions=["camera"], **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    boards = []
    page.on("request", lambda request: boards.append(request.url) if "board.json" in request.url
            else None)
    target = f"/workshops/{workshop.code}/scan/"
    sign_in(page, live_server, users["staff"], target)

    result = page.locator("#scan-result")
    result.wait_for(state="visible")
    assert result.locator(".scan-result-head").inner_text() == "ĐÃ ĐIỂM DANH"
    assert result.locator(".scan-result-name").inner_text() == "Phạm Thị Hồng"
    assert result.locator(".scan-result-organization").inner_text() == "Sở Khoa học và Công nghệ"
    assert "scan-ok" in result.get_attribute("class")
    page.locator("#scan-counter").filter(has_text="Có mặt 1/2").wait_for()
    # The counter came with the scan's answer: the board was not asked for it.
    assert boards == []

    # The pass stays in front of the camera: read again and again, still one check-in.
    page.wait_for_timeout(1500)
    db.session.rollback()
    assert db.session.scalars(select(CheckIn.invitation_id)).all() == [invitation.id]
    assert db.session.scalar(select(CheckIn.staff_user_id)) == users["staff"].id
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 1
    context.close()


def test_offline_scans_wait_then_sync_once_with_their_own_time(ctx, live_server, users,
                                                               browser_context):
    workshop = factories.make_workshop()
    people = [make_invitee(workshop, name=f"Đại biểu {n}", status="accepted") for n in range(3)]
    tricky = make_invitee(workshop, name="<script>window.hacked=1</script>Lò Văn Sáng",
                          status="accepted")
    context = browser_context(**PHONE)
    page = context.new_page()
    target = f"/workshops/{workshop.code}/scan/"
    sign_in(page, live_server, users["staff"], target)
    # The page keeps itself for reloads without network.
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    def type_code(code: str) -> None:
        page.fill("#code-input", code)
        page.press("#code-input", "Enter")

    context.set_offline(True)
    for person in people:
        type_code(person.short_code.lower())
        page.locator("#scan-result .scan-result-head").filter(has_text="ĐÃ LƯU, CHỜ GỬI").wait_for()
    page.locator("#scan-waiting[data-count='3']").wait_for()
    assert page.locator("#scan-badge").inner_text() == "Mất kết nối · 3 lượt chờ gửi"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Offline, the scanner page still reloads, and the waiting scans are still there.
    page.reload()
    page.locator("#scan-waiting[data-count='3']").wait_for()
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('checkin-queue:{workshop.code}'))")
    scanned_at = {item["token"].upper(): datetime.fromisoformat(item["scanned_at"]) for item in queued}
    assert set(scanned_at) == {person.short_code for person in people}
    page.wait_for_timeout(1200)  # so that syncing happens visibly later than scanning

    context.set_offline(False)
    page.locator("#scan-waiting[data-count='0']").wait_for(state="attached")
    page.locator("#scan-badge").wait_for(state="hidden")
    db.session.rollback()
    checkins = db.session.scalars(select(CheckIn)).all()
    assert sorted(c.invitation_id for c in checkins) == sorted(p.id for p in people)
    for checkin in checkins:  # each with the time it was scanned, not the time it was synced
        assert checkin.checked_in_at == scanned_at[checkin.invitation.short_code]
        assert checkin.recorded_at > checkin.checked_in_at
    attempts = db.session.scalars(select(CheckInAttempt.result)).all()
    assert attempts == ["checked_in"] * 3
    # The synced answers carry the counter.
    page.locator("#scan-counter").filter(has_text="Có mặt 3/4").wait_for()

    # A name is shown as text, never run as markup.
    type_code(tricky.short_code)
    name = page.locator("#scan-result .scan-result-name")
    name.filter(has_text="Lò Văn Sáng").wait_for()
    assert name.inner_text() == "<script>window.hacked=1</script>Lò Văn Sáng"
    assert page.evaluate("window.hacked") is None


def test_a_scan_whose_answer_was_lost_is_applied_once(ctx, live_server, users, browser_context):
    """The server checked the pass in but the answer never reached the phone: the retry with the
    same client_id gets the first answer, and nothing is counted twice."""
    workshop = factories.make_workshop()
    invitation = make_invitee(workshop, name="Hoàng Minh Đức", status="accepted")
    page = browser_context(**PHONE).new_page()
    target = f"/workshops/{workshop.code}/scan/"
    sign_in(page, live_server, users["staff"], target)

    lost = []

    def lose_first_answer(route):
        response = route.fetch()  # the server does its work...
        if not lost:
            lost.append(response.status)
            route.abort()  # ...but the phone hears nothing
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/workshops/*/checkins", lose_first_answer)
    page.fill("#code-input", invitation.short_code)
    page.press("#code-input", "Enter")
    page.locator("#scan-offline").wait_for()  # the phone believes the network failed
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#scan-waiting[data-count='0']").wait_for(state="attached")
    history = page.locator("#scan-history li").first
    assert "Hoàng Minh Đức" in history.inner_text() and "ĐÃ ĐIỂM DANH" in history.inner_text()
    assert lost == [200]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
    assert db.session.scalars(select(CheckInAttempt.result)).all() == ["checked_in"]


def test_search_without_accents_and_a_walk_in(ctx, live_server, users, browser_context):
    workshop = factories.make_workshop()
    agency = factories.make_organization("UBND thị xã Phổ Yên", kind="district")
    make_invitee(workshop, name="Đỗ Văn Tuấn", organization=agency, status="accepted")
    page = browser_context(**PHONE).new_page()
    target = f"/workshops/{workshop.code}/scan/"
    sign_in(page, live_server, users["staff"], target)

    page.click("summary:has-text('Tìm theo tên, cơ quan')")
    page.fill("#search-input", "pho yen")
    page.locator("#search-results li").filter(has_text="Đỗ Văn Tuấn").get_by_role("button").click()
    page.locator("#scan-result .scan-result-name").filter(has_text="Đỗ Văn Tuấn").wait_for()
    page.click("#scan-result")

    page.click("summary:has-text('Đại biểu đến trực tiếp')")
    page.fill("#walk-in-form input[name=name]", "Vũ Thị Lan")
    page.fill("#walk-in-form input[name=title]", "Chuyên viên")
    page.select_option("#organization_id", label="UBND thị xã Phổ Yên")
    page.click("#walk-in-form button[type=submit]")
    note = page.locator("#scan-result .scan-result-note")
    note.filter(has_text="Đại biểu đến trực tiếp").wait_for()
    assert page.locator("#scan-result .scan-result-name").inner_text() == "Vũ Thị Lan"
    # The walk-in is present but was never expected: counted apart, not as "2/1".
    page.locator("#scan-extra").filter(has_text="+ 1 đến trực tiếp, 0 chưa đăng ký trước").wait_for()
    assert page.locator("#scan-counter").inner_text() == "Có mặt 1/1"

    # Undo the last one (the walk-in), after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#scan-undo")
    page.locator("#scan-result .scan-result-head").filter(has_text="ĐÃ HỦY ĐIỂM DANH").wait_for()
    page.locator("#scan-extra").filter(has_text="đến trực tiếp").wait_for(state="hidden")
    assert page.locator("#scan-counter").inner_text() == "Có mặt 1/1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
