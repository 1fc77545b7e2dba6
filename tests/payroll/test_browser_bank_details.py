"""New bank details in Chromium: a staff member asks for them from "My profile", the request
waits, a payroll clerk approves it in the admin's list of requests, and the staff member sees
the new account (masked) and the decision."""

import os
import re

import pytest
from playwright.sync_api import expect

from backoffice import roles
from payroll.models import PayProfile
from tests.payroll.factories import VALID_IBANS, payroll_setup, profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_IBAN = "DE02120300000000202051"


def log_in(page, live_server, user, password):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")


def _shot(page, name: str) -> None:
    # For a person to look at while developing: BANK_DETAILS_SHOTS=/some/folder.
    folder = os.environ.get("BANK_DETAILS_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_staff_ask_for_new_bank_details_and_a_clerk_approves(
    page, live_server, make_user, password
):
    schedule = payroll_setup()
    staff = make_user(roles.STAFF)
    own = profile(schedule, salary="3000.00", employee=staff.employee, account_holder="A B")
    clerk = make_user(roles.PAYROLL_CLERK)

    log_in(page, live_server, staff, password)
    page.goto(live_server.url + "/hr/me/")
    page.get_by_test_id("my-bank-details-link").click()
    expect(page.get_by_test_id("current-bank-details")).to_contain_text("••30 00")
    form = page.get_by_test_id("bank-details-form")
    form.locator("#id_iban").fill("DE02 1203 0000 0000 2020 51")
    form.locator("#id_account_holder").fill("A B")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("pending-request")).to_contain_text("••20 51")
    _shot(page, "1-staff-pending")
    own.refresh_from_db()
    assert own.iban == VALID_IBANS[0]
    page.locator("form.logout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    log_in(page, live_server, clerk, password)
    page.goto(f"{live_server.url}/admin/payroll/payprofile/{own.pk}/change/")
    expect(page.get_by_test_id("pending-change")).to_contain_text(NEW_IBAN)
    _shot(page, "2-admin-profile-pending")
    page.get_by_test_id("pending-change").locator("a").click()
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("approve_changes")
    page.locator("button[name=index]").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    _shot(page, "3-admin-approved")
    assert PayProfile.objects.get(pk=own.pk).iban == NEW_IBAN
    page.goto(f"{live_server.url}/admin/payroll/payprofile/{own.pk}/change/")
    _shot(page, "4-admin-profile-history")
    page.locator("#logout-form button, form#logout-form [type=submit]").first.click()

    log_in(page, live_server, staff, password)
    page.goto(live_server.url + "/payroll/my/bank-details/")
    expect(page.get_by_test_id("current-bank-details")).to_contain_text("••20 51")
    expect(page.get_by_test_id("bank-detail-requests")).to_be_visible()
    _shot(page, "5-staff-approved")
