"""Off-cycle runs (issue 9, item 2): the payroll clerk names employees on a page (a late hire,
a final payout at termination, a bonus), the run is calculated in chunks, a second person
approves it, it is paid once (its own journal entry, a bank file, cheques) and its payslips are
published. Who may use the page, what bad input gets, and query counts at two sizes."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import JournalEntry
from backoffice import roles
from payroll.calculation import EmployeeInput, PeriodInput, RuleSpec, calculate
from payroll.models import BankFile, OffCycleItem, PayrollRun, Payslip, PayslipLine
from payroll.services.offcycle import OffCycleEntry, offcycle_run_create
from payroll.services.payday import (
    PaydayRefused,
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payday_run_recalculate,
)
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

NEW = "payroll:offcycle_new"
SEARCH = "payroll:offcycle_employees"


@pytest.fixture
def clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def period(schedule):
    return period_for(schedule)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def rows(*entries, key="5b1f8a1e-4c8d-4f7e-9a53-0d0c1e6f9a01", period=None, total=None):
    """The page's POST: ``entries`` as (employee typed, reason, amount, text) rows."""
    data = {
        "key": key,
        "row-TOTAL_FORMS": str(total if total is not None else max(1, len(entries))),
        "row-INITIAL_FORMS": "0",
        "row-MIN_NUM_FORMS": "0",
        "row-MAX_NUM_FORMS": "50",
    }
    if period is not None:
        data["period"] = str(period.pk)
    for i, (employee, kind, amount, text) in enumerate(entries):
        data.update(
            {
                f"row-{i}-employee": employee,
                f"row-{i}-kind": kind,
                f"row-{i}-amount": amount,
                f"row-{i}-text": text,
            }
        )
    return data


def nothing_written():
    assert not PayrollRun.objects.filter(kind=PayrollRun.Kind.OFF_CYCLE).exists()
    assert not OffCycleItem.objects.exists()
    assert not Payslip.objects.exists()


def regular_paid(period, calculator, approver, capture):
    with capture(execute=True):
        run = payday_run_calculate(period=period, user=calculator)
    payday_run_approve(run=run, user=approver)
    with capture(execute=True):
        payday_run_pay(run=run, user=approver)
    return run


# --- The flow ------------------------------------------------------------------------------


