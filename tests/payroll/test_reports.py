"""Payroll reports: the payroll register of a paid run and the year-to-date totals per
employee, in the browser and as CSV (standard and Excel-German, formulas neutralised), for
payroll clerks, accountants and auditors only, at a query count that does not grow with the
number of payslips.

The paid runs are built through the real payday services (calculate, approve by a second
person, pay). Hand-worked amounts (RV 9.3 % employee and employer, LST 15 %, KIST 9 % of LST
for church members):

- P001, salaried 4,500.00, church member, direct deposit: RV 418.50, LST 675.00,
  KIST 60.75, deductions 1,154.25, net 3,345.75, employer 418.50.
- P002, salaried 3,000.00, cheque: RV 279.00, LST 450.00, KIST 0.00, deductions 729.00,
  net 2,271.00, employer 279.00.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from payroll.models import PayrollRun
from payroll.services.payday import payday_run_approve, payday_run_calculate, payday_run_pay
from payroll.views import reports as report_views
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)
MAY = datetime.date(2026, 5, 1)
FORMULA_NAME = '=HYPERLINK("http://evil.example")'


@pytest.fixture
def clerks(make_user):
    return make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def pay(clerks, django_capture_on_commit_callbacks):
    """Pay a period through the real services: calculate (chunks run on commit), approve by a
    second clerk, pay."""
    calculator, approver = clerks

    def run_payday(schedule, day, *, paid=True) -> PayrollRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = payday_run_calculate(period=period_for(schedule, day), user=calculator)
        run.refresh_from_db()
        assert run.status == PayrollRun.Status.CALCULATED
        if paid:
            payday_run_approve(run=run, user=approver, changes_acknowledged=True)
            payday_run_pay(run=run, user=approver)
            run.refresh_from_db()
            assert run.status == PayrollRun.Status.PAID
        return run

    return run_payday


@pytest.fixture
def two_employees(schedule):
    fibu, prod = DepartmentFactory(code="FIBU"), DepartmentFactory(code="PROD")
    church = profile(
        schedule,
        salary="4500.00",
        church_member=True,
        employee=EmployeeFactory(
            personnel_number="P001", first_name="Anna", last_name="Berger", department=fibu
        ),
    )
    cheque = profile(
        schedule,
        salary="3000.00",
        pay_method="cheque",
        iban="",
        employee=EmployeeFactory(
            personnel_number="P002", first_name="Bernd", last_name=FORMULA_NAME, department=prod
        ),
    )
    return church, cheque


@pytest.fixture
def clerk_client(client, clerks):
    client.force_login(clerks[0])
    return client


def register_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("payroll:payroll_register") + (f"?{query}" if query else "")


def ytd_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("payroll:ytd_totals") + (f"?{query}" if query else "")


def csv_rows(response, *, delimiter=",") -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


# --- Payroll register --------------------------------------------------------------------------


def test_register_shows_each_payslip_with_deduction_columns_and_totals(
    clerk_client, schedule, two_employees, pay
):
    """One row per payslip of the paid run with every deduction code of the run as a column
    (a rule that did not apply shows 0.00), and a totals row that adds up."""
    run = pay(schedule, MARCH)
    response = clerk_client.get(register_url(run=run.pk))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert [c.code for c in totals.columns] == ["RV", "LST", "KIST"]
    rows = response.context["rows"]
    assert [
        (
            r.personnel_number,
            r.department,
            r.gross,
            r.amounts,
            r.deductions,
            r.net,
            r.employer_contributions,
        )
        for r in rows
    ] == [
        (
            "P001",
            "FIBU",
            Decimal("4500.00"),
            (Decimal("418.50"), Decimal("675.00"), Decimal("60.75")),
            Decimal("1154.25"),
            Decimal("3345.75"),
            Decimal("418.50"),
        ),
        (
            "P002",
            "PROD",
            Decimal("3000.00"),
            (Decimal("279.00"), Decimal("450.00"), Decimal("0.00")),
            Decimal("729.00"),
            Decimal("2271.00"),
            Decimal("279.00"),
        ),
    ]
    assert [r.name for r in rows] == ["Berger, Anna", f"{FORMULA_NAME}, Bernd"]
    assert [r.pay_method for r in rows] == ["Direct deposit", "Cheque"]
    assert (totals.payslips, totals.gross, totals.deductions, totals.net) == (
        2,
        Decimal("7500.00"),
        Decimal("1883.25"),
        Decimal("5616.75"),
    )
    assert totals.employer_contributions == Decimal("697.50")
    assert [c.total for c in totals.columns] == [
        Decimal("697.50"),
        Decimal("1125.00"),
        Decimal("60.75"),
    ]
    content = response.content.decode()
    assert 'data-testid="total-net"' in content
    assert "Berger, Anna" in content


def test_register_by_period_and_by_default_shows_the_latest_paid_run(
    clerk_client, schedule, two_employees, pay
):
    """``?period=`` covers the period's paid runs; without a choice the latest paid run is
    shown; a run that is only calculated is not offered."""
    march = pay(schedule, MARCH)
    april = pay(schedule, APRIL)
    pay(schedule, MAY, paid=False)

    by_period = clerk_client.get(register_url(period=march.period_id))
    assert by_period.status_code == 200
    assert by_period.context["totals"].net == Decimal("5616.75")

    latest = clerk_client.get(register_url())
    assert latest.context["run"] == april
    assert latest.context["query"] == f"run={april.pk}"

    unpaid = PayrollRun.objects.get(status=PayrollRun.Status.CALCULATED)
    refused = clerk_client.get(register_url(run=unpaid.pk))
    assert refused.status_code == 400
    assert b"filter-errors" in refused.content


def test_register_without_any_paid_run_says_so(clerk_client, schedule):
    """Before the first payday the register explains that there is nothing to show."""
    response = clerk_client.get(register_url())
    assert response.status_code == 200
    assert b"no-paid-run" in response.content


@pytest.mark.parametrize(
    "query", ["run=abc", "period=999999", "run=1&after=broken", "run=1&period=1"]
)
def test_register_bad_filters_are_a_message_not_a_500(
    clerk_client, schedule, two_employees, pay, query
):
    """Nonsense in the query string shows what is wrong (400), never a server error."""
    run = pay(schedule, MARCH)
    query = query.replace("run=1", f"run={run.pk}").replace("period=1", f"period={run.period_id}")
    response = clerk_client.get(reverse("payroll:payroll_register") + "?" + query)
    assert response.status_code == 400
    assert b"filter-errors" in response.content


def test_register_pages_through_the_payslips(
    clerk_client, schedule, two_employees, pay, monkeypatch
):
    """The browser shows a bounded page; "Next" continues where the page ended, and the
    totals always cover the whole run."""
    monkeypatch.setattr(report_views, "PAGE_SIZE", 1)
    run = pay(schedule, MARCH)
    first = clerk_client.get(register_url(run=run.pk))
    assert [r.personnel_number for r in first.context["rows"]] == ["P001"]
    assert first.context["totals"].payslips == 2
    second = clerk_client.get(
        f"{reverse('payroll:payroll_register')}?{first.context['next_query']}"
    )
    assert [r.personnel_number for r in second.context["rows"]] == ["P002"]
    assert second.context["next_query"] == ""


def test_register_csv_standard_and_excel_german(clerk_client, schedule, two_employees, pay):
    """The CSV holds the same rows and the totals row; standard uses commas and decimal
    points, excel-de semicolons, decimal commas and a BOM; a name that looks like a formula is
    neutralised."""
    run = pay(schedule, MARCH)
    response = clerk_client.get(register_url(run=run.pk, format="csv"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[4:8] == [header[4], "RV", "LST", "KIST"]
    assert len(header) == 12
    assert body[0][0] == "P001"
    assert body[0][4:11] == ["4500.00", "418.50", "675.00", "60.75", "1154.25", "3345.75", "418.50"]
    assert body[1][1] == f"'{FORMULA_NAME}, Bernd"
    assert body[1][6:9] == ["450.00", "0.00", "729.00"]
    assert total[4:11] == ["7500.00", "697.50", "1125.00", "60.75", "1883.25", "5616.75", "697.50"]

    german = clerk_client.get(register_url(run=run.pk, format="csv", dialect="excel-de"))
    raw = b"".join(german.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[1][4] == "4500,00"
    assert rows[-1][9] == "5616,75"
    assert rows[2][1].startswith("'=")


# --- Year-to-date totals -----------------------------------------------------------------------


def test_ytd_totals_add_up_the_paid_payslips_of_the_year(
    clerk_client, schedule, two_employees, pay
):
    """Per employee, the payslips of paid runs with a payday in the year are summed; a run
    that is only calculated does not count, and another year shows nobody."""
    pay(schedule, MARCH)
    pay(schedule, APRIL)
    pay(schedule, MAY, paid=False)

    response = clerk_client.get(ytd_url(year=2026))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [
        (r.personnel_number, r.payslips, r.gross, r.deductions, r.net, r.employer_contributions)
        for r in rows
    ] == [
        ("P001", 2, Decimal("9000.00"), Decimal("2308.50"), Decimal("6691.50"), Decimal("837.00")),
        ("P002", 2, Decimal("6000.00"), Decimal("1458.00"), Decimal("4542.00"), Decimal("558.00")),
    ]
    totals = response.context["totals"]
    assert (totals.employees, totals.payslips, totals.net) == (2, 4, Decimal("11233.50"))
    assert "2.026" not in response.content.decode()  # a year, not a number with a separator

    csv_response = clerk_client.get(ytd_url(year=2026, format="csv"))
    rows = csv_rows(csv_response)
    assert rows[1] == [
        "P001",
        "Berger, Anna",
        "FIBU",
        "2",
        "9000.00",
        "2308.50",
        "6691.50",
        "837.00",
    ]
    assert rows[2][1] == f"'{FORMULA_NAME}, Bernd"
    assert rows[-1][3:] == ["4", "15000.00", "3766.50", "11233.50", "1395.00"]

    german = clerk_client.get(ytd_url(year=2026, format="csv", dialect="excel-de"))
    rows = csv_rows(german, delimiter=";")
    assert rows[1][4:] == ["9000,00", "2308,50", "6691,50", "837,00"]

    other_year = clerk_client.get(ytd_url(year=2025))
    assert other_year.context["rows"] == []
    assert other_year.context["totals"].payslips == 0


def test_ytd_defaults_to_this_year_pages_and_refuses_a_bad_year(
    clerk_client, schedule, two_employees, pay, monkeypatch
):
    """Without a year the current one is shown; pages are bounded; a year that is not a
    number is a message (400)."""
    monkeypatch.setattr(report_views, "PAGE_SIZE", 1)
    pay(schedule, MARCH)
    first = clerk_client.get(ytd_url(year=2026))
    assert [r.personnel_number for r in first.context["rows"]] == ["P001"]
    second = clerk_client.get(f"{reverse('payroll:ytd_totals')}?{first.context['next_query']}")
    assert [r.personnel_number for r in second.context["rows"]] == ["P002"]
    assert second.context["next_query"] == ""

    assert clerk_client.get(ytd_url()).status_code == 200
    bad = clerk_client.get(ytd_url(year="zwanzig"))
    assert bad.status_code == 400
    assert b"filter-errors" in bad.content


# --- Who may see the reports -------------------------------------------------------------------


def _all_urls(run_id: int) -> list[str]:
    return [
        reverse("payroll:reports"),
        register_url(),
        register_url(run=run_id),
        register_url(run=run_id, format="csv"),
        register_url(run=run_id, format="csv", dialect="excel-de"),
        ytd_url(),
        ytd_url(year=2026, format="csv"),
        ytd_url(year=2026, format="csv", dialect="excel-de"),
    ]


@pytest.mark.parametrize("role", [roles.STAFF, roles.DEPARTMENT_HEAD, roles.DATA_ENTRY_CLERK])
def test_other_roles_get_403_on_every_page_and_export(
    client, make_user, schedule, two_employees, pay, role
):
    """Staff, department heads and data-entry clerks see no payroll report and download no
    CSV: 403 everywhere."""
    run = pay(schedule, MARCH)
    client.force_login(make_user(role))
    for url in _all_urls(run.pk):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", [roles.PAYROLL_CLERK, roles.ACCOUNTANT, roles.AUDITOR])
def test_payroll_clerks_accountants_and_auditors_see_every_report(
    client, make_user, schedule, two_employees, pay, role
):
    """The roles that hold payroll.export_payroll_reports open every page and download."""
    run = pay(schedule, MARCH)
    client.force_login(make_user(role))
    for url in _all_urls(run.pk):
        response = client.get(url)
        assert response.status_code == 200, url
        if "format=csv" in url:
            b"".join(response.streaming_content)


def test_index_links_to_the_reports(clerk_client):
    """The reports start page links to the register and the year-to-date totals."""
    content = clerk_client.get(reverse("payroll:reports")).content.decode()
    assert reverse("payroll:payroll_register") in content
    assert reverse("payroll:ytd_totals") in content


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("payroll:payroll_register"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    """Queries of one GET (a CSV read to its end). A first, unmeasured GET fills what the
    process caches, so the count does not depend on which test ran first."""

    def get():
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)

    get()
    with CaptureQueriesContext(connection) as captured:
        get()
    return len(captured.captured_queries)


def _measure(client, run: PayrollRun) -> dict[str, int]:
    urls = {
        "index": reverse("payroll:reports"),
        "register": register_url(run=run.pk),
        "register_csv": register_url(run=run.pk, format="csv"),
        "register_csv_de": register_url(run=run.pk, format="csv", dialect="excel-de"),
        "ytd": ytd_url(year=2026),
        "ytd_csv": ytd_url(year=2026, format="csv"),
        "ytd_csv_de": ytd_url(year=2026, format="csv", dialect="excel-de"),
    }
    return {name: _queries(client, url) for name, url in urls.items()}


def test_report_queries_do_not_grow_with_the_payslips(clerk_client, schedule, two_employees, pay):
    """Each page and each CSV costs as many queries for a run of 2 payslips (one paid run in
    the year) as for a run of 8 (two paid runs, more employees, more departments): nothing is
    read row by row."""
    small = _measure(clerk_client, pay(schedule, MARCH))
    for i in range(6):
        cheque = {"pay_method": "cheque", "iban": ""} if i % 3 == 0 else {}
        profile(
            schedule,
            salary=f"{3000 + i * 100}.00",
            church_member=i % 2 == 0,
            iban_index=i,
            employee=EmployeeFactory(personnel_number=f"Q{i:03d}", department=DepartmentFactory()),
            **cheque,
        )
    large_run = pay(schedule, APRIL)
    assert large_run.payslips.count() == 8
    large = _measure(clerk_client, large_run)
    assert large == small
