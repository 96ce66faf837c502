"""Offline at the door with the roster: the scan shows who it is and the seat at once, and is
still applied once when the network is back; a pass the roster knows as revoked is refused.
Online, the green answer shows the seat."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from tests import factories
from workshop.extensions import db
from workshop.models import CheckIn
from workshop.seating import services as seating

from .conftest import PHONE
from .test_scanner import sign_in


def test_an_offline_scan_shows_the_name_and_seat_then_syncs_once(ctx, live_server, users, browser_context):
    workshop = factories.make_workshop()
    district = factories.make_organization("UBND huyện Đại Từ", kind="district")
    deputy = factories.make_invitee(workshop, "Hà Văn Sơn", organization=district, status="delegated",
                                    delegate_name="Lương Thị Thuỷ", delegate_title="Trưởng phòng Nội vụ")
    seating.set_seat(workshop, deputy.id, 2, 5)
    chair = factories.make_invitee(workshop, "Vũ Thị Giang", title="Giám đốc Sở", status="accepted")
    seating.set_seat(workshop, chair.id, 0, 1)
    context = browser_context(**PHONE)
    page = context.new_page()
    target = f"/workshops/{workshop.code}/scan/"
    sign_in(page, live_server, users["staff"], target)
    key = f"checkin-roster:{workshop.code}"
    page.wait_for_function("(key) => localStorage.getItem(key) !== null", arg=key)

    def type_code(code: str) -> None:
        page.fill("#code-input", code)
        page.press("#code-input", "Enter")

    context.set_offline(True)
    type_code(deputy.pass_token)
    result = page.locator("#scan-result")
    result.locator(".scan-result-head").filter(has_text="ĐÃ LƯU, CHỜ GỬI").wait_for()
    result.locator(".scan-result-name").filter(has_text="Lương Thị Thuỷ").wait_for()
    assert result.locator(".scan-result-seat").inner_text() == "Hàng 2, ghế 5"
    assert result.locator(".scan-result-organization").inner_text() == "UBND huyện Đại Từ"
    page.locator("#scan-waiting[data-count='1']").wait_for()

    # A pass the roster knows as revoked (as a replaced pass would be): refused, not queued.
    revoked = "pass-da-thu-hoi-0123456789abcdef"
    digest = hashlib.sha256(revoked.encode()).hexdigest()[:32]
    page.evaluate("""([key, digest]) => { const roster = JSON.parse(localStorage.getItem(key));
        roster.revoked.push(digest); localStorage.setItem(key, JSON.stringify(roster)); }""", [key, digest])
    page.wait_for_timeout(2700)  # the first result's screen goes
    type_code(revoked)
    result.locator(".scan-result-head").filter(has_text="GIẤY MỜI KHÔNG CÒN HIỆU LỰC").wait_for()
    assert "scan-warn" in result.get_attribute("class")  # amber, as the server answers it online
    page.locator("#scan-waiting[data-count='1']").wait_for()

    context.set_offline(False)
    page.locator("#scan-waiting[data-count='0']").wait_for(state="attached")
    db.session.rollback()
    assert db.session.scalars(select(CheckIn.invitation_id)).all() == [deputy.id]

    # Online, the server's green answer names the seat too.
    page.wait_for_timeout(2700)
    type_code(chair.pass_token)
    result.locator(".scan-result-head").filter(has_text="ĐÃ ĐIỂM DANH").wait_for()
    assert "scan-ok" in result.get_attribute("class")
    assert result.locator(".scan-result-seat").inner_text() == "Bàn chủ tọa, ghế 1"
    context.close()
