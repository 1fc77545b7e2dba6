"""The migrations that bring late hours to a database with paid runs: hours paid before them
are attached to the payslip that paid their period (else the next run would pay them again as
late hours), and deleting a payslip frees its hours in the database."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payroll.models import PayrollChunk, PayrollRun, Payslip, TimeEntry
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("payroll", "0023_late_hours_and_hours_timing")]
AFTER = [("payroll", "0025_timeentry_payslip_on_delete_set_null")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _paid_payslip(schedule, employee) -> Payslip:
    run = PayrollRun.objects.create(period=period_for(schedule), status=PayrollRun.Status.PAID)
    chunk = PayrollChunk.objects.create(
        run=run, index=0, employee_ids=[employee.pk], status=PayrollChunk.Status.DONE
    )
    return Payslip.objects.create(
        run=run,
        period=run.period,
        chunk=chunk,
        employee=employee,
        department=employee.department,
        pay_method="deposit",
        gross=Decimal("160.00"),
        deductions=Decimal("0.00"),
        net=Decimal("160.00"),
        employer_contributions=Decimal("0.00"),
    )


def test_hours_paid_before_the_migration_stay_paid_and_a_deleted_payslip_frees_them():
    _migrate(BEFORE)
    schedule = payroll_setup()
    worker = profile(schedule, hourly_rate="20.00", employee=EmployeeFactory()).employee
    other = profile(schedule, hourly_rate="20.00", iban_index=1).employee
    slip = _paid_payslip(schedule, worker)

    def entry(employee, day, status="approved"):
        return TimeEntry.objects.create(
            employee=employee, date=datetime.date(2026, *day), hours=Decimal(8), status=status
        )

    paid = entry(worker, (3, 2))
    unapproved = entry(worker, (3, 3), status="entered")
    next_month = entry(worker, (4, 1))
    no_payslip = entry(other, (3, 2))

    _migrate(AFTER)

    attached = dict(TimeEntry.objects.values_list("pk", "payslip_id"))
    assert attached == {
        paid.pk: slip.pk,
        unapproved.pk: None,
        next_month.pk: None,
        no_payslip.pk: None,
    }

    # Deleting the payslip (a run calculated again) frees the hours it held.
    slip.lines.all().delete()
    Payslip.objects.filter(pk=slip.pk).delete()
    assert TimeEntry.objects.get(pk=paid.pk).payslip_id is None
