"""The bulk-send progress page in Chromium: it follows the batch through the shared polling loop
(static/js/shared.js) until it is done, failures listed, then asks no more."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.smtp import smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)
from workshop.outbox import services

from .test_scanner import sign_in

MAIL_FROM = "Sở Khoa học và Công nghệ <hoithao@skhcn.example.vn>"


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, MAIL_FROM=MAIL_FROM)


def test_the_progress_page_follows_the_batch_until_it_is_done(ctx, live_server, users, browser_context,
                                                             smtp_server):
    workshop = factories.make_workshop()
    people = [factories.make_invitee(workshop, f"Đại biểu {n}") for n in range(3)]
    smtp_server.handler.refuse.add(people[1].email)
    batch = services.queue_invitation_emails(workshop).batch
    page = browser_context(viewport={"width": 1366, "height": 800}).new_page()
    target = f"/workshops/{workshop.code}/outbox/{batch}"
    sign_in(page, live_server, users["organizer"], target)
    expect(page.locator('[data-count="sent"]')).to_have_text("0")
    expect(page.locator("[data-deliver-button]")).to_be_enabled()

    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/progress" in request.url else None)
    services.deliver_due()  # the outbox worker, meanwhile
    expect(page.locator('[data-count="sent"]')).to_have_text("2", timeout=10_000)  # every 3 s
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    expect(page.locator("[data-done-message]")).to_be_visible()
    expect(page.locator("[data-deliver-button]")).to_be_disabled()
    row = page.locator("[data-failures] tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(people[1].email)
    expect(row).to_contain_text("Không gửi được")
    assert page.locator("[data-no-failures]").is_hidden()

    done_after = len(asked)
    page.wait_for_timeout(4000)
    assert len(asked) == done_after  # done: no more polling
