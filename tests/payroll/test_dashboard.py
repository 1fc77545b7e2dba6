"""The payday dashboard: period picker and readiness, Calculate (twice is harmless), progress,
review with changes against the previous paid run, four-eyes approval, Pay, the downloads, who
may do what, and query counts that hold at two data sizes."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import Account, Budget, FiscalYear, JournalEntry
from backoffice import roles
from backoffice.money import format_money
from payroll.models import BankFile, PayrollRun, Payslip
from payroll.services.payday import (
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
)
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
FEBRUARY = datetime.date(2026, 2, 1)
# The Approve and Pay forms send their confirmation checkbox.
CONFIRM = {"confirm": "yes"}


@pytest.fixture
def clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


@pytest.fixture
def schedule():
    return payroll_setup()


def calculated(schedule, user, day=MARCH, capture=None):
    """Calculate through the real service; chunk tasks run when the transaction commits."""
    with capture(execute=True):
        run = payday_run_calculate(period=period_for(schedule, day), user=user)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    return run


def paid(schedule, calculator, approver, day=MARCH, capture=None):
    run = calculated(schedule, calculator, day, capture)
    payday_run_approve(run=run, user=approver)
    with capture(execute=True):
        payday_run_pay(run=run, user=approver)
    run.refresh_from_db()
    return run


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_dashboard_shows_the_period_readiness_and_no_run_yet(client, clerk, schedule):
    """The clerk picks a schedule and month and sees the period's dates, readiness and that
    nothing was calculated yet; the period is created on demand."""
    profile(schedule, salary="3000.00")
    client.force_login(clerk)
    response = client.get(
        reverse("payroll:dashboard"), {"schedule": schedule.pk, "month": "2026-03"}
    )
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.start, period.end, period.payday) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 3, 28),
    )
    assert response.context["run"] is None
    assert response.context["blocks"] == []
    assert b'data-testid="readiness-ok"' in response.content


def test_readiness_blocks_are_listed_and_refuse_calculate(client, clerk, schedule):
    """A direct-deposit employee without IBAN blocks: the dashboard lists it and Calculate is
    refused with the reason as a message; no run is created."""
    profile(schedule, salary="3000.00", iban="")
    client.force_login(clerk)
    response = client.get(reverse("payroll:dashboard"), {"month": "2026-03"})
    assert "1 direct-deposit employees have no IBAN." in response.content.decode()
    response = client.post(
        reverse("payroll:run_calculate"), {"period": response.context["period"].pk}
    )
    assert response.status_code == 302
    assert "1 direct-deposit employees have no IBAN." in messages_of(response)
    assert not PayrollRun.objects.exists()


def test_budget_warning_on_the_dashboard(client, clerk, schedule):
    """A department budget used to 80 % or more shows as a readiness warning."""
    department = DepartmentFactory(code="VERT")
    profile(schedule, salary="3000.00", employee=EmployeeFactory(department=department))
    budget = Budget.objects.create(
        department=department,
        fiscal_year=FiscalYear.objects.get(year=2026),
        account=Account.objects.get(number="4120"),
        amount=Decimal("100.00"),
    )
    from accounting.services import Line, journal_entry_post

    journal_entry_post(
        date=datetime.date(2026, 1, 15),
        lines=[
            Line(
                account=budget.account_id,
                side="D",
                amount=Decimal("90.00"),
                department=department.pk,
            ),
            Line(account=Account.objects.get(number="1200").pk, side="C", amount=Decimal("90.00")),
        ],
    )
    client.force_login(clerk)
    response = client.get(reverse("payroll:dashboard"), {"month": "2026-03"})
    assert [s.budget.pk for s in response.context["budgets"]] == [budget.pk]
    assert "VERT has used 90 % of its budget" in response.content.decode()


def test_calculate_twice_gives_one_run_and_shows_the_review(
    client, clerk, schedule, django_capture_on_commit_callbacks
):
    """Two clicks on Calculate make one run; the run page shows 100 %, the totals per
    department and the payslips."""
    profile(schedule, salary="3000.00")
    profile(schedule, salary="4000.00", iban_index=1)
    period = period_for(schedule)
    client.force_login(clerk)
    url = reverse("payroll:run_calculate")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"period": period.pk})
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {"period": period.pk})
    run = PayrollRun.objects.get()
    assert first["Location"] == second["Location"] == reverse("payroll:run_detail", args=[run.pk])
    assert Payslip.objects.filter(run=run).count() == 2

    response = client.get(first["Location"])
    assert response.context["progress"]["percent"] == 100
    assert response.context["run"].status == PayrollRun.Status.CALCULATED
    totals = response.context["totals"]
    net = sum(Payslip.objects.filter(run=run).values_list("net", flat=True), Decimal("0"))
    assert totals["gross"] == Decimal("7000.00")
    assert totals["net"] == net
    assert format_money(net) in response.content.decode()
    assert len(response.context["payslips"]) == 2


def test_progress_json_is_the_database_truth(
    client, clerk, schedule, django_capture_on_commit_callbacks
):
    """The progress endpoint answers what is written: payslips, errors and the status."""
    profile(schedule, salary="3000.00")
    profile(schedule, salary="3000.00", iban="DE00123456780000000000")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    client.force_login(clerk)
    data = client.get(reverse("payroll:run_progress", args=[run.pk])).json()
    assert data == {
        "status": "calculated",
        "status_display": "Calculated",
        "expected": 2,
        "done": 1,
        "errors": 1,
        "percent": 100,
        "error": "",
        "idle_seconds": 0,
        "quiet": False,
        "quiet_text": "",
        "parts": {"total": 0, "written": 0, "running": 0, "queued": 0},
        "elapsed_seconds": 0,
        "activity_text": "",
    }


def test_run_detail_lists_the_employees_that_failed(
    client, clerk, schedule, django_capture_on_commit_callbacks
):
    """A per-employee error names the employee on the run page."""
    bad = profile(schedule, salary="3000.00", iban="DE00123456780000000000")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.get(reverse("payroll:run_detail", args=[run.pk]))
    content = response.content.decode()
    assert bad.employee.full_name in content
    assert "is not valid" in content


def test_calculator_is_refused_as_approver_with_a_message(
    client, clerk, make_user, accountant, schedule, django_capture_on_commit_callbacks
):
    """Four eyes: the clerk who calculated gets a message, not a 500, and the run stays
    calculated; an accountant approves; the clerk pays."""
    profile(schedule, salary="3000.00")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.post(reverse("payroll:run_approve", args=[run.pk]), CONFIRM)
    assert response.status_code == 302
    assert any("a second person must" in m for m in messages_of(response))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED

    client.force_login(accountant)
    response = client.post(reverse("payroll:run_approve", args=[run.pk]), CONFIRM)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.APPROVED
    assert run.approved_by == accountant

    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payroll:run_pay", args=[run.pk]), CONFIRM)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    assert JournalEntry.objects.filter(source=f"payroll.run:{run.pk}").exists()
    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    assert 'data-status="paid"' in page
    assert 'data-testid="bankfile"' in page

    # A second press of Pay (another tab, a slow network) says so and pays nothing twice.
    response = client.post(reverse("payroll:run_pay", args=[run.pk]), CONFIRM)
    assert "The run was paid already; nothing was paid twice." in messages_of(response)
    assert JournalEntry.objects.filter(source=f"payroll.run:{run.pk}").count() == 1
    client.force_login(accountant)
    response = client.post(reverse("payroll:run_approve", args=[run.pk]), CONFIRM)
    assert "The run was approved already; nothing changed." in messages_of(response)


def test_pay_before_approval_is_a_message(
    client, clerk, schedule, django_capture_on_commit_callbacks
):
    """Pay on a run that is not approved is refused with a message; nothing is posted."""
    profile(schedule, salary="3000.00")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.post(reverse("payroll:run_pay", args=[run.pk]), CONFIRM)
    assert response.status_code == 302
    assert "Only an approved run can be paid." in messages_of(response)
    assert not JournalEntry.objects.exists()


def test_downloads_bank_file_cheques_and_payslip_pdf(
    client, clerk, accountant, schedule, django_capture_on_commit_callbacks
):
    """After Pay the clerk downloads the SEPA XML, the cheque run PDF and a payslip PDF."""
    deposit = profile(schedule, salary="3000.00")
    profile(schedule, salary="2500.00", pay_method="cheque", iban="")
    run = paid(schedule, clerk, accountant, capture=django_capture_on_commit_callbacks)
    client.force_login(clerk)

    response = client.get(reverse("payroll:run_bankfile", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode() == BankFile.objects.get(run=run).xml

    response = client.get(reverse("payroll:run_cheques", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    slip = Payslip.objects.get(run=run, employee=deposit.employee)
    response = client.get(reverse("payroll:payslip_pdf", args=[run.pk, slip.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    response = client.get(reverse("payroll:payslip_detail", args=[run.pk, slip.pk]))
    assert format_money(slip.net) in response.content.decode()


def test_cheques_are_rendered_on_demand_when_missing(
    client, clerk, accountant, schedule, django_capture_on_commit_callbacks
):
    """If the background task has not stored the cheque run yet, the download renders and
    stores it."""
    profile(schedule, salary="2500.00", pay_method="cheque", iban="")
    run = paid(schedule, clerk, accountant, capture=django_capture_on_commit_callbacks)
    PayrollRun.objects.filter(pk=run.pk).update(cheques_pdf="")
    client.force_login(clerk)
    response = client.get(reverse("payroll:run_cheques", args=[run.pk]))
    assert response.content.startswith(b"%PDF")
    run.refresh_from_db()
    assert run.cheques_pdf


def test_downloads_not_found_before_pay(
    client, clerk, schedule, django_capture_on_commit_callbacks
):
    """No bank file or cheque run exists before Pay: 404, not an empty file."""
    profile(schedule, salary="3000.00")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    client.force_login(clerk)
    assert client.get(reverse("payroll:run_bankfile", args=[run.pk])).status_code == 404
    assert client.get(reverse("payroll:run_cheques", args=[run.pk])).status_code == 404
    assert client.get(reverse("payroll:run_detail", args=[run.pk + 99])).status_code == 404


def test_payslip_of_another_run_is_not_found(
    client, clerk, schedule, django_capture_on_commit_callbacks
):
    profile(schedule, salary="3000.00")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    slip = Payslip.objects.get(run=run)
    client.force_login(clerk)
    assert (
        client.get(reverse("payroll:payslip_detail", args=[run.pk + 1, slip.pk])).status_code == 404
    )
    assert client.get(reverse("payroll:payslip_pdf", args=[run.pk + 1, slip.pk])).status_code == 404


def test_changes_against_the_previous_paid_run_are_flagged(
    client, clerk, accountant, schedule, django_capture_on_commit_callbacks
):
    """March against paid February, per department and per employee: a raise of a third
    (above the 20 % setting) is flagged; an unchanged salary is not."""
    sales, admin = DepartmentFactory(code="VERT"), DepartmentFactory(code="VERW")
    raised = profile(schedule, salary="3000.00", employee=EmployeeFactory(department=sales))
    same = profile(
        schedule, salary="3000.00", iban_index=1, employee=EmployeeFactory(department=admin)
    )
    february = paid(schedule, clerk, accountant, FEBRUARY, django_capture_on_commit_callbacks)
    raised.monthly_salary = Decimal("4000.00")
    raised.save(update_fields=["monthly_salary"])
    march = calculated(schedule, clerk, MARCH, django_capture_on_commit_callbacks)

    client.force_login(clerk)
    response = client.get(reverse("payroll:run_detail", args=[march.pk]))
    assert response.context["previous"] == february
    departments = {d.code: d for d in response.context["departments"]}
    assert departments["VERT"].flagged and not departments["VERW"].flagged
    assert departments["VERW"].change == Decimal("0.00")
    rows = {row["slip"].employee_id: row for row in response.context["payslips"]}
    assert rows[raised.employee_id]["flagged"]
    assert not rows[same.employee_id]["flagged"]
    assert response.context["large_changes"] == 1

    response = client.get(reverse("payroll:run_detail", args=[march.pk]), {"changes": "large"})
    assert [row["slip"].employee_id for row in response.context["payslips"]] == [raised.employee_id]


def test_accountant_approves_but_does_not_run_payday(
    client, clerk, accountant, schedule, django_capture_on_commit_callbacks
):
    """An accountant sees the run and may approve; the dashboard, Calculate, Pay and the
    downloads are the payroll clerk's (403)."""
    profile(schedule, salary="3000.00")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    client.force_login(accountant)
    assert client.get(reverse("payroll:run_detail", args=[run.pk])).status_code == 200
    assert client.get(reverse("payroll:dashboard")).status_code == 403
    assert (
        client.post(reverse("payroll:run_calculate"), {"period": run.period_id}).status_code == 403
    )
    assert client.post(reverse("payroll:run_pay", args=[run.pk]), CONFIRM).status_code == 403
    assert client.get(reverse("payroll:run_bankfile", args=[run.pk])).status_code == 403
    assert client.get(reverse("payroll:run_cheques", args=[run.pk])).status_code == 403


