"""The accountant reconciles the demo statement in Chromium: the bank accounts page shows the
house bank's IBAN (the one payroll's SEPA files pay from); the statement's two open lines are
booked against accounts the accountant chooses (none is preset), and the statement
reconciles."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounting.models import Account, BankStatement, BankStatementLine
from hr.demo import DEMO_PASSWORD
from payroll.models import BankFile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accountant_reconciles_the_demo_statement(page, live_server):
    # Seeded as on 10 February: one paid month (its payslip PDFs render eagerly in tests).
    february = datetime.date(datetime.date.today().year, 2, 10)
    with mock.patch("django.utils.timezone.localdate", return_value=february):
        call_command("seed_demo", employees=20)
    house_bank = Account.objects.get(number="1200")
    assert house_bank.iban
    assert f"<IBAN>{house_bank.iban}</IBAN>" in BankFile.objects.order_by("pk").last().xml
    statement = BankStatement.objects.get()
    open_lines = list(statement.lines.filter(status=BankStatementLine.Status.UNMATCHED))
    assert len(open_lines) == 2

    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("accountant")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")

    page.goto(live_server.url + "/accounting/bank-accounts/")
    expect(page.get_by_test_id("bank-1200")).to_contain_text(house_bank.iban)
    page.get_by_test_id("bank-1200").get_by_role("link", name=statement.reference).click()
    expect(page.get_by_test_id("reconciled")).not_to_contain_text(":")

    for line in open_lines:
        row = page.get_by_test_id(f"line-{line.pk}")
        select = row.locator(f"#account-{line.pk}")
        expect(select).to_have_value("")  # no preset counter-account
        counter = Account.objects.get(number="1400" if line.amount > 0 else "4970")
        select.select_option(str(counter.pk))
        row.locator("form[action$='/book/'] button[type=submit]").click()
        expect(page.get_by_test_id(f"line-{line.pk}")).to_have_class("line-booked")

    expect(page.get_by_test_id("difference")).to_have_count(0)
    page.get_by_test_id("reconcile").click()
    expect(page.get_by_test_id("reconciled")).to_contain_text(" · ")
    statement.refresh_from_db()
    assert statement.reconciled_at is not None