def test_bonus_for_one_employee_is_approved_by_a_second_person_paid_once_and_published(
    client, clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """A bonus for one employee whose month the regular run paid already: the clerk types the
    name's autocomplete value, the run calculates one payslip that pays only the bonus (taxed),
    the clerk's own approval is refused, the accountant approves, Pay posts one journal entry
    under the run's own source, writes a bank file with one transfer and publishes one payslip
    with the bonus line; a second Pay pays nothing twice."""
    anna = profile(schedule, salary="3000.00").employee
    profile(schedule, salary="4000.00", iban_index=1)
    regular = regular_paid(period, clerk, accountant, django_capture_on_commit_callbacks)

    client.force_login(clerk)
    page = client.get(reverse(NEW), {"period": period.pk})
    assert page.status_code == 200
    typed = f"{anna.last_name}, {anna.first_name} ({anna.personnel_number})"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(NEW),
            rows(
                (typed, "bonus", "1000.00", "Project Nordlicht"),
                period=period,
                key=page.context["key"],
            ),
        )
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    assert response["Location"] == reverse("payroll:run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    slip = Payslip.objects.get(run=run)
    assert slip.employee == anna
    assert slip.pays_period is False
    earnings = list(slip.lines.filter(kind=PayslipLine.Kind.EARNING).values_list("label", "amount"))
    assert earnings == [("Bonus: Project Nordlicht", Decimal("1000.00"))]
    assert slip.gross == Decimal("1000.00")
    # RV 9.3 % and LST 15 % of the bonus, as the regular pay lines are taxed.
    assert slip.deductions == Decimal("93.00") + Decimal("150.00")
    assert slip.net == Decimal("757.00")

    review = client.get(reverse("payroll:run_detail", args=[run.pk]))
    # A bonus is not a "large change" against the regular month.
    assert (review.context["previous"], review.context["large_changes"]) == (None, 0)
    assert "it is not compared with a regular run" in review.content.decode()

    response = client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    assert any("a second person must" in m for m in messages_of(response))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED

    client.force_login(accountant)
    client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (PayrollRun.Status.APPROVED, accountant)

    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payroll:run_pay", args=[run.pk]), {"confirm": "yes"})
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    entry = JournalEntry.objects.get(source=f"payroll.run:{run.pk}")
    assert entry != regular.entry
    assert run.entry == entry
    bank_file = BankFile.objects.get(run=run)
    assert bank_file.transactions == 1
    assert bank_file.control_sum == Decimal("757.00")
    assert anna.personnel_number in bank_file.xml
    slip.refresh_from_db()
    assert slip.published_at is not None

    response = client.post(reverse("payroll:run_pay", args=[run.pk]), {"confirm": "yes"})
    assert "The run was paid already; nothing was paid twice." in messages_of(response)
    assert JournalEntry.objects.filter(source=f"payroll.run:{run.pk}").count() == 1
    assert BankFile.objects.filter(run=run).count() == 1
    # The employee sees the bonus payslip among their own.
    assert Payslip.objects.filter(employee=anna, published_at__isnull=False).count() == 2


def test_late_hire_is_paid_the_period_and_the_regular_run_leaves_them_out(
    client, clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """A late hire (hired on the 16th, after the regular run; the number typed in lower
    case): the off-cycle run pays the period's salary pro rata; the regular run leaves them
    out, so the period is paid once."""
    staff = profile(schedule, salary="3000.00").employee
    late = profile(
        schedule,
        salary="3100.00",
        iban_index=2,
        employee=EmployeeFactory(hire_date=datetime.date(2026, 3, 16)),
    ).employee
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(NEW), rows((late.personnel_number.lower(), "late_hire", "", ""), period=period)
        )
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    slip = Payslip.objects.get(run=run)
    assert (slip.employee, slip.pays_period) == (late, True)
    assert slip.gross == Decimal("1600.00")  # 16 of 31 days
    with django_capture_on_commit_callbacks(execute=True):
        regular = payday_run_calculate(period=period, user=clerk)
    assert list(Payslip.objects.filter(run=regular).values_list("employee_id", flat=True)) == [
        staff.pk
    ]


def test_final_payout_and_a_late_hire_in_one_run_each_get_their_lines(
    clerk, period, schedule, django_capture_on_commit_callbacks
):
    """Several entries in one run: a leaver's final payout (one-off only) and a late hire
    with a one-off amount on top of the period's pay."""
    leaver = profile(
        schedule,
        salary="3000.00",
        employee=EmployeeFactory(termination_date=datetime.date(2026, 3, 20)),
    ).employee
    late = profile(
        schedule,
        salary="3100.00",
        iban_index=1,
        employee=EmployeeFactory(hire_date=datetime.date(2026, 3, 1)),
    ).employee
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period,
            user=clerk,
            entries=[
                OffCycleEntry(leaver.pk, "final_payout", Decimal("812.50"), "Urlaubsabgeltung"),
                OffCycleEntry(late.pk, "late_hire", Decimal("200.00"), "Starting bonus"),
            ],
        )
    earnings = {
        s.employee_id: list(
            s.lines.filter(kind="earning").order_by("id").values_list("code", "amount")
        )
        for s in Payslip.objects.filter(run=run)
    }
    assert earnings == {
        leaver.pk: [("offcycle_final_payout", Decimal("812.50"))],
        late.pk: [("salary", Decimal("3100.00")), ("offcycle_late_hire", Decimal("200.00"))],
    }


def test_the_same_form_posted_twice_creates_one_run(
    client, clerk, period, schedule, django_capture_on_commit_callbacks
):
    """A double click (the same form key) opens the run the first post created: the bonus is
    not paid twice."""
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    data = rows((anna.personnel_number, "bonus", "500", ""), period=period)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse(NEW), data)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse(NEW), data)
    assert first["Location"] == second["Location"]
    assert PayrollRun.objects.filter(kind=PayrollRun.Kind.OFF_CYCLE).count() == 1
    assert OffCycleItem.objects.count() == 1


def test_a_period_takes_several_off_cycle_runs_but_one_regular_run(
    clerk, period, schedule, django_capture_on_commit_callbacks
):
    """Two bonus runs in the same month are two runs; the regular run stays one a period."""
    anna = profile(schedule, salary="3000.00").employee
    for amount in ("100.00", "200.00"):
        with django_capture_on_commit_callbacks(execute=True):
            offcycle_run_create(
                period=period,
                user=clerk,
                entries=[OffCycleEntry(anna.pk, "bonus", Decimal(amount))],
            )
    assert PayrollRun.objects.filter(period=period, kind="offcycle").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_calculate(period=period, user=clerk)
    with pytest.raises(PaydayRefused):
        payday_run_calculate(period=period, user=clerk)
    assert PayrollRun.objects.filter(period=period, kind="regular").count() == 1


# --- Bad input: a message, nothing written ----------------------------------------------------


def test_no_employee_is_a_message_and_nothing_is_written(client, clerk, period, schedule):
    profile(schedule, salary="3000.00")
    client.force_login(clerk)
    response = client.post(reverse(NEW), rows(("", "bonus", "", ""), period=period))
    assert response.status_code == 200
    assert "An off-cycle run pays only the employees it names: name at least one." in messages_of(
        response
    )
    nothing_written()