@pytest.mark.parametrize("role", [roles.STAFF, roles.DATA_ENTRY_CLERK, roles.DEPARTMENT_HEAD])
def test_staff_get_403_on_every_dashboard_page(
    client, clerk, make_user, schedule, role, django_capture_on_commit_callbacks
):
    """Staff (and other roles without payroll-run permissions) are refused every page, action
    and download of the dashboard, and nothing changes."""
    profile(schedule, salary="3000.00")
    run = calculated(schedule, clerk, capture=django_capture_on_commit_callbacks)
    slip = Payslip.objects.get(run=run)
    client.force_login(make_user(role))
    gets = [
        reverse("payroll:dashboard"),
        reverse("payroll:run_detail", args=[run.pk]),
        reverse("payroll:run_progress", args=[run.pk]),
        reverse("payroll:run_bankfile", args=[run.pk]),
        reverse("payroll:run_cheques", args=[run.pk]),
        reverse("payroll:payslip_detail", args=[run.pk, slip.pk]),
        reverse("payroll:payslip_pdf", args=[run.pk, slip.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        (reverse("payroll:run_calculate"), {"period": run.period_id}),
        (reverse("payroll:run_approve", args=[run.pk]), {}),
        (reverse("payroll:run_pay", args=[run.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("payroll:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Query counts at two data sizes --------------------------------------------------------

SMALL, LARGE = 3, 60


def _measure(client, url, params=None):
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_run_detail_queries_do_not_grow_with_employees(
    client, clerk, accountant, schedule, django_capture_on_commit_callbacks
):
    """The run page (progress, errors, department totals, comparison with the previous paid
    run, a page of payslips with their previous net) costs as many queries with 60 employees
    in five departments as with 3 in one."""
    departments = [DepartmentFactory() for _ in range(5)]
    client.force_login(clerk)

    _grow_profiles(schedule, SMALL, departments[:1])
    paid(schedule, clerk, accountant, datetime.date(2026, 1, 1), django_capture_on_commit_callbacks)
    small_run = calculated(
        schedule, clerk, datetime.date(2026, 2, 1), django_capture_on_commit_callbacks
    )
    url = reverse("payroll:run_detail", args=[small_run.pk])
    small, response = _measure(client, url)
    assert len(response.context["payslips"]) == SMALL
    small_large_only, _r = _measure(client, url, {"changes": "large"})

    _grow_profiles(schedule, LARGE, departments)
    payday_run_approve(run=small_run, user=accountant)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_pay(run=small_run, user=accountant)
    large_run = calculated(schedule, clerk, MARCH, django_capture_on_commit_callbacks)
    url = reverse("payroll:run_detail", args=[large_run.pk])
    large, response = _measure(client, url)
    assert len(response.context["payslips"]) == 50
    assert response.context["has_next"]
    assert len(response.context["departments"]) == 5
    large_large_only, _r = _measure(client, url, {"changes": "large"})

    assert large == small
    assert large_large_only == small_large_only


def test_dashboard_queries_do_not_grow_with_employees(client, clerk, schedule):
    """The dashboard (readiness counts, budget warnings, recent runs) costs the same with 60
    employees as with 3."""
    departments = [DepartmentFactory() for _ in range(5)]
    client.force_login(clerk)
    _grow_profiles(schedule, SMALL, departments[:1])
    url = reverse("payroll:dashboard")
    small, _r = _measure(client, url, {"month": "2026-03"})
    _grow_profiles(schedule, LARGE, departments)
    large, _r = _measure(client, url, {"month": "2026-03"})
    assert large == small


def _grow_profiles(schedule, total, departments):
    from payroll.models import PayProfile

    for i in range(PayProfile.objects.count(), total):
        profile(
            schedule,
            salary="3000.00",
            iban_index=i,
            employee=EmployeeFactory(department=departments[i % len(departments)]),
        )


def test_a_month_far_off_or_garbled_shows_the_current_month(client, clerk, schedule):
    """A typo in the month does not create a pay period in the year 9999: the dashboard falls
    back to the current month."""
    from django.utils import timezone

    from payroll.models import PayPeriod

    client.force_login(clerk)
    today = timezone.localdate()
    for month in ("9999-01", "2026-13", "garbage", ""):
        response = client.get(reverse("payroll:dashboard"), {"month": month})
        assert response.status_code == 200
        assert response.context["period"].start == today.replace(day=1)
    assert not PayPeriod.objects.filter(start__year=9999).exists()
