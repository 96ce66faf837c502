"""The venue poster on a screen at the door, in a real Chromium: its QR image shows under the
page's CSP and is replaced by the current one when the secret's window changes."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from playwright.sync_api import expect

from tests import factories
from workshop.timeutil import utcnow

from .test_scanner import sign_in


def image_shown(page) -> bool:
    """Whether the QR image has loaded (polled from here: the CSP forbids evaluated predicates)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if page.evaluate("document.getElementById('poster-qr').naturalWidth") > 0:
            return True
        time.sleep(0.1)
    return False


def test_the_screen_poster_shows_and_replaces_its_code(ctx, live_server, users, browser_context):
    workshop = factories.make_workshop(starts_at=utcnow() - timedelta(hours=1),
                                       ends_at=utcnow() + timedelta(hours=3))
    page = browser_context(viewport={"width": 1280, "height": 900}).new_page()
    page.clock.install()
    target = f"/workshops/{workshop.code}/poster?screen=1"
    sign_in(page, live_server, users["staff"], target)
    assert image_shown(page)  # an SVG image from our own origin, allowed by the CSP

    def next_window(route):
        response = route.fetch()
        body = response.json()
        body["qr"] = body["qr"].split("?")[0] + "?w=next"
        route.fulfill(response=response, json=body)

    page.route("**/poster.json", next_window)
    page.clock.fast_forward(21_000)
    expect(page.locator("#poster-qr")).to_have_attribute("src", re.compile(r"\?w=next$"))
    assert image_shown(page)
