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
def page(browser, request, settings):
    # Browser tests log in through the login page; those of other flows skip the second
    # factor, as the local demo does. Tests marked ``second_factor`` keep production's rule
    # and type the codes (tests/backoffice/test_browser_two_factor.py, browser_log_in).
    if request.node.get_closest_marker("second_factor") is None:
        settings.TWO_FACTOR_REQUIRED = False
    context = browser.new_context(locale="de-DE")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def browser_log_in(page, live_server, user, password) -> None:
    """Log in through the login page and, when the user needs a second factor, pass it with
    the code of their authenticator (set up here with the key the setup page shows, if they
    have none yet)."""
    import base64

    from django_otp.oath import totp

    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/setup/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        page.locator("#id_code").fill(f"{totp(base64.b32decode(secret)):06d}")
        page.locator("[data-testid=two-factor-enroll] button[type=submit]").click()
        page.get_by_test_id("continue").click()
    elif "/accounts/two-factor/" in page.url:
        raise AssertionError("the user has an authenticator whose key the test does not know")
