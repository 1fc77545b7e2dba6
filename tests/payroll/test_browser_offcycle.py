"""An off-cycle bonus in Chromium (German): the payroll clerk opens the off-cycle page from the
payday dashboard, types part of a name, the autocomplete offers the employee, the clerk picks
them, enters a bonus with a decimal comma and starts the run, which calculates one payslip."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from backoffice import roles
from payroll.models import OffCycleItem, PayrollRun, Payslip
from tests.browser_fixtures import browser_log_in
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import payroll_setup, profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_picks_an_employee_from_the_autocomplete_and_starts_a_bonus_run(
    page, live_server, make_user, password
):
    schedule = payroll_setup()
    anna = profile(
        schedule,
        salary="3000.00",
        employee=EmployeeFactory(first_name="Anna", last_name="Lindqvist"),
    ).employee
    profile(schedule, salary="3000.00", iban_index=1, employee=EmployeeFactory(last_name="Meyer"))
    clerk = make_user(roles.PAYROLL_CLERK)

    browser_log_in(page, live_server, clerk, password)
    page.goto(live_server.url + "/payroll/?month=2026-03")
    page.get_by_test_id("offcycle-new").click()
    expect(page.locator("h1")).to_contain_text("Neuer Sonderlauf")

    employee = page.locator("input[name=row-0-employee]")
    employee.press_sequentially("lindq", delay=30)
    options = page.locator("#offcycle-employees option")
    expect(options).to_have_count(1)
    label = options.first.get_attribute("value")
    assert label == f"Lindqvist, Anna ({anna.personnel_number})"
    employee.fill(label)
    page.locator("select[name=row-0-kind]").select_option("bonus")
    page.locator("input[name=row-0-amount]").fill("250,50")
    page.locator("input[name=row-0-text]").fill("Projekt Nordlicht")
    page.get_by_test_id("offcycle-calculate").click()

    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "calculated")
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    assert OffCycleItem.objects.get(run=run).amount == Decimal("250.50")
    slip = Payslip.objects.get(run=run)
    assert (slip.employee_id, slip.gross) == (anna.pk, Decimal("250.50"))


def test_more_rows_keeps_the_typed_row_and_a_mistaken_run_is_cancelled(
    page, live_server, make_user, password
):
    """The clerk types a bonus row, asks for more rows (the typed row stays, five empty rows
    follow), starts the run, sees it was a mistake and cancels it on the run's page with the
    confirmation: the run is "Storniert" and its payslip is gone."""
    schedule = payroll_setup()
    anna = profile(schedule, salary="3000.00").employee
    clerk = make_user(roles.PAYROLL_CLERK)

    browser_log_in(page, live_server, clerk, password)
    page.goto(live_server.url + "/payroll/?month=2026-03")
    page.get_by_test_id("offcycle-new").click()
    page.locator("input[name=row-0-employee]").fill(anna.personnel_number)
    page.locator("select[name=row-0-kind]").select_option("bonus")
    page.locator("input[name=row-0-amount]").fill("99,90")
    page.get_by_test_id("offcycle-more-rows").click()

    expect(page.locator("input[name=row-9-employee]")).to_have_count(1)
    expect(page.locator("input[name=row-0-employee]")).to_have_value(anna.personnel_number)
    expect(page.locator("input[name=row-0-amount]")).to_have_value("99,90")
    expect(page.locator("select[name=row-0-kind]")).to_have_value("bonus")
    assert not PayrollRun.objects.exists()
    page.get_by_test_id("offcycle-calculate").click()

    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "calculated")
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    assert Payslip.objects.get(run=run).gross == Decimal("99.90")
    page.get_by_test_id("cancel-open").click()
    page.get_by_test_id("cancel-confirm").check()
    page.get_by_test_id("cancel-run").click()

    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id("run-status")).to_have_text("Storniert")
    assert not Payslip.objects.filter(run=run).exists()
