"""What a phone downloads over the venue Wi-Fi, measured in Chromium: the bytes on the wire
(compressed bodies and headers, as the DevTools protocol counts them) for the scanner page on a
first visit with an empty cache and on a second visit, and for the attendee's pages.

The service worker is blocked here: it would answer the second visit's page itself and hide
its own download from the page's count. What it adds on a real phone is one more copy of the
page (its assets come from the HTTP cache just filled), written in the README."""
from __future__ import annotations

import pytest

from tests import factories
from tests.factories import make_invitee

from .conftest import PHONE
from .test_scanner import sign_in

KB = 1024


class Wire:
    """Bytes received by one page, per request, through a DevTools session."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.session.on("Network.requestWillBeSent",
                        lambda event: self.urls.__setitem__(event["requestId"], event["request"]["url"]))
        self.session.on("Network.loadingFinished",
                        lambda event: self.sizes.__setitem__(event["requestId"], event["encodedDataLength"]))

    def clear_cache(self) -> None:
        self.session.send("Network.clearBrowserCache")

    def start(self) -> None:
        self.urls.clear()
        self.sizes.clear()

    def total(self) -> int:
        return sum(self.sizes.values())

    def report(self) -> str:
        return ", ".join(f"{self.urls.get(key, key).rsplit('/', 1)[-1] or 'page'}={size}"
                         for key, size in self.sizes.items())


def load(page, wire: Wire, url: str) -> int:
    wire.start()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return wire.total()


@pytest.fixture
def no_worker(browser_context):
    return browser_context(service_workers="block", **PHONE)


# Chromium asks for brotli; nginx's gzip_static (deploy/nginx.conf.example) sends gzip only.
@pytest.mark.parametrize("encodings", ["gzip, deflate, br", "gzip"])
def test_the_scanner_page_is_light_on_a_first_visit_and_almost_free_on_the_second(
        ctx, live_server, users, browser_context, encodings, capsys):
    no_worker = browser_context(service_workers="block", extra_http_headers={"Accept-Encoding": encodings},
                                **PHONE)
    workshop = factories.make_workshop()
    for n in range(3):
        make_invitee(workshop, name=f"Đại biểu {n}", status="accepted")
    # A province's list of agencies, all in the walk-in form's <select>.
    for n in range(150):
        factories.make_organization(f"Ủy ban nhân dân huyện Đồng Hỷ số {n}", kind="district")
    page = no_worker.new_page()
    scanner = f"/workshops/{workshop.code}/scan/"
    sign_in(page, live_server, users["staff"], scanner)
    wire = Wire(page)
    wire.clear_cache()

    first = load(page, wire, live_server + scanner)
    first_detail = wire.report()
    second = load(page, wire, live_server + scanner)
    with capsys.disabled():
        print(f"\nscanner page, Accept-Encoding {encodings}: first visit {first} B ({first_detail}); "
              f"second visit {second} B ({wire.report()})")
    assert page.locator("#scan-counter").is_visible()
    assert first < 120 * KB, first_detail
    # The second visit downloads the page's HTML again and nothing else: every script and
    # style comes from the cache without even a revalidation.
    downloaded = [wire.urls[key] for key, size in wire.sizes.items() if size]
    assert downloaded == [live_server + scanner], wire.report()
    assert second < 30 * KB, wire.report()


def test_the_attendee_pages_are_light(ctx, live_server, no_worker, capsys):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, "Nguyễn Văn An", status="accepted")
    page = no_worker.new_page()
    wire = Wire(page)
    weights = {}
    for name, path in (("personal", f"/i/{invitation.token}"),
                       ("questions", f"/i/{invitation.token}/questions")):
        wire.clear_cache()
        weights[name] = load(page, wire, live_server + path)
        with capsys.disabled():
            print(f"\n{name} page, first visit: {weights[name]} B ({wire.report()})")
    assert weights["personal"] < 60 * KB
    assert weights["questions"] < 60 * KB
