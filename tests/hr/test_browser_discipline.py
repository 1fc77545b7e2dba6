"""Discipline in Chromium: a department head records a written warning with a PDF for one of
their people, the employee finds it under "My disciplinary records" and acknowledges it, and
the head sees the date of the acknowledgement."""

import re

import pytest
from playwright.sync_api import expect

from backoffice import roles
from hr.models import DisciplinaryRecord
from tests.hr.factories import DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, live_server, user, password):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")


def log_out(page):
    page.locator("form.logout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_head_issues_a_warning_and_the_employee_acknowledges_it(
    page, live_server, make_user, password, settings, tmp_path
):
    settings.HR_PRIVATE_DOCUMENTS_ROOT = tmp_path
    department = DepartmentFactory(code="VERT")
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save(update_fields=["head"])
    employee = make_user(roles.STAFF, department=department)

    log_in(page, live_server, head, password)
    page.goto(live_server.url + "/hr/discipline/new/")
    page.locator("#id_personnel_number").fill(employee.employee.personnel_number)
    page.locator("#id_kind").select_option("written")
    page.locator("#id_date").fill("2026-03-02")
    page.locator("#id_reason").fill("Unentschuldigtes Fehlen")
    page.locator("#id_description").fill("Am Montag ohne Meldung gefehlt.")
    page.locator("#id_document").set_input_files(
        files=[{"name": "abmahnung.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    expect(page.locator("main")).to_contain_text("abmahnung.pdf")
    log_out(page)

    log_in(page, live_server, employee, password)
    page.goto(live_server.url + "/hr/discipline/mine/")
    page.get_by_test_id("own-record").click()
    expect(page.locator("main")).to_contain_text("Am Montag ohne Meldung gefehlt.")
    expect(page.locator("main")).not_to_contain_text("abmahnung.pdf")
    page.get_by_test_id("acknowledge-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    log_out(page)

    record = DisciplinaryRecord.objects.get()
    assert record.acknowledged_at is not None
    log_in(page, live_server, head, password)
    page.goto(f"{live_server.url}/hr/discipline/{record.pk}/")
    expect(page.get_by_test_id("acknowledged")).not_to_have_text(re.compile("noch nicht|not yet"))