def test_negative_amount_is_a_message_and_nothing_is_written(client, clerk, period, schedule):
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    response = client.post(
        reverse(NEW), rows((anna.personnel_number, "bonus", "-100.00", ""), period=period)
    )
    assert response.status_code == 200
    assert f"{anna.personnel_number}: an amount cannot be negative." in messages_of(response)
    nothing_written()


def test_bonus_without_amount_and_garbled_amount_are_messages(client, clerk, period, schedule):
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    response = client.post(
        reverse(NEW), rows((anna.personnel_number, "bonus", "", ""), period=period)
    )
    assert (
        f"{anna.personnel_number}: the reason “Bonus” needs an amount above zero."
        in messages_of(response)
    )
    response = client.post(
        reverse(NEW), rows((anna.personnel_number, "bonus", "12abc", ""), period=period)
    )
    assert response.status_code == 200
    assert "Correct the rows marked below." in messages_of(response)
    assert "Enter a number." in response.content.decode()
    response = client.post(
        reverse(NEW), rows((anna.personnel_number, "bonus", "1E+20", ""), period=period)
    )
    assert any("below 10,000,000,000" in m for m in messages_of(response))
    nothing_written()


def test_employee_not_on_payroll_is_a_message_and_nothing_is_written(
    client, clerk, period, schedule
):
    """An employee without an approved pay profile, one who left before the period, and a
    personnel number nobody has: each a message, nothing written."""
    profile(schedule, salary="3000.00")
    stranger = EmployeeFactory()
    gone = profile(
        schedule,
        salary="3000.00",
        iban_index=1,
        employee=EmployeeFactory(termination_date=datetime.date(2026, 2, 15)),
    ).employee
    client.force_login(clerk)
    for employee in (stranger, gone):
        response = client.post(
            reverse(NEW), rows((employee.personnel_number, "bonus", "100", ""), period=period)
        )
        assert response.status_code == 200
        assert any(
            "Not on this schedule with an approved pay profile" in m
            and employee.personnel_number in m
            for m in messages_of(response)
        )
    response = client.post(reverse(NEW), rows(("X-NOBODY", "bonus", "100", ""), period=period))
    assert "No employee has the personnel number X-NOBODY." in response.content.decode()
    nothing_written()


def test_late_hire_whose_period_is_paid_is_refused(
    client, clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """A late hire names a period; one that the regular run paid already is refused (a
    bonus for them is not)."""
    anna = profile(schedule, salary="3000.00").employee
    regular_paid(period, clerk, accountant, django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.post(
        reverse(NEW), rows((anna.personnel_number, "late_hire", "", ""), period=period)
    )
    assert any("never pays again" in m for m in messages_of(response))
    assert not PayrollRun.objects.filter(kind=PayrollRun.Kind.OFF_CYCLE).exists()


def test_late_hire_named_by_an_off_cycle_run_not_yet_calculated_is_refused(clerk, period, schedule):
    """While the first off-cycle run's chunk waits for a worker (no payslip yet), a second
    run for the same late hire is refused at once, naming the first."""
    late = profile(schedule, salary="3000.00").employee
    first = offcycle_run_create(
        period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
    )  # the chunk is queued on commit, which this test's transaction never reaches
    assert not Payslip.objects.exists()
    with pytest.raises(PaydayRefused) as refused:
        offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
        )
    assert f"Off-cycle no. {first.pk}" in str(refused.value)
    assert PayrollRun.objects.filter(kind=PayrollRun.Kind.OFF_CYCLE).count() == 1


def test_forged_or_missing_form_parts_are_messages_or_404(client, clerk, period, schedule):
    """A missing form key or management form, a period that does not exist: a message or
    404, never a 500, nothing written."""
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    data = rows((anna.personnel_number, "bonus", "100", ""), period=period, key="not-a-key")
    response = client.post(reverse(NEW), data)
    assert "The form is incomplete; please fill it in again." in messages_of(response)
    response = client.post(reverse(NEW), {"period": period.pk, "key": data["key"]})
    assert response.status_code == 200
    data = rows((anna.personnel_number, "bonus", "100", ""), total=100000)
    data["period"] = "999999"
    assert client.post(reverse(NEW), data).status_code == 404
    assert client.get(reverse(NEW), {"period": "x"}).status_code == 404
    assert client.get(reverse(NEW))["Location"] == reverse("payroll:dashboard")
    nothing_written()


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.DATA_ENTRY_CLERK, roles.DEPARTMENT_HEAD, roles.ACCOUNTANT]
)
def test_roles_without_payday_get_403_and_nothing_is_written(
    client, make_user, period, schedule, role
):
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(make_user(role))
    assert client.get(reverse(NEW), {"period": period.pk}).status_code == 403
    assert client.get(reverse(SEARCH), {"period": period.pk, "q": "T0"}).status_code == 403
    data = rows((anna.personnel_number, "bonus", "100", ""), period=period)
    assert client.post(reverse(NEW), data).status_code == 403
    nothing_written()


