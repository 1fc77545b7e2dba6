"""Log in, switch the language, log out and get locked out, as a user does in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from backoffice import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAILURE_LIMIT = 5  # LOGIN_FAILURE_LIMIT's default (settings.AXES_FAILURE_LIMIT)


def login_url(live_server):
    return live_server.url + "/accounts/login/"


def submit_login(page, username, password):
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def switch_language(page, label):
    page.locator("form.langswitch").get_by_role("button", name=label, exact=True).click()


def test_login_switch_language_and_logout(page, live_server, make_user, password):
    user = make_user(roles.STAFF)

    page.goto(login_url(live_server))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")

    submit_login(page, user.username, password)

    # Home, in German.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Willkommen, {user.username}")
    expect(page.get_by_text("Ihre Rollen: Mitarbeitende")).to_be_visible()
    expect(page.get_by_role("heading", name="Was Sie hier tun können")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(page.get_by_role("button", name="Deutsch")).to_have_attribute("aria-pressed", "true")

    # English, on the same page.
    switch_language(page, "English")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Welcome, {user.username}")
    expect(page.get_by_role("heading", name="What you can do here")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    # And back to German.
    switch_language(page, "Deutsch")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Willkommen, {user.username}")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.get_by_role("button", name="Abmelden").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)


def test_repeated_wrong_password_locks_the_account(page, live_server, make_user, password):
    user = make_user(roles.STAFF)
    page.goto(login_url(live_server))

    for _attempt in range(FAILURE_LIMIT - 1):
        submit_login(page, user.username, "wrong-" + password)
        expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
        expect(page.get_by_role("alert")).to_be_visible()

    # The last allowed failure locks the account.
    submit_login(page, user.username, "wrong-" + password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Konto gesperrt")
    expect(page.get_by_role("alert")).to_contain_text("Zu viele fehlgeschlagene Anmeldeversuche")

    # Now even the right password is refused.
    page.goto(login_url(live_server))
    submit_login(page, user.username, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Konto gesperrt")
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)

    # The same in English.
    switch_language(page, "English")
    page.goto(login_url(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    submit_login(page, user.username, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Account locked")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed login attempts")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
