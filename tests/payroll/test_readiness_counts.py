"""Payday readiness counts what a payroll clerk must know before Calculate, in one query of
small indexed subqueries: hires and terminations in the period, direct deposits without an
IBAN, profiles waiting for approval, unapproved hours; employees outside the period are not
counted, and the query count does not grow with the employees."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payroll.models import PayProfile, TimeEntry
from payroll.services.payday import payday_readiness
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def schedule():
    return payroll_setup()


def _texts(period, **kwargs) -> list[str]:
    return [item["text"] for item in payday_readiness(period=period, **kwargs)]


def _employee(**kwargs):
    if kwargs.get("termination_date"):
        kwargs.setdefault("status", "terminated")
    return EmployeeFactory(**kwargs)


def test_each_count_counts_only_the_periods_employees(schedule):
    period = period_for(schedule, MARCH)
    profile(schedule, salary="3000.00")  # nothing to say about them
    hired = _employee(hire_date=datetime.date(2026, 3, 16))
    profile(schedule, salary="3000.00", employee=hired, iban="")  # a hire without an IBAN
    profile(
        schedule,
        salary="3000.00",
        employee=_employee(termination_date=datetime.date(2026, 3, 20)),
    )
    profile(schedule, salary="3000.00", employee=_employee(), iban="", pay_method="cheque")
    # Not in March: left in February, hired in April (neither counts, IBAN or not).
    profile(
        schedule,
        salary="3000.00",
        employee=_employee(termination_date=datetime.date(2026, 2, 10)),
        iban="",
    )
    profile(
        schedule, salary="3000.00", employee=_employee(hire_date=datetime.date(2026, 4, 1)), iban=""
    )
    waiting = profile(schedule, salary="3000.00", approved_at=None)
    TimeEntry.objects.create(employee=hired, date=datetime.date(2026, 3, 17), hours=8)
    TimeEntry.objects.create(
        employee=waiting.employee, date=datetime.date(2026, 3, 17), hours=8
    )  # waiting: not paid, so their hours do not block

    texts = _texts(period)
    assert "1 employees have hours that are not approved." in texts
    assert "1 direct-deposit employees have no IBAN." in texts
    assert "1 new pay profile waits for approval and is not paid." in texts
    assert "1 hires in this period." in texts
    assert "1 terminations in this period." in texts
    assert "No employees are on this pay schedule." not in texts


def test_an_off_cycle_run_counts_the_employees_it_names(schedule):
    period = period_for(schedule, MARCH)
    named = profile(schedule, salary="3000.00", iban="")
    profile(schedule, salary="3000.00", iban="", iban_index=1)
    profile(schedule, salary="3000.00", approved_at=None)
    texts = _texts(period, employee_ids=[named.employee_id])
    assert "1 direct-deposit employees have no IBAN." in texts
    assert not [t for t in texts if "approval" in t]


def test_a_schedule_without_employees_says_so(schedule):
    assert "No employees are on this pay schedule." in _texts(period_for(schedule, MARCH))


def test_readiness_queries_do_not_grow_with_the_employees(schedule):
    period = period_for(schedule, MARCH)

    def grow_to(n):
        while PayProfile.objects.count() < n:
            i = PayProfile.objects.count()
            no_iban = {"iban": ""} if i % 3 == 0 else {}
            profile(
                schedule,
                salary="3000.00",
                employee=_employee(hire_date=datetime.date(2026, 3, 2)),
                iban_index=i,
                **no_iban,
            )

    def measure():
        with CaptureQueriesContext(connection) as captured:
            payday_readiness(period=period)
        return len(captured.captured_queries)

    grow_to(3)
    small = measure()
    grow_to(30)
    assert measure() == small
