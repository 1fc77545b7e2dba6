"""Vacation in Chromium: an employee asks for a week off, their head approves it, and the
employee's balance shows the week planned and five days fewer remaining."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backoffice import roles
from hr.models import Absence
from tests.browser_fixtures import browser_log_in
from tests.hr.factories import DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _number(text: str) -> Decimal:
    return Decimal(text.strip().replace(".", "").replace(",", "."))


def _week_without_holidays() -> datetime.date:
    """A Monday five weeks ahead whose week has five working days."""
    from hr import absence_calculation as calc

    day = timezone.localdate() + datetime.timedelta(weeks=5)
    day -= datetime.timedelta(days=day.weekday())
    while calc.leave_days(day, day + datetime.timedelta(days=4)) != 5:
        day += datetime.timedelta(weeks=1)
    return day


def test_employee_asks_for_vacation_the_head_approves_the_balance_follows(
    page, live_server, make_user, password
):
    dept = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    staff = make_user(roles.STAFF, department=dept)
    monday = _week_without_holidays()
    year_url = f"{live_server.url}/hr/absences/?year={monday.year}"

    browser_log_in(page, live_server, staff, password)
    page.goto(year_url)
    before = _number(page.get_by_test_id("balance-remaining").inner_text())
    form = page.get_by_test_id("absence-request-form")
    form.locator("#id_kind").select_option("vacation")
    form.locator("#id_start_date").fill(monday.isoformat())
    form.locator("#id_end_date").fill((monday + datetime.timedelta(days=4)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("ul.messages li.success")).to_be_visible()
    page.goto(year_url)
    expect(page.get_by_test_id("balance-pending")).to_have_text("5")
    page.locator("form.logout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    browser_log_in(page, live_server, head, password)
    page.goto(live_server.url + "/hr/absences/approvals/")
    page.get_by_test_id("absences-to-decide").locator("a").first.click()
    page.get_by_test_id("approve").click()
    expect(page.locator("ul.messages li.success")).to_be_visible()
    assert Absence.objects.get(employee=staff.employee).status == Absence.Status.APPROVED
    page.locator("form.logout button[type=submit]").click()

    browser_log_in(page, live_server, staff, password)
    page.goto(year_url)
    expect(page.get_by_test_id("balance-planned")).to_have_text("5")
    expect(page.get_by_test_id("balance-pending")).to_have_text("0")
    after = _number(page.get_by_test_id("balance-remaining").inner_text())
    assert after == before - 5
