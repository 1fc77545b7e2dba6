"""Browser fixtures: Debian's Chromium driven through Playwright's sync API.

Registered as a plugin from tests/conftest.py. Playwright never downloads a browser here: it
launches the ``chromium`` found on PATH. Without it the browser tests are skipped, or fail
when ``REQUIRE_BROWSER=1`` (CI), so a missing browser cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING_MESSAGE = "chromium is missing: apt-get install chromium"
# Milliseconds Playwright waits for an element or a navigation before failing the test.
DEFAULT_TIMEOUT_MS = 10_000


def _browser_unavailable(message: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (REQUIRE_BROWSER=1 demands the browser tests run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        _browser_unavailable(MISSING_MESSAGE)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is missing: pip install playwright")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
