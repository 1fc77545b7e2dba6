"""Values kept when a chunk is calculated. The employee's previous net on the payslip, so the
review compares two columns of one row: the stored value, the large-change count and filter,
an employee without a previous payslip, and a run calculated before the previous run was paid
(the stored value is then stale and the review joins the previous payslip instead). The
chunk's line totals per code, which the payroll register adds up."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from payroll.models import PayrollChunkLineTotal, PayrollRun, Payslip, PayslipLine
from payroll.reports import register_totals
from payroll.services import review
from payroll.services.payday import (
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payday_run_recalculate,
)
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

FEBRUARY = datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)
PERCENT = Decimal("20")


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
def payday(clerk, accountant, schedule, django_capture_on_commit_callbacks):
    """calculate(day) and pay(run) through the real services; chunks run on commit."""

    class Payday:
        def calculate(self, day):
            with django_capture_on_commit_callbacks(execute=True):
                run = payday_run_calculate(period=period_for(schedule, day), user=clerk)
            run.refresh_from_db()
            assert run.status == PayrollRun.Status.CALCULATED
            return run

        def recalculate(self, run):
            with django_capture_on_commit_callbacks(execute=True):
                payday_run_recalculate(run=run, user=clerk)
            run.refresh_from_db()
            assert run.status == PayrollRun.Status.CALCULATED
            return run

        def pay(self, run):
            payday_run_approve(run=run, user=accountant)
            with django_capture_on_commit_callbacks(execute=True):
                payday_run_pay(run=run, user=accountant)
            run.refresh_from_db()
            assert run.status == PayrollRun.Status.PAID
            return run

    return Payday()


@pytest.fixture
def staff(schedule):
    """Three employees paid in February; then one gets a raise of a third and a newcomer
    (no February payslip, a salary three times the others') joins for March."""
    raised = profile(schedule, salary="3000.00")
    same = profile(schedule, salary="3000.00", iban_index=1)
    return {"raised": raised, "same": same, "schedule": schedule}


def _raise_and_hire(staff):
    staff["raised"].monthly_salary = Decimal("4000.00")
    staff["raised"].save(update_fields=["monthly_salary"])
    staff["newcomer"] = profile(
        staff["schedule"],
        salary="9000.00",
        iban_index=2,
        employee=EmployeeFactory(hire_date=datetime.date(2026, 3, 1)),
    )


def _nets(run) -> dict[int, tuple]:
    return {
        s.employee_id: (s.net, s.previous_net) for s in Payslip.objects.filter(run=run).order_by()
    }


def test_calculation_writes_the_previous_net_and_none_for_a_newcomer(staff, payday):
    february = payday.pay(payday.calculate(FEBRUARY))
    _raise_and_hire(staff)
    march = payday.calculate(MARCH)

    before = _nets(february)
    after = _nets(march)
    raised, same, newcomer = (staff[k].employee_id for k in ("raised", "same", "newcomer"))
    assert after[raised][1] == before[raised][0]
    assert after[same][1] == before[same][0]
    assert after[raised][0] > after[raised][1]  # the raise is there to be found
    assert after[newcomer][1] is None
    # The first run of all has nothing to compare with.
    assert all(previous is None for _net, previous in before.values())


def test_large_change_count_and_filter_compare_the_stored_previous_net(staff, payday):
    """The raise of a third is the only large change: the unchanged salary is not, and the
    newcomer (no previous payslip) is neither counted nor listed, whatever their pay."""
    february = payday.pay(payday.calculate(FEBRUARY))
    _raise_and_hire(staff)
    march = payday.calculate(MARCH)
    assert review.previous_paid_run(run=march) == february
    assert review.previous_net_is_stored(run=march, previous=february)

    with CaptureQueriesContext(connection) as captured:
        count = review.large_change_count(run=march, previous=february, percent=PERCENT)
    assert count == 1
    departments = review.department_totals(run=march, previous=february, percent=PERCENT)
    assert sum(d.large_changes for d in departments) == 1
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert '"payroll_payslip"."previous_net"' in sql
    assert sql.count("SELECT") == 1  # no subquery per payslip

    listed = review.payslips_for_review(
        run=march, previous=february, percent=PERCENT, large_only=True
    )
    assert [s.employee_id for s in listed] == [staff["raised"].employee_id]
    rows = {
        s.employee_id: s.prior_net
        for s in review.payslips_for_review(run=march, previous=february, percent=PERCENT)
    }
    assert rows[staff["newcomer"].employee_id] is None
    assert (
        rows[staff["same"].employee_id]
        == Payslip.objects.get(run=february, employee_id=staff["same"].employee_id).net
    )


def test_run_detail_shows_the_large_change_and_no_change_for_the_newcomer(
    client, clerk, staff, payday
):
    payday.pay(payday.calculate(FEBRUARY))
    _raise_and_hire(staff)
    march = payday.calculate(MARCH)

    client.force_login(clerk)
    url = reverse("payroll:run_detail", args=[march.pk])
    response = client.get(url)
    assert response.context["large_changes"] == 1
    rows = {row["slip"].employee_id: row for row in response.context["payslips"]}
    newcomer = rows[staff["newcomer"].employee_id]
    assert newcomer["previous_net"] is None and newcomer["change"] is None
    assert not newcomer["flagged"]
    assert rows[staff["raised"].employee_id]["flagged"]
    assert not rows[staff["same"].employee_id]["flagged"]

    response = client.get(url, {"changes": "large"})
    assert [r["slip"].employee_id for r in response.context["payslips"]] == [
        staff["raised"].employee_id
    ]


def test_a_run_calculated_before_the_previous_run_was_paid_compares_with_it(staff, payday):
    """March calculated while February waited for payment: its stored previous net knows no
    February; once February is paid, the review compares with February all the same."""
    february = payday.calculate(FEBRUARY)
    _raise_and_hire(staff)
    march = payday.calculate(MARCH)
    assert all(previous is None for _net, previous in _nets(march).values())
    payday.pay(february)
    march.refresh_from_db()

    assert review.previous_paid_run(run=march) == february
    assert not review.previous_net_is_stored(run=march, previous=february)
    assert review.large_change_count(run=march, previous=february, percent=PERCENT) == 1
    departments = review.department_totals(run=march, previous=february, percent=PERCENT)
    assert sum(d.large_changes for d in departments) == 1
    rows = {
        s.employee_id: s.prior_net
        for s in review.payslips_for_review(run=march, previous=february, percent=PERCENT)
    }
    feb_net = Payslip.objects.get(run=february, employee_id=staff["raised"].employee_id).net
    assert rows[staff["raised"].employee_id] == feb_net
    assert rows[staff["newcomer"].employee_id] is None
    listed = review.payslips_for_review(
        run=march, previous=february, percent=PERCENT, large_only=True
    )
    assert [s.employee_id for s in listed] == [staff["raised"].employee_id]


def test_recalculation_writes_the_previous_net_again(staff, payday):
    """Calculate again replaces the payslips, previous net included."""
    february = payday.pay(payday.calculate(FEBRUARY))
    march = payday.calculate(MARCH)
    Payslip.objects.filter(run=march).update(previous_net=None)
    payday.recalculate(march)
    expected = {e: net for e, (net, _p) in _nets(february).items()}
    assert {e: p for e, (_n, p) in _nets(march).items()} == expected


def _line_sums(run) -> dict[tuple[str, str], Decimal]:
    return {
        (kind, code): total
        for kind, code, total in PayslipLine.objects.filter(payslip__run=run)
        .values("kind", "code")
        .annotate(t=Sum("amount"))
        .values_list("kind", "code", "t")
    }


def _kept_sums(run) -> dict[tuple[str, str], Decimal]:
    return {
        (kind, code): total
        for kind, code, total in PayrollChunkLineTotal.objects.filter(chunk__run=run)
        .values("kind", "code")
        .annotate(t=Sum("amount"))
        .values_list("kind", "code", "t")
    }


def test_chunk_line_totals_are_the_lines_sums_once_even_after_recalculation(staff, payday):
    """Each kind and code's total kept with the chunk is the sum of its payslips' lines, and
    calculating again replaces them (nothing counted twice); the register's deduction
    columns are those totals."""
    staff["raised"].church_member = True
    staff["raised"].save(update_fields=["church_member"])
    march = payday.calculate(MARCH)
    expected = _line_sums(march)
    assert ("deduction", "KIST") in expected
    assert _kept_sums(march) == expected

    payday.recalculate(march)
    assert _kept_sums(march) == _line_sums(march) == expected
    payday.pay(march)
    columns = register_totals(run_ids=[march.pk]).columns
    assert {c.code: c.total for c in columns} == {
        code: total for (kind, code), total in expected.items() if kind == "deduction"
    }
    assert [c.code for c in columns] == ["RV", "LST", "KIST"]