def test_the_page_speaks_german_and_reads_a_decimal_comma(
    clerk, period, schedule, django_capture_on_commit_callbacks
):
    """In German the page and its messages are German, and 1.000,50 is one thousand euros
    fifty."""
    from tests.backoffice.clients import TwoFactorClient

    anna = profile(schedule, salary="3000.00").employee
    client = TwoFactorClient(headers={"accept-language": "de"})
    client.force_login(clerk)
    page = client.get(reverse(NEW), {"period": period.pk}).content.decode()
    assert "Neuer Sonderlauf" in page
    assert "Bonus" in page
    response = client.post(
        reverse(NEW), rows((anna.personnel_number, "bonus", "-5", ""), period=period)
    )
    assert f"{anna.personnel_number}: Ein Betrag kann nicht negativ sein." in messages_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(NEW), rows((anna.personnel_number, "bonus", "1000,50", ""), period=period)
        )
    assert OffCycleItem.objects.get().amount == Decimal("1000.50")


def test_anonymous_is_sent_to_login(client, period):
    response = client.get(reverse(NEW), {"period": period.pk})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- The autocomplete and the dashboard link ---------------------------------------------------


def test_autocomplete_finds_by_name_or_number_bounded_and_only_whom_the_run_may_pay(
    client, clerk, period, schedule
):
    """At most 20 answers; an employee without a pay profile or gone before the period is
    not offered; fewer than two characters ask nothing."""
    for i in range(25):
        profile(
            schedule, salary="3000.00", iban_index=i, employee=EmployeeFactory(last_name="Berg")
        )
    EmployeeFactory(last_name="Bergmann")  # no pay profile
    profile(
        schedule,
        salary="3000.00",
        employee=EmployeeFactory(last_name="Bergius", termination_date=datetime.date(2026, 1, 31)),
    )
    one = profile(schedule, salary="3000.00", employee=EmployeeFactory(last_name="Zander"))
    client.force_login(clerk)
    url = reverse(SEARCH)
    results = client.get(url, {"period": period.pk, "q": "berg"}).json()["results"]
    assert len(results) == 20
    assert {r["name"].split(",")[0] for r in results} == {"Berg"}
    results = client.get(url, {"period": period.pk, "q": one.employee.personnel_number}).json()[
        "results"
    ]
    assert [r["label"] for r in results] == [
        f"Zander, {one.employee.first_name} ({one.employee.personnel_number})"
    ]
    assert client.get(url, {"period": period.pk, "q": "b"}).json() == {"results": []}
    assert client.get(url, {"period": "0", "q": "berg"}).status_code == 404


def test_dashboard_links_the_period_off_cycle_runs_and_the_new_page(
    client, clerk, period, schedule, django_capture_on_commit_callbacks
):
    anna = profile(schedule, salary="3000.00").employee
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(anna.pk, "bonus", Decimal("50"))]
        )
    client.force_login(clerk)
    page = client.get(reverse("payroll:dashboard"), {"month": "2026-03"}).content.decode()
    assert f'{reverse(NEW)}?period={period.pk}"' in page
    assert (
        f'href="{reverse("payroll:run_detail", args=[run.pk])}" data-testid="offcycle-run-link"'
        in page
    )


# --- Query counts at two sizes ---------------------------------------------------------------


