"""Payday in Chromium: the payroll clerk calculates from the dashboard and watches the progress
bar finish, an accountant approves, the clerk pays; a staff member downloads a payslip PDF."""

import datetime
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation
from playwright.sync_api import expect

from backoffice import roles
from backoffice.money import format_money
from payroll.models import PayrollRun, Payslip
from payroll.services import payday
from payroll.services.payday import (
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payroll_chunk_calculate,
)
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user, password):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")


def log_out(page):
    page.locator("form.logout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_clerk_runs_payday_and_watches_the_progress_bar(
    page, live_server, make_user, password, monkeypatch
):
    """Three employees, one per chunk. The chunks are held back (as if the Celery worker were
    busy) until the page shows the run calculating; then the worker takes them one by one and
    the bar, polling the server, follows to 100 % and the page shows the review. An
    accountant approves, the clerk pays."""
    schedule = payroll_setup()
    departments = [DepartmentFactory(code="PROD"), DepartmentFactory(code="VERT")]
    for i, salary in enumerate(["3000.00", "3200.00", "4100.00"]):
        profile(
            schedule,
            salary=salary,
            iban_index=i,
            employee=EmployeeFactory(department=departments[i % 2]),
        )
    clerk, accountant = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)

    held: list[int] = []
    monkeypatch.setattr(payday, "CHUNK_SIZE", 1)
    monkeypatch.setattr(
        payday, "_queue", lambda ids: transaction.on_commit(lambda: held.extend(ids))
    )

    log_in(page, live_server, clerk, password)
    page.goto(live_server.url + "/payroll/")
    page.locator("#month").fill("2026-03")
    page.locator("[data-testid=period-picker] button[type=submit]").click()
    expect(page.locator("[data-testid=period] h2")).to_contain_text("2026")
    expect(page.locator("[data-testid=readiness-ok]")).to_be_visible()
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "none")

    page.locator("[data-testid=calculate]").click()
    progress = page.locator("#payday-progress")
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "calculating")
    expect(progress).to_have_attribute("value", "0")
    assert len(held) == 3
    # Not a silent 0 %: the page says what the run waits for.
    activity = page.locator("[data-testid=progress-activity]")
    expect(activity).to_contain_text("Wartet auf einen Worker: 3 Teile in der Warteschlange.")

    # The worker: one chunk, then the bar shows a third; then the rest.
    payroll_chunk_calculate(chunk_id=held[0])
    expect(page.locator("[data-testid=progress-percent]")).to_have_text("33")
    expect(activity).to_contain_text(
        "1 von 3 Teilen geschrieben, 0 in Berechnung, 2 in der Warteschlange."
    )
    for chunk_id in held[1:]:
        payroll_chunk_calculate(chunk_id=chunk_id)
    # When the run is calculated the script reloads the page: the review shows.
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "calculated")
    expect(progress).to_have_attribute("value", "100")
    run = PayrollRun.objects.get()
    slips = list(Payslip.objects.filter(run=run))
    assert len(slips) == 3
    with translation.override("de"):
        total_net = format_money(sum(s.net for s in slips))
        total_gross = format_money(sum(s.gross for s in slips))
    expect(page.locator("[data-testid=total-net]")).to_have_text(total_net)
    expect(page.locator("[data-testid=total-gross]")).to_have_text(total_gross)
    expect(page.locator("[data-testid=payslips] tbody tr")).to_have_count(3)
    # Four eyes: whoever calculated is not offered Approve.
    expect(page.locator("[data-testid=approve]")).to_have_count(0)
    expect(page.locator("[data-testid=second-approver-note]")).to_be_visible()
    run_url = page.url
    log_out(page)

    log_in(page, live_server, accountant, password)
    page.goto(run_url)
    # The confirmation names the payees and the net total; the box must be ticked.
    expect(page.locator("[data-testid=approve-summary]")).to_contain_text(total_net)
    expect(page.locator("[data-testid=approve-summary]")).to_contain_text("3")
    page.locator("[data-testid=approve-confirm]").check()
    page.locator("[data-testid=approve]").click()
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("[data-testid=approved-by]")).to_contain_text(accountant.username)
    log_out(page)

    log_in(page, live_server, clerk, password)
    page.goto(run_url)
    expect(page.locator("[data-testid=pay-summary]")).to_contain_text(total_net)
    page.locator("[data-testid=pay-confirm]").check()
    page.locator("[data-testid=pay]").click()
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "paid")
    expect(page.locator("[data-testid=journal-entry]")).to_be_visible()
    expect(page.locator("[data-testid=bankfile]")).to_be_visible()
    expect(page.locator("[data-testid=total-net]")).to_have_text(total_net)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    assert run.paid_by == clerk


def test_staff_downloads_their_payslip_pdf(page, live_server, make_user, password):
    """A staff member with a paid payslip opens "my payslips" and downloads the PDF."""
    schedule = payroll_setup()
    staff = make_user(roles.STAFF)
    profile(schedule, employee=staff.employee, salary="3000.00")
    calculator, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)
    # transaction=True: the chunk and PDF tasks run (eagerly) as each transaction commits.
    run = payday_run_calculate(
        period=period_for(schedule, datetime.date(2026, 3, 1)), user=calculator
    )
    payday_run_approve(run=run, user=approver)
    payday_run_pay(run=run, user=approver)
    slip = Payslip.objects.get(run=run, employee=staff.employee)
    assert slip.published_at is not None

    log_in(page, live_server, staff, password)
    page.goto(live_server.url + "/payroll/my/payslips/")
    with translation.override("de"):
        net = format_money(slip.net)
    expect(page.locator("[data-testid=my-payslips]")).to_contain_text(net)
    with page.expect_download() as info:
        page.locator(f"[data-testid=payslip-pdf-{slip.pk}]").click()
    download = info.value
    assert download.suggested_filename == "payslip-2026-03.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
