"""Real-browser fixtures: Debian's Chromium driven by Playwright (the app is `live_server`)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def pytest_collection_modifyitems(items):
    """Every browser test is slow (Chromium, a served app): marked here, new files included."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium): browser tests not run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_context(browser):
    """Open a new browser context; keyword arguments as Playwright's new_context."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(browser_context):
    """A page on a 360 px wide phone screen."""
    return browser_context(**PHONE).new_page()