def _measure(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(schedule, period, clerk, employees, runs, capture):
    from payroll.models import PayProfile

    departments = [DepartmentFactory() for _ in range(3)]
    for i in range(PayProfile.objects.count(), employees):
        profile(
            schedule,
            salary="3000.00",
            iban_index=i,
            employee=EmployeeFactory(last_name="Berg", department=departments[i % 3]),
        )
    ids = list(PayProfile.objects.values_list("employee_id", flat=True))
    for i in range(PayrollRun.objects.filter(kind="offcycle").count(), runs):
        with capture(execute=True):
            offcycle_run_create(
                period=period,
                user=clerk,
                entries=[OffCycleEntry(e, "bonus", Decimal("10")) for e in ids[i * 3 : i * 3 + 3]],
            )


def test_page_autocomplete_and_dashboard_queries_do_not_grow(
    client, clerk, period, schedule, django_capture_on_commit_callbacks
):
    """The off-cycle page, its autocomplete and the dashboard cost as many queries with 60
    employees and 5 off-cycle runs as with 3 employees and 1 run."""
    client.force_login(clerk)
    pages = [
        (reverse(NEW), {"period": period.pk}),
        (reverse(NEW), {"period": period.pk, "rows": "50"}),
        (reverse(SEARCH), {"period": period.pk, "q": "berg"}),
        (reverse("payroll:dashboard"), {"month": "2026-03"}),
    ]
    _grow(schedule, period, clerk, 3, 1, django_capture_on_commit_callbacks)
    small = [_measure(client, url, params) for url, params in pages]
    _grow(schedule, period, clerk, 60, 5, django_capture_on_commit_callbacks)
    large = [_measure(client, url, params) for url, params in pages]
    assert large == small


# --- The calculation itself ------------------------------------------------------------------


def _rule(**kw):
    base = {
        "id": 1, "code": "X", "name": "X", "kind": "percent", "employee_rate": Decimal("10"),
        "employer_rate": Decimal("0"), "employee_amount": Decimal("0"),
        "employer_amount": Decimal("0"), "monthly_ceiling": None, "annual_ceiling": None,
        "base_rule_id": None, "applies_to": "all", "liability_account_id": 1,
        "employer_expense_account_id": None,
    }  # fmt: skip
    base.update(kw)
    return RuleSpec(**base)


def test_a_one_off_payslip_pays_no_salary_and_no_fixed_monthly_deduction():
    """Only the amount, taxed by the percentage rules; a fixed amount a month is due with the
    period's pay, not again with a bonus."""
    emp = EmployeeInput(
        employee_id=1, department_id=1, hire_date=datetime.date(2020, 1, 1),
        termination_date=None, hourly_rate=None, monthly_salary=Decimal("3000.00"),
        church_member=False, deductions_exempt=False, pays_period=False,
        one_off=(("offcycle_bonus", "Bonus", Decimal("500.005")),),
    )  # fmt: skip
    period = PeriodInput(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), "monthly", 22)
    fixed = _rule(id=2, code="F", kind="fixed", employee_amount=Decimal("20.00"))
    result = calculate(
        emp, period, [_rule(), fixed],
        overtime_threshold=Decimal("40"), overtime_premium=Decimal("0.25"),
        minimum_wage=Decimal("12.82"),
    )  # fmt: skip
    assert [(ln.code, ln.amount) for ln in result.lines] == [
        ("offcycle_bonus", Decimal("500.01")),
        ("X", Decimal("50.00")),
    ]
    assert result.net == Decimal("450.01")


# --- Without the test's transaction (the POST views as production runs them) ---------------


@pytest.mark.django_db(transaction=True)
def test_offcycle_page_post_committed_calculates_and_the_run_is_paid(
    client, clerk, accountant, schedule
):
    """The off-cycle page's POST outside a wrapping transaction: the run is created, its
    chunk runs as the request commits, and approve and pay go through."""
    period = period_for(schedule)
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    response = client.post(
        reverse("payroll:offcycle_new"),
        rows((anna.personnel_number, "bonus", "250.00", "Q1"), period=period),
    )
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    assert response["Location"] == reverse("payroll:run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    client.force_login(accountant)
    client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    client.force_login(clerk)
    client.post(reverse("payroll:run_pay", args=[run.pk]), {"confirm": "yes"})
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    assert BankFile.objects.get(run=run).transactions == 1


@pytest.mark.django_db(transaction=True)
def test_offcycle_page_refusal_committed_writes_nothing(client, clerk, schedule):
    """A refused POST outside a wrapping transaction: a message, no run, no item."""
    period = period_for(schedule)
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    response = client.post(
        reverse("payroll:offcycle_new"),
        rows((anna.personnel_number, "bonus", "-1", ""), period=period),
    )
    assert response.status_code == 200
    assert f"{anna.personnel_number}: an amount cannot be negative." in messages_of(response)
    nothing_written()


# --- Cancelling a run started by mistake ------------------------------------------------------

CANCEL = "payroll:offcycle_cancel"


def _late_hire(schedule, day=datetime.date(2026, 3, 16), iban_index=2):
    return profile(
        schedule,
        salary="3100.00",
        iban_index=iban_index,
        employee=EmployeeFactory(hire_date=day),
    ).employee


def test_an_approved_late_hire_run_is_cancelled_and_the_period_is_free_for_another_run(
    client, clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """The clerk named the wrong late hire and the accountant approved already: Cancel (with
    its confirmation) deletes the payslips, posts and files nothing, keeps the run listed as
    cancelled, and the hire's period can be paid by a new run; a second Cancel changes
    nothing; Approve and Pay of the cancelled run are refused."""
    late = _late_hire(schedule)
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
        )
    payday_run_approve(run=run, user=accountant)
    client.force_login(clerk)
    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="cancel-run"' in page

    response = client.post(reverse(CANCEL, args=[run.pk]), {"confirm": "yes"})
    assert response["Location"] == reverse("payroll:run_detail", args=[run.pk])
    assert (
        f"Off-cycle run {run.pk} is cancelled: nothing was paid and its payslips are deleted. "
        "Its employees can be named in another run." in messages_of(response)
    )
    run.refresh_from_db()
    assert (run.status, run.cancelled_by) == (PayrollRun.Status.CANCELLED, clerk)
    assert not Payslip.objects.filter(run=run).exists()
    assert run.entry is None
    assert not JournalEntry.objects.exists()
    assert not BankFile.objects.exists()
    assert OffCycleItem.objects.filter(run=run).count() == 1  # the record of what it was
    from backoffice.models import Notification

    assert Notification.objects.filter(
        user=accountant, subject=f"Off-cycle run {run.pk} of {period} was cancelled"
    ).exists()
    cancelled_at = run.cancelled_at

    again = client.post(reverse(CANCEL, args=[run.pk]), {"confirm": "yes"})
    assert "The run was cancelled already; nothing changed." in messages_of(again)
    run.refresh_from_db()
    assert run.cancelled_at == cancelled_at

    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    assert 'data-status="cancelled"' in page
    assert 'data-testid="cancel-run"' not in page
    assert 'data-testid="pay"' not in page
    with pytest.raises(PaydayRefused):
        payday_run_approve(run=run, user=accountant)
    with pytest.raises(PaydayRefused):
        payday_run_pay(run=run, user=clerk)

    with django_capture_on_commit_callbacks(execute=True):
        second = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
        )
    assert Payslip.objects.get(run=second).gross == Decimal("1600.00")


