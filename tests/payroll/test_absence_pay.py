"""Absences on the payslip (hr.selectors.absences): unpaid leave reduces a salary; hourly
staff's vacation is paid at the average of the last 13 weeks."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from backoffice import roles
from hr.services import absences
from payroll.models import Payslip, PayslipLine
from payroll.services.payday import payday_run_calculate
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import approved_hours, payroll_setup, period_for, profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bavaria")]
D = datetime.date


@pytest.fixture
def bavaria():
    with override_settings(HR_PUBLIC_HOLIDAY_STATE="BY"):
        yield


@pytest.fixture
def head_and_staff(make_user):
    dept = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    return head, make_user(roles.STAFF, department=dept)


def _approved(head, staff, kind, start, end):
    absence = absences.absence_request(
        user=staff, kind=kind, start_date=start, end_date=end, today=D(2026, 2, 1)
    )
    absences.absence_decide(user=head, absence_id=absence.pk, approve=True)


def _calculate(period, user, capture):
    with capture(execute=True):
        return payday_run_calculate(period=period, user=user)


def test_unpaid_leave_reduces_the_next_payslip_by_the_amount_worked_out_by_hand(
    make_user, head_and_staff, django_capture_on_commit_callbacks
):
    """March 2026 has 22 working days in Bavaria. Salary 4,500.00, two days of unpaid leave
    (9 and 10 March): 4,500.00 x 20 / 22 = 4,090.909... -> 4,090.91, that is 409.09 less."""
    head, staff = head_and_staff
    schedule = payroll_setup()
    profile(schedule, salary="4500.00", employee=staff.employee)
    _approved(head, staff, "unpaid_leave", D(2026, 3, 9), D(2026, 3, 10))
    run = _calculate(
        period_for(schedule), make_user(roles.PAYROLL_CLERK), django_capture_on_commit_callbacks
    )
    slip = Payslip.objects.get(run=run, employee=staff.employee)
    salary = PayslipLine.objects.get(payslip=slip, code="salary")
    assert salary.amount == Decimal("4090.91") == slip.gross
    assert Decimal("4500.00") - slip.gross == Decimal("409.09")
    assert "less unpaid leave (2 of 22 working days)" in salary.label


def test_ten_days_of_unpaid_leave_read_as_ten_on_the_payslip_not_1e1(
    make_user, head_and_staff, django_capture_on_commit_callbacks
):
    """Ten days (2 to 13 March 2026) of 22: 4,500.00 x 12 / 22 = 2,454.545... -> 2,454.55.
    The label once read "1E+1 of 22 working days" (Decimal.normalize of 10)."""
    head, staff = head_and_staff
    schedule = payroll_setup()
    profile(schedule, salary="4500.00", employee=staff.employee)
    _approved(head, staff, "unpaid_leave", D(2026, 3, 2), D(2026, 3, 13))
    run = _calculate(
        period_for(schedule), make_user(roles.PAYROLL_CLERK), django_capture_on_commit_callbacks
    )
    salary = PayslipLine.objects.get(
        payslip__run=run, payslip__employee=staff.employee, code="salary"
    )
    assert salary.amount == Decimal("2454.55")
    assert "less unpaid leave (10 of 22 working days)" in salary.label


def test_vacation_of_hourly_staff_is_paid_at_the_13_week_average(
    make_user, head_and_staff, django_capture_on_commit_callbacks
):
    """13 weeks before March 2026 (30 Nov 2025 - 28 Feb 2026): 65 weekdays less 25 and 26
    December, 1 and 6 January = 61 working days at 7.5 h = 457.5 h, 7.50 h a day.
    Two vacation days (16, 17 March) at 7.50 h x 20.00 = 300.00; 5 days worked at 8 h = 800.00."""
    head, staff = head_and_staff
    schedule = payroll_setup()
    profile(schedule, hourly_rate="20.00", employee=staff.employee)
    from hr import absence_calculation as calc

    for day in calc.leave_days_by_date(D(2025, 11, 30), D(2026, 2, 28)):
        approved_hours(staff.employee, day, "7.5")
    for day in range(2, 7):
        approved_hours(staff.employee, D(2026, 3, day), "8")
    _approved(head, staff, "vacation", D(2026, 3, 16), D(2026, 3, 17))
    run = _calculate(
        period_for(schedule), make_user(roles.PAYROLL_CLERK), django_capture_on_commit_callbacks
    )
    slip = Payslip.objects.get(run=run, employee=staff.employee)
    vacation = PayslipLine.objects.get(payslip=slip, code="vacation_pay")
    assert (vacation.quantity, vacation.rate, vacation.amount) == (
        Decimal("15.00"),
        Decimal("20.0000"),
        Decimal("300.00"),
    )
    assert "13-week average of 7.50 h a day" in vacation.label
    assert slip.gross == Decimal("1100.00")


def test_hourly_sick_days_without_hours_or_contract_are_a_named_payslip_error(
    make_user, head_and_staff, django_capture_on_commit_callbacks
):
    head, staff = head_and_staff
    schedule = payroll_setup()
    profile(schedule, hourly_rate="20.00", employee=staff.employee)
    absences.absence_record_sick(
        user=head, employee_id=staff.employee.pk, start_date=D(2026, 3, 2), end_date=D(2026, 3, 2)
    )
    run = _calculate(
        period_for(schedule), make_user(roles.PAYROLL_CLERK), django_capture_on_commit_callbacks
    )
    assert not Payslip.objects.filter(run=run, employee=staff.employee).exists()
    assert "no approved hours in the last 13 weeks" in run.errors.get().message


def test_chunk_query_count_does_not_grow_with_absences(
    make_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """The chunk reads all absences of its employees in one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hr.models import Absence
    from payroll.services.chunks import _inputs

    schedule = payroll_setup()
    period = period_for(schedule)
    ids = []
    for _ in range(5):
        p = profile(schedule, salary="3000.00", employee=EmployeeFactory())
        ids.append(p.employee_id)
    with CaptureQueriesContext(connection) as few:
        _inputs(ids, period, [])
    for employee_id in ids:
        Absence.objects.create(
            employee_id=employee_id,
            kind="unpaid_leave",
            status="approved",
            start_date=D(2026, 3, 2),
            end_date=D(2026, 3, 3),
            days=2,
        )
    with CaptureQueriesContext(connection) as many:
        inputs = _inputs(ids, period, [])
    assert len(many) == len(few)
    assert all(emp.unpaid_leave_days == 2 for _p, emp in inputs)
