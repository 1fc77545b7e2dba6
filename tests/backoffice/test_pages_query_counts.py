"""Every page of issue 14's table costs the same number of queries at two data sizes, for each
role that uses it, and shows the larger data (so a page that answers empty cannot pass).

Page (issue 14)                  Roles measured here          Also covered at two sizes by
-------------------------------  ---------------------------  ------------------------------------
Payday dashboard /payroll/       payroll clerk (with runs)    payroll/test_dashboard.py (clerk,
                                                              readiness without runs)
Run review of a calculated run   clerk, accountant, auditor   payroll/test_dashboard.py (clerk,
                                                              also ?changes=large)
Run detail of a paid run         clerk, accountant, auditor   -
Admin payslip changelist         clerk, accountant, auditor   payroll/test_admin_list_shapes.py
                                                              (clerk, filtered by pay method)
Payroll register (latest paid    clerk, accountant, auditor   payroll/test_reports.py (a chosen
run), page and CSV                                            run, year-to-date totals; clerk)
Admin employee changelist with   payroll clerk, auditor       hr/test_employee_admin_search.py
a search                                                      (HR manager)
Home                             -                            backoffice/test_home_queries.py
                                                              (staff, HR manager; links by
                                                              permission, no data)
Employee list                    payroll clerk, auditor       backoffice/test_home_queries.py
                                                              (HR manager, department head)
Trial balance, general ledger    auditor                      accounting/test_reports.py (every
page and CSV                                                  report and CSV; accountant)
Budget dashboard                 -                            accounting/test_budgets.py
                                                              (accountant, department head)
Admin journal entries            accountant, auditor          -

(paths under tests/)

Each test here measures every (page, role) once on a small data set, grows the data set
(more departments, many more employees, more paid runs, many more ledger lines) and measures
again. A first, unmeasured GET fills what the process caches (session, permissions, content
types), so a count does not depend on which request came first.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import Budget, FiscalYear, JournalEntry, JournalLine
from accounting.services import EntrySpec, Line, journal_entries_post, journal_entry_reverse
from accounting.views.reports import PAGE_SIZE as LEDGER_PAGE
from backoffice import roles
from hr.models import Employee
from hr.views import PAGE_SIZE as EMPLOYEES_PAGE
from payroll.models import PayProfile, PayrollRun, Payslip
from payroll.services.payday import payday_run_approve, payday_run_calculate, payday_run_pay
from tests.accounting.factories import account, open_year
from tests.hr.factories import DepartmentFactory, EmployeeFactory, PositionFactory
from tests.payroll.factories import VALID_IBANS, payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

MONTHS = [datetime.date(2026, month, 1) for month in range(1, 13)]


def _get(client, url, params=None):
    """One GET read to its end (a streamed CSV too)."""
    response = client.get(url, params)
    assert response.status_code == 200, url
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    return response


def _measure(client, user, url, params=None):
    """Queries of one GET by ``user``, after an unmeasured one; and the response."""
    client.force_login(user)
    _get(client, url, params)
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, url, params)
    return len(captured.captured_queries), response


def _grown(small: dict, large: dict) -> dict:
    """The (page, role) pairs whose count changed, with both counts: the failure names them."""
    return {key: (small[key], large[key]) for key in small if small[key] != large[key]}


# --- Payroll: dashboard, run review, paid run, payslip admin, register ------------------------


@pytest.fixture
def payroll_users(make_user):
    return {
        "clerk": make_user(roles.PAYROLL_CLERK),
        "accountant": make_user(roles.ACCOUNTANT),
        "auditor": make_user(roles.AUDITOR),
    }


def _grow_profiles(schedule, total: int, departments) -> None:
    """Employees with approved pay profiles up to ``total``, over ``departments``; one in five
    is paid by cheque. Each department has a salary budget the payroll nearly uses up, so
    the dashboard warns about it."""
    fiscal_year = FiscalYear.objects.get(year=2026)
    for department in departments:
        Budget.objects.get_or_create(
            department=department,
            fiscal_year=fiscal_year,
            account_group="41",
            defaults={"amount": Decimal("1000.00")},
        )
    for i in range(PayProfile.objects.count(), total):
        cheque = i % 5 == 2
        profile(
            schedule,
            salary=f"{2500 + 10 * i}.00",
            iban_index=i,
            employee=EmployeeFactory(department=departments[i % len(departments)]),
            **({"pay_method": PayProfile.PayMethod.CHEQUE, "iban": ""} if cheque else {}),
        )


BROKEN_IBAN = "DE00123456789"


def _break_ibans() -> int:
    """Every twentieth direct-deposit profile gets an IBAN that is no IBAN: the next
    calculation lists an error for each. Returns how many."""
    deposits = PayProfile.objects.filter(pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT)
    broken = list(deposits.order_by("pk").values_list("pk", flat=True)[::20])
    PayProfile.objects.filter(pk__in=broken).update(iban=BROKEN_IBAN)
    return len(broken)


def _mend_ibans() -> None:
    PayProfile.objects.filter(iban=BROKEN_IBAN).update(iban=VALID_IBANS[0])


def _calculated(schedule, user, day, capture) -> PayrollRun:
    """Calculate through the real service; the chunk tasks run when the transaction commits."""
    with capture(execute=True):
        run = payday_run_calculate(period=period_for(schedule, day), user=user)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    return run


def _pay(run: PayrollRun, approver, capture) -> PayrollRun:
    payday_run_approve(run=run, user=approver)
    with capture(execute=True):
        payday_run_pay(run=run, user=approver)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    return run


def _payroll_pages(client, users, *, calculated: PayrollRun, paid: PayrollRun):
    """Query counts per (page, role), and the responses to check what they show."""
    clerk, accountant, auditor = users["clerk"], users["accountant"], users["auditor"]
    month = f"{calculated.period.start:%Y-%m}"
    register = reverse("payroll:payroll_register")
    pages = [
        ("dashboard", [clerk], reverse("payroll:dashboard"), {"month": month}),
        (
            "review (calculated run)",
            [clerk, accountant, auditor],
            reverse("payroll:run_detail", args=[calculated.pk]),
            None,
        ),
        (
            "run detail (paid run)",
            [clerk, accountant, auditor],
            reverse("payroll:run_detail", args=[paid.pk]),
            None,
        ),
        ("admin payslips", [clerk, accountant, auditor], "/admin/payroll/payslip/", None),
        ("register (latest paid run)", [clerk, accountant, auditor], register, None),
        ("register CSV", [clerk, accountant, auditor], register, {"format": "csv"}),
    ]
    counts, responses = {}, {}
    for name, users_of_page, url, params in pages:
        for user in users_of_page:
            role = user.groups.get().name
            counts[name, role], responses[name, role] = _measure(client, user, url, params)
    return counts, responses


def test_payroll_pages_cost_the_same_queries_with_more_employees_departments_and_runs(
    client, payroll_users, django_capture_on_commit_callbacks
):
    """3 employees in one department (two paid runs, one calculated with an error) cost the
    same queries as 110 employees in six departments (five paid runs, one calculated with
    several errors), each with cheques, a bank file and a budget warning: on the payday
    dashboard, the review of a calculated run, the page of a paid run, the payslip admin and
    the payroll register (page and CSV), for every role that opens them."""
    capture = django_capture_on_commit_callbacks
    clerk, accountant = payroll_users["clerk"], payroll_users["accountant"]
    schedule = payroll_setup()
    departments = [DepartmentFactory() for _ in range(6)]

    _grow_profiles(schedule, 3, departments[:1])
    for day in MONTHS[0:2]:
        paid = _pay(_calculated(schedule, clerk, day, capture), accountant, capture)
    assert _break_ibans() == 1
    calculated = _calculated(schedule, clerk, MONTHS[2], capture)
    small, _responses = _payroll_pages(client, payroll_users, calculated=calculated, paid=paid)

    # March stays calculated with its error; the months after it are paid in full.
    _mend_ibans()
    _grow_profiles(schedule, 110, departments)
    for day in MONTHS[3:6]:
        paid = _pay(_calculated(schedule, clerk, day, capture), accountant, capture)
    errors = _break_ibans()
    calculated = _calculated(schedule, clerk, MONTHS[6], capture)
    large, responses = _payroll_pages(client, payroll_users, calculated=calculated, paid=paid)

    assert _grown(small, large) == {}

    # The pages show the larger data set.
    assert Payslip.objects.filter(run=paid).count() == 110
    dashboard = responses["dashboard", roles.PAYROLL_CLERK].context
    assert dashboard["run"] == calculated
    assert len(dashboard["recent_runs"]) == 7
    assert len(dashboard["budgets"]) == 6
    for name in ("review (calculated run)", "run detail (paid run)"):
        context = responses[name, roles.ACCOUNTANT].context
        assert len(context["payslips"]) == 50 and context["has_next"]
        assert len(context["departments"]) == 6
    assert len(responses["review (calculated run)", roles.PAYROLL_CLERK].context["errors"]) == (
        errors
    )
    assert errors > 1
    paid_page = responses["run detail (paid run)", roles.AUDITOR].context
    assert paid_page["cheque_count"] == 22
    assert paid_page["bank_file"].transactions == 88
    changelist = responses["admin payslips", roles.AUDITOR].context["cl"]
    assert len(changelist.result_list) == 50  # list_per_page
    assert changelist.result_count == Payslip.objects.count()
    register = responses["register (latest paid run)", roles.PAYROLL_CLERK].context
    assert register["run"] == paid
    assert len(register["rows"]) == 100 and register["next_query"]
    csv_lines = responses["register CSV", roles.AUDITOR].body.decode("utf-8-sig").splitlines()
    assert len([line for line in csv_lines if line.strip()]) >= 1 + 110


# --- Employee pages for the other roles that read every employee -----------------------------


def test_employee_pages_cost_the_same_for_payroll_clerk_and_auditor(client, make_user):
    """The employee list and the admin employee changelist with a search cost the same queries
    with 6 employees in one department as with 126 in seven (each with a position), for a
    payroll clerk and an auditor, who read every employee (the HR manager's and department
    head's counts are tests/hr/test_employee_admin_search.py and test_home_queries.py)."""
    users = [make_user(roles.PAYROLL_CLERK), make_user(roles.AUDITOR)]
    pages = [
        ("admin employee search", "/admin/hr/employee/", {"q": "muster"}),
        ("employee list", reverse("hr:employee_list"), None),
    ]

    def grow(total, departments):
        for n in range(Employee.objects.count(), total):
            department = departments[n % len(departments)]
            EmployeeFactory(
                department=department,
                position=PositionFactory(department=department),
                last_name=f"Mustermann{n}" if n % 2 else "Weber",
            )

    def measure():
        counts, responses = {}, {}
        for name, url, params in pages:
            for user in users:
                role = user.groups.get().name
                counts[name, role], responses[name, role] = _measure(client, user, url, params)
        return counts, responses

    grow(6, [DepartmentFactory()])
    small, _responses = measure()
    grow(126, [DepartmentFactory() for _ in range(6)])
    large, responses = measure()

    assert _grown(small, large) == {}

    matches = Employee.objects.filter(last_name__icontains="muster").count()
    assert matches > 50
    for role in (roles.PAYROLL_CLERK, roles.AUDITOR):
        assert responses["admin employee search", role].context["cl"].result_count == matches
        assert len(responses["employee list", role].context["employees"]) == EMPLOYEES_PAGE


# --- Accounting: admin journal entries; trial balance and general ledger for the auditor ------


def _post_entries(count: int, *, departments, posters, start=0, day=datetime.date(2026, 3, 2)):
    """``count`` balanced entries of ten lines each (nine expense lines over the departments,
    one bank line), posted in turns by ``posters``; every tenth one reversed."""
    specs = [
        EntrySpec(
            date=day + datetime.timedelta(days=n % 20),
            memo=f"Buchung {n}",
            lines=[
                *(
                    Line(
                        account=account("4930"),
                        side="D",
                        amount=Decimal("1.00"),
                        department=departments[i % len(departments)],
                    )
                    for i in range(9)
                ),
                Line(account=account("1200"), side="C", amount=Decimal("9.00")),
            ],
        )
        for n in range(start, start + count)
    ]
    entries = []
    for i, poster in enumerate(posters):
        entries += journal_entries_post(entries=specs[i :: len(posters)], user=poster)
    for entry in entries[::10]:
        journal_entry_reverse(entry=entry, date=day + datetime.timedelta(days=25), user=posters[0])


def _accounting_pages(client, users):
    base = "/accounting/reports/"
    pages = [
        ("admin journal entries", users, "/admin/accounting/journalentry/", None),
        ("trial balance", users[1:], base + "trial-balance/", {"year": 2026}),
        ("general ledger", users[1:], base + "general-ledger/", {"year": 2026}),
        (
            "general ledger CSV",
            users[1:],
            base + "general-ledger/",
            {"year": 2026, "format": "csv"},
        ),
    ]
    counts, responses = {}, {}
    for name, users_of_page, url, params in pages:
        for user in users_of_page:
            role = user.groups.get().name
            counts[name, role], responses[name, role] = _measure(client, user, url, params)
    return counts, responses


def test_accounting_pages_cost_the_same_queries_with_many_more_ledger_lines(client, make_user):
    """The journal entries admin (accountant, auditor) and the trial balance and general
    ledger page and CSV (auditor; the accountant's counts are tests/accounting/test_reports.py)
    cost the same queries with 3 entries (one reversed) of one poster in one department as with
    400 more entries (40 reversed) of three more posters in seven departments: 4,440 lines."""
    open_year(2026)
    users = [make_user(roles.ACCOUNTANT), make_user(roles.AUDITOR)]
    departments = [DepartmentFactory()]

    _post_entries(3, departments=departments, posters=users[:1])
    small, _responses = _accounting_pages(client, users)
    departments += [DepartmentFactory() for _ in range(6)]
    posters = [make_user(roles.ACCOUNTANT) for _ in range(3)]
    _post_entries(400, departments=departments, posters=posters, start=3)
    large, responses = _accounting_pages(client, users)

    assert _grown(small, large) == {}

    assert JournalLine.objects.count() == 10 * (3 + 1 + 400 + 40)
    for role in (roles.ACCOUNTANT, roles.AUDITOR):
        changelist = responses["admin journal entries", role].context["cl"]
        assert len(changelist.result_list) == 50
        assert changelist.result_list[0] == JournalEntry.objects.order_by("-date", "-pk").first()
    debits = JournalLine.objects.filter(side="D").aggregate(total=Sum("amount"))["total"]
    assert responses["trial balance", roles.AUDITOR].context["report"].debit == debits
    ledger = responses["general ledger", roles.AUDITOR].context
    assert ledger["debit"] == debits
    assert len(ledger["lines"]) == LEDGER_PAGE and ledger["next_query"]
    csv_text = responses["general ledger CSV", roles.AUDITOR].body.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) >= 1 + 4440
    assert csv_text.count("Buchung 402") == 10
