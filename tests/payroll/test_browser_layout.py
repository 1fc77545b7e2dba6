"""Issue 9, item 9: on a 1,366 px wide screen (a common office laptop) the payday review shows
every column, its "change" column included, without scrolling sideways, and the header
navigation stays on one line, for the user who sees the most links (the superuser)."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from backoffice import roles
from payroll.services.payday import payday_run_approve, payday_run_calculate, payday_run_pay
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1366

# What the browser measures: each column header's right edge against the window, whether the
# page scrolls sideways, and how far apart the header's parts sit vertically.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector("main");
  const headers = [...document.querySelectorAll(
    "[data-testid=department-totals] thead th, [data-testid=payslips] thead th")];
  const parts = [document.querySelector(".brand"),
                 ...document.querySelectorAll(".mainnav a"),
                 document.querySelector(".tools")];
  const tops = parts.map(p => p.getBoundingClientRect().top);
  const bottoms = parts.map(p => p.getBoundingClientRect().bottom);
  return {
    width,
    pageScrolls: document.documentElement.scrollWidth > width,
    mainScrolls: main.scrollWidth > main.clientWidth,
    cutHeaders: headers.filter(h => h.getBoundingClientRect().right > width + 0.5)
                       .map(h => h.textContent.trim()),
    headerCount: headers.length,
    navLinks: parts.length - 2,
    headerSpread: Math.max(...tops) - Math.min(...tops),
    partHeight: Math.max(...bottoms.map((b, i) => b - tops[i])),
  };
}"""


def _review_with_changes(make_user):
    """A paid February and a calculated March whose totals changed (a new hire in March), so
    the review shows previous net pay, the change and the "large change" flags."""
    schedule = payroll_setup()
    departments = [
        DepartmentFactory(code="PROD", name="Produktion und Instandhaltung"),
        DepartmentFactory(code="EINK", name="Einkauf und Logistik"),
    ]
    for i, salary in enumerate(["3000.00", "3200.00", "4100.00", "2850.00"]):
        profile(
            schedule,
            salary=salary,
            iban_index=i,
            employee=EmployeeFactory(
                department=departments[i % 2], hire_date=datetime.date(2020, 1, 1)
            ),
        )
    clerk, accountant = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)
    february = payday_run_calculate(
        period=period_for(schedule, datetime.date(2026, 2, 1)), user=clerk
    )
    payday_run_approve(run=february, user=accountant)
    payday_run_pay(run=february, user=accountant)
    profile(
        schedule,
        salary="5200.00",
        iban_index=7,
        employee=EmployeeFactory(department=departments[0], hire_date=datetime.date(2026, 3, 1)),
    )
    return payday_run_calculate(period=period_for(schedule, datetime.date(2026, 3, 1)), user=clerk)


def test_payday_review_fits_1366_pixels_with_the_header_on_one_line(
    page, live_server, make_user, password
):
    run = _review_with_changes(make_user)
    admin = make_user(employee=False, is_superuser=True, is_staff=True)
    page.set_viewport_size({"width": WIDTH, "height": 768})
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")

    page.goto(live_server.url + reverse("payroll:run_detail", args=[run.pk]))
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "calculated")
    expect(page.locator("[data-testid=flag]").first).to_be_visible()
    change = page.locator("[data-testid=payslips] thead th").filter(has_text="Änderung")
    expect(change).to_be_visible()

    figures = page.evaluate(MEASURE)
    assert figures["width"] == WIDTH
    assert figures["headerCount"] >= 16
    assert figures["cutHeaders"] == []
    assert not figures["pageScrolls"] and not figures["mainScrolls"], figures
    # One line: every part of the header starts at the same height, none taller than a line.
    assert figures["navLinks"] >= 5
    assert figures["headerSpread"] < 8, figures
    assert figures["partHeight"] < 48, figures
