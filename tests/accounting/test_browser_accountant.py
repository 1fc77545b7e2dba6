"""An accountant in Chromium: opens the budget dashboard from the home page and downloads the
general ledger as CSV."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounting.models import Account, Budget
from accounting.services import fiscal_year_open
from backoffice import roles
from tests.accounting.factories import post_expense
from tests.hr.factories import DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accountant_sees_the_budget_chart_and_downloads_the_general_ledger(
    page, live_server, make_user, password, tmp_path
):
    year = datetime.date.today().year
    fy = fiscal_year_open(year=year)
    sales = DepartmentFactory(code="VERT", name="Vertrieb")
    Budget.objects.create(
        department=sales,
        fiscal_year=fy,
        account=Account.objects.get(number="4930"),
        amount=Decimal("1000.00"),
    )
    post_expense(amount="850.00", department=sales, date=datetime.date(year, 1, 15))
    accountant = make_user(roles.ACCOUNTANT)

    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(accountant.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")

    page.locator("ul.cards").get_by_role("link", name="Budgets").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budgets")
    chart = page.get_by_test_id("budget-chart")
    expect(chart.locator("svg")).to_be_visible()
    totals = page.get_by_test_id("department-totals")
    expect(totals).to_contain_text("VERT")
    expect(totals).to_contain_text("850,00")
    expect(totals).to_contain_text("1.000,00")

    page.goto(live_server.url + "/accounting/reports/general-ledger/")
    expect(page.get_by_test_id("general-ledger")).to_contain_text("4930")
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-excel-de").click()
    download = download_info.value
    target = Path(tmp_path) / "hauptbuch.csv"
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())  # BOM for Excel
    text = raw.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    assert re.search(r"850,00", text)
    assert "4930" in text