def test_a_calculating_run_is_cancelled_and_its_late_chunk_writes_nothing(
    clerk, period, schedule, django_capture_on_commit_callbacks
):
    """Cancelled while its chunk still waits for a worker: when the chunk's message arrives
    it finds nothing to do, no payslip appears and the run stays cancelled."""
    from payroll.models import PayrollChunk
    from payroll.services.offcycle import offcycle_run_cancel
    from payroll.services.payday import payroll_chunk_calculate

    late = _late_hire(schedule)
    with django_capture_on_commit_callbacks(execute=False):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
        )
    assert run.status == PayrollRun.Status.CALCULATING
    chunk_id = PayrollChunk.objects.get(run=run).pk
    offcycle_run_cancel(run=run, user=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        assert payroll_chunk_calculate(chunk_id=chunk_id) == 0
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CANCELLED
    assert not Payslip.objects.filter(run=run).exists()


def test_a_paid_run_and_a_regular_run_are_never_cancelled(
    client, clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """A paid run is corrected by a reversal, never cancelled: the refusal says so and the
    payslip, journal entry and bank file stay. A regular run has no Cancel (404)."""
    anna = profile(schedule, salary="3000.00").employee
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(anna.pk, "bonus", Decimal("100"))]
        )
    payday_run_approve(run=run, user=accountant)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_pay(run=run, user=clerk)
    client.force_login(clerk)
    assert 'data-testid="cancel-run"' not in (
        client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    )
    response = client.post(reverse(CANCEL, args=[run.pk]), {"confirm": "yes"})
    assert (
        "A paid run is never cancelled: its journal entry is posted and its payslips are "
        "published. Correct it with a reversal in a later run." in messages_of(response)
    )
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    assert Payslip.objects.filter(run=run).count() == 1
    assert BankFile.objects.filter(run=run).exists()

    regular = regular_paid(period, clerk, accountant, django_capture_on_commit_callbacks)
    assert client.post(reverse(CANCEL, args=[regular.pk]), {"confirm": "yes"}).status_code == 404
    assert client.post(reverse(CANCEL, args=[999999]), {"confirm": "yes"}).status_code == 404


def test_cancel_without_confirmation_changes_nothing(
    client, clerk, period, schedule, django_capture_on_commit_callbacks
):
    anna = profile(schedule, salary="3000.00").employee
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(anna.pk, "bonus", Decimal("100"))]
        )
    client.force_login(clerk)
    response = client.post(reverse(CANCEL, args=[run.pk]))
    assert "Confirm that the run is to be cancelled." in messages_of(response)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert Payslip.objects.filter(run=run).count() == 1
    assert client.get(reverse(CANCEL, args=[run.pk])).status_code == 405


@pytest.mark.parametrize(
    "role",
    [roles.STAFF, roles.DATA_ENTRY_CLERK, roles.DEPARTMENT_HEAD, roles.ACCOUNTANT, roles.AUDITOR],
)
def test_roles_without_payday_cannot_cancel(
    client, make_user, clerk, period, schedule, role, django_capture_on_commit_callbacks
):
    """Only whoever runs payday cancels: the approver (accountant) and everyone else get 403
    and see no Cancel; the run keeps its payslip."""
    anna = profile(schedule, salary="3000.00").employee
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(anna.pk, "bonus", Decimal("100"))]
        )
    user = make_user(role)
    client.force_login(user)
    assert client.post(reverse(CANCEL, args=[run.pk]), {"confirm": "yes"}).status_code == 403
    detail = client.get(reverse("payroll:run_detail", args=[run.pk]))
    assert 'data-testid="cancel-run"' not in detail.content.decode()
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert Payslip.objects.filter(run=run).count() == 1


