"""Hiring in Chromium (issue #8): an HR manager opens "Onboarding and offboarding" from the home
page, hires someone, works through the onboarding checklist item by item until it is complete;
the new employee sets a password through the link in the welcome mail and logs in."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from backoffice import roles
from hr.models import Checklist, Employee
from tests.hr.factories import DepartmentFactory, PositionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Willkommen-2026!x"


def log_in(page, live_server, username, password):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")


def _shot(page, name: str) -> None:
    # For a person to look at while developing: LIFECYCLE_SHOTS=/some/folder.
    folder = os.environ.get("LIFECYCLE_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_hr_hires_someone_and_works_through_the_onboarding_checklist(
    page, live_server, make_user, password
):
    department = DepartmentFactory(code="VERT", name="Vertrieb")
    PositionFactory(department=department, title="Key Account Manager/in")
    hr_manager = make_user(roles.HR_MANAGER)

    log_in(page, live_server, hr_manager.username, password)
    page.locator("a[href='/hr/checklists/']").first.click()
    page.get_by_test_id("hire-link").click()
    form = page.get_by_test_id("hire-form")
    form.locator("#id_first_name").fill("Mira")
    form.locator("#id_last_name").fill("Köhler")
    form.locator("#id_work_email").fill("mira.koehler@example.com")
    form.locator("#id_department").select_option(label="VERT · Vertrieb")
    form.locator("#id_position").select_option(label="VERT · Key Account Manager/in")
    form.locator("#id_employment_type").select_option("salaried")
    form.locator("#id_hire_date").fill("2026-04-01")
    form.locator("#id_contract_type").select_option("permanent")
    form.locator("#id_weekly_hours").fill("38,5")
    form.locator("#id_probation_end").fill("2026-09-30")
    _shot(page, "1-hire-form")
    form.locator("button[type=submit]").click()

    expect(page.get_by_test_id("checklist-items")).to_be_visible()
    _shot(page, "2-checklist-new")
    employee = Employee.objects.get(last_name="Köhler")
    assert str(employee.personnel_file.weekly_hours) == "38.50"
    items = page.get_by_test_id("checklist-items")
    open_rows = items.locator("tr.item-open")
    total = open_rows.count()
    assert total >= 5
    # The first item with a note, the rest one after the other.
    items.locator("tr.item-open input[name=note]").first.fill("Original in der Personalakte")
    for _ in range(total):
        items.locator("tr.item-open button[name=done]").first.click()
        page.wait_for_load_state()
    expect(items.locator("tr.item-open")).to_have_count(0)
    expect(page.get_by_test_id("checklist-progress")).to_contain_text(f"{total}")
    expect(items).to_contain_text("Original in der Personalakte")
    _shot(page, "3-checklist-done")
    checklist = Checklist.objects.get(employee=employee)
    assert checklist.completed_at is not None
    assert set(checklist.items.values_list("done_by", flat=True)) == {hr_manager.pk}
    page.locator("form.logout button[type=submit]").click()

    # The new employee sets a password through the mailed link and logs in.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body)[0]
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/reset/done/$"))
    log_in(page, live_server, employee.user.username, NEW_PASSWORD)
    _shot(page, "4-new-employee-home")
