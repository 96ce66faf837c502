"""The attendance board in Chromium: kept current by the shared polling loop (static/js/shared.js)
without a reload, and says so when the board cannot be reached."""
from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.factories import make_invitee
from workshop.checkin import services

from .test_scanner import sign_in

LAPTOP = {"viewport": {"width": 1366, "height": 800}}


def test_the_board_follows_the_check_ins_and_says_when_it_is_out_of_date(
        ctx, live_server, users, browser_context):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Tài chính")
    arriving = make_invitee(workshop, name="Trần Thị Mai", organization=agency, status="accepted")
    make_invitee(workshop, name="Chưa đến", status="accepted")
    context = browser_context(**LAPTOP)
    page = context.new_page()
    target = f"/workshops/{workshop.code}/board"
    sign_in(page, live_server, users["staff"], target)
    page.evaluate("window.sameDocument = true")
    present = page.locator('[data-field="present"]')
    expect(present).to_have_text("0")

    services.check_in(workshop, arriving.pass_token)
    expect(present).to_have_text("1", timeout=12_000)  # every 5 s
    expect(page.locator("#board-recent-list")).to_contain_text("Trần Thị Mai")
    assert page.locator("#board-stale").is_hidden()

    context.set_offline(True)
    stale = page.locator("#board-stale")
    expect(stale).to_have_text("Mất kết nối: số liệu có thể chưa mới nhất.", timeout=25_000)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(stale).to_be_hidden(timeout=12_000)
    assert page.evaluate("window.sameDocument") is True


def test_the_print_buttons_print(ctx, live_server, users, browser_context):
    """One handler in app.js for every [data-print] button (the sheet, the letters, the poster)."""
    workshop = factories.make_workshop()
    page = browser_context(**LAPTOP).new_page()
    target = f"/workshops/{workshop.code}/sign-in-sheet"
    sign_in(page, live_server, users["staff"], target)
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="In danh sách").click()
    assert page.evaluate("window.printed") == 1


def test_the_board_uses_the_width_of_a_projector(ctx, live_server, users, browser_context, tmp_path):
    """Shown on a hall's screen at 1920 px, the board is not a narrow column in the middle."""
    workshop = factories.make_workshop()
    page = browser_context(viewport={"width": 1920, "height": 1080}).new_page()
    sign_in(page, live_server, users["staff"], f"/workshops/{workshop.code}/board")
    width = page.locator("main.board").evaluate("node => node.getBoundingClientRect().width")
    assert width >= 1600, width
    page.screenshot(path=str(tmp_path / "board-1920.png"))
    small = browser_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(small, live_server, users["staff"], f"/workshops/{workshop.code}/board")
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