@pytest.mark.django_db(transaction=True)
def test_cancel_post_committed_deletes_the_payslips(client, clerk, schedule):
    """The Cancel POST outside a wrapping transaction (the run locked, its chunks waited
    for): the run is cancelled and its payslip is gone."""
    period = period_for(schedule)
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    client.post(
        reverse("payroll:offcycle_new"),
        rows((anna.personnel_number, "bonus", "250.00", ""), period=period),
    )
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    assert Payslip.objects.filter(run=run).count() == 1
    response = client.post(reverse("payroll:offcycle_cancel", args=[run.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CANCELLED
    assert not Payslip.objects.filter(run=run).exists()


# --- Unapproved hours block only the late hires ------------------------------------------------


def test_unapproved_hours_block_a_late_hire_but_not_a_bonus_or_a_final_payout(
    clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """Hours not yet approved belong to the regular run: a bonus and a final payout for
    employees with such hours are calculated and approved (also after the hours change), a
    late hire whose hours this run would pay is refused."""
    from payroll.models import TimeEntry

    worker = profile(schedule, hourly_rate="20.00").employee
    leaver = profile(
        schedule,
        hourly_rate="20.00",
        iban_index=1,
        employee=EmployeeFactory(
            employment_type="hourly", termination_date=datetime.date(2026, 3, 20)
        ),
    ).employee
    late = profile(
        schedule,
        hourly_rate="20.00",
        iban_index=2,
        employee=EmployeeFactory(employment_type="hourly", hire_date=datetime.date(2026, 3, 16)),
    ).employee
    for who in (worker, leaver, late):
        TimeEntry.objects.create(employee=who, date=datetime.date(2026, 3, 17), hours=Decimal("8"))

    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period,
            user=clerk,
            entries=[
                OffCycleEntry(worker.pk, "bonus", Decimal("300")),
                OffCycleEntry(leaver.pk, "final_payout", Decimal("500")),
            ],
        )
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert Payslip.objects.filter(run=run).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_recalculate(run=run, user=clerk)  # "Calculate again" is not held up
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    changed = TimeEntry.objects.get(employee=worker)
    changed.hours = Decimal("9")
    changed.save()  # after the calculation: the regular run's business, not this one's
    assert payday_run_approve(run=run, user=accountant).status == PayrollRun.Status.APPROVED

    with pytest.raises(PaydayRefused) as refused:
        offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
        )
    assert "1 employees have hours that are not approved." in str(refused.value)


def test_readiness_narrowed_to_whose_hours_are_paid(period, schedule):
    """payday_readiness counts everyone's unapproved hours by default, only the named ones'
    with ``hours_employee_ids``, nobody's with an empty list."""
    from payroll.models import TimeEntry
    from payroll.services.payday import payday_readiness

    a = profile(schedule, hourly_rate="20.00").employee
    b = profile(schedule, hourly_rate="20.00", iban_index=1).employee
    for who in (a, b):
        TimeEntry.objects.create(employee=who, date=datetime.date(2026, 3, 2), hours=Decimal("8"))

    def hours_block(**kw):
        items = payday_readiness(period=period, **kw)
        return [i["text"] for i in items if i["level"] == "block" and "hours" in i["text"]]

    assert hours_block() == ["2 employees have hours that are not approved."]
    assert hours_block(employee_ids=[a.pk, b.pk], hours_employee_ids=[a.pk]) == [
        "1 employees have hours that are not approved."
    ]
    assert hours_block(employee_ids=[a.pk, b.pk], hours_employee_ids=[]) == []


# --- The bank transfer's text ---------------------------------------------------------------


def _remittances(run) -> dict[str, str]:
    from lxml import etree

    root = etree.fromstring(BankFile.objects.get(run=run).xml.encode())
    ns = {"p": root.nsmap[None]}
    return {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns): tx.findtext(
            "p:RmtInf/p:Ustrd", namespaces=ns
        )
        for tx in root.iterfind(".//p:CdtTrfTxInf", ns)
    }


def test_the_bank_text_says_what_an_off_cycle_payment_is_and_regular_runs_keep_theirs(
    clerk, accountant, period, schedule, django_capture_on_commit_callbacks
):
    """On the employee's bank statement: the regular run's month's pay is "Lohn/Gehalt
    03/2026" as before; an off-cycle bonus is a "Sonderzahlung", a late hire's period paid
    off-cycle a back payment of the month's pay, both naming the run."""
    anna = profile(schedule, salary="3000.00").employee
    regular = regular_paid(period, clerk, accountant, django_capture_on_commit_callbacks)
    late = _late_hire(schedule)
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period,
            user=clerk,
            entries=[
                OffCycleEntry(anna.pk, "bonus", Decimal("100")),
                OffCycleEntry(late.pk, "late_hire"),
            ],
        )
    payday_run_approve(run=run, user=accountant)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_pay(run=run, user=clerk)
    assert _remittances(regular) == {
        f"PR{regular.pk}-{anna.personnel_number}": "Lohn/Gehalt 03/2026"
    }
    assert _remittances(run) == {
        f"PR{run.pk}-{anna.personnel_number}": f"Sonderzahlung 03/2026 Sonderlauf {run.pk}",
        f"PR{run.pk}-{late.personnel_number}": (
            f"Lohn/Gehalt 03/2026 Nachzahlung Sonderlauf {run.pk}"
        ),
    }


