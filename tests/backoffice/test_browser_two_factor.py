"""A payroll clerk's second factor in Chromium: set up the authenticator from the key on the
page, keep the recovery codes, and log in again with a recovery code and with the app."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from backoffice import roles
from tests.browser_fixtures import browser_log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.second_factor,
    pytest.mark.django_db(transaction=True),
]


def submit_login(page, live_server, user, password):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def log_out(page):
    page.locator("form.logout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_clerk_sets_up_the_authenticator_and_logs_in_with_codes(
    page, live_server, make_user, password
):
    clerk = make_user(roles.PAYROLL_CLERK)

    # Payday first: the password alone leads to the setup page, in German.
    page.goto(live_server.url + "/payroll/")
    page.locator("#id_username").fill(clerk.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=%2Fpayroll%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-App einrichten")
    expect(page.locator("[data-testid=qr-code] svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret)

    # A wrong first code is refused with a message.
    page.locator("#id_code").fill(f"{(totp(key) + 1) % 1_000_000:06d}")
    page.locator("[data-testid=two-factor-enroll] button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("Der Code passt nicht")

    # The right one, computed as the phone would from the key on the page, after the second
    # that django-otp makes a device wait after a wrong code.
    page.wait_for_timeout(1200)
    page.locator("#id_code").fill(f"{totp(key):06d}")
    page.locator("[data-testid=two-factor-enroll] button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Wiederherstellungscodes")
    codes = page.locator("[data-testid=recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_test_id("continue").click()
    expect(page).to_have_url(live_server.url + "/payroll/")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Anmelden")

    # The Security page, from the user menu.
    page.get_by_test_id("security-link").click()
    expect(page.get_by_test_id("recovery-left")).to_contain_text("10")
    log_out(page)

    # Again, without the phone: a recovery code.
    submit_login(page, live_server, clerk, password)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zweiter Faktor")
    page.locator("#id_code").fill(codes[0])
    page.locator("[data-testid=two-factor-verify] button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".messages")).to_contain_text("9")
    log_out(page)

    # And with the app: the next period's code (the current one was spent on the setup).
    submit_login(page, live_server, clerk, password)
    page.locator("#id_code").fill(f"{totp(key, drift=1):06d}")
    page.locator("[data-testid=two-factor-verify] button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + "/payroll/")
    expect(page).to_have_url(live_server.url + "/payroll/")


def test_browser_log_in_helper_passes_the_second_factor(page, live_server, make_user, password):
    """The helper other browser tests may use to log in a protected role honestly."""
    accountant = make_user(roles.ACCOUNTANT)
    browser_log_in(page, live_server, accountant, password)
    page.goto(live_server.url + "/accounting/")
    expect(page).to_have_url(live_server.url + "/accounting/")