# --- One German name: Sonderlauf -------------------------------------------------------------


def test_german_calls_an_off_cycle_run_sonderlauf_everywhere(
    clerk, period, schedule, django_capture_on_commit_callbacks
):
    """The run's kind, its page, its refusals and its Cancel speak of a "Sonderlauf"; no
    German text says "außerplanmäßig" or leaves "no." in English."""
    import polib
    from django.conf import settings

    from tests.backoffice.clients import TwoFactorClient

    catalogue = polib.pofile(str(settings.LOCALE_PATHS[0] / "de/LC_MESSAGES/django.po"))
    assert not [e.msgid for e in catalogue if "außerplanm" in e.msgstr.lower()]
    assert not [
        e.msgid
        for e in catalogue
        if ("off-cycle" in e.msgid.lower() or "one-off run" in e.msgid)
        and "Sonderl" not in e.msgstr
    ]

    late = _late_hire(schedule)
    with django_capture_on_commit_callbacks(execute=True):
        run = offcycle_run_create(
            period=period, user=clerk, entries=[OffCycleEntry(late.pk, "late_hire")]
        )
    client = TwoFactorClient(headers={"accept-language": "de"})
    client.force_login(clerk)
    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    assert "<dd>Sonderlauf</dd>" in page
    assert "Lauf stornieren" in page
    response = client.post(
        reverse(NEW), rows((late.personnel_number, "late_hire", "", ""), period=period)
    )
    assert any(f"(Sonderlauf Nr. {run.pk})" in m for m in messages_of(response))
    response = client.post(reverse(CANCEL, args=[run.pk]), {"confirm": "yes"})
    assert f"Sonderlauf {run.pk} ist storniert" in messages_of(response)[0]
    page = client.get(reverse(NEW), {"period": period.pk}).content.decode()
    assert "Storniert" in page


# --- "More rows" keeps what is typed ---------------------------------------------------------


def test_more_rows_keeps_the_typed_rows_and_adds_empty_ones(
    client, clerk, period, schedule, django_capture_on_commit_callbacks
):
    """ "More rows" posts the form: the rows come back as typed (even a half-typed amount),
    five empty rows follow, nothing is checked or written; the form then starts the run."""
    anna = profile(schedule, salary="3000.00").employee
    client.force_login(clerk)
    page = client.get(reverse(NEW), {"period": period.pk})
    data = rows(
        (anna.personnel_number, "bonus", "1000.50", "Projekt"),
        ("", "bonus", "", ""),
        ("T-unknown", "final_payout", "12x", ""),
        period=period,
        key=page.context["key"],
    )
    data["more_rows"] = "1"
    response = client.post(reverse(NEW), data)
    assert response.status_code == 200
    nothing_written()
    html = response.content.decode()
    formset = response.context["formset"]
    assert formset.total_form_count() == 8
    assert f'value="{anna.personnel_number}"' in html
    assert 'value="1000.50"' in html and 'value="Projekt"' in html
    assert 'value="12x"' in html and 'value="T-unknown"' in html
    assert '<option value="final_payout" selected>' in html
    assert 'name="row-7-employee"' in html and 'name="row-8-employee"' not in html
    assert str(response.context["key"]) == page.context["key"].__str__()
    assert "errors" not in html.split('data-testid="offcycle-rows"')[1].split("</table>")[0]

    # The re-rendered form, as the browser posts it back with the third row fixed.
    data = {k: v for k, v in data.items() if k != "more_rows"}
    data.update({"row-TOTAL_FORMS": "8", "row-INITIAL_FORMS": "3", "row-2-employee": ""})
    data.update({"row-2-amount": ""})
    for i in range(3, 8):
        data.update({f"row-{i}-employee": "", f"row-{i}-kind": "bonus", f"row-{i}-amount": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(NEW), data)
    run = PayrollRun.objects.get(kind=PayrollRun.Kind.OFF_CYCLE)
    assert response["Location"] == reverse("payroll:run_detail", args=[run.pk])
    assert OffCycleItem.objects.get().amount == Decimal("1000.50")


def test_more_rows_stops_at_the_limit(client, clerk, period, schedule):
    client.force_login(clerk)
    data = rows(period=period, total=48)
    data["more_rows"] = "1"
    response = client.post(reverse(NEW), data)
    assert response.context["formset"].total_form_count() == 50
    assert 'data-testid="offcycle-more-rows"' not in response.content.decode()
    nothing_written()
