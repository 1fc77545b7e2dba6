"""Payroll's audit checks, run through accounting's internal audit: each finds its case and
stays quiet on clean data, links to its evidence in the admin, reads with one query however
many rows there are, and running the audit again raises nothing twice.

Paid runs are built through the real payday services (calculate, approve by a second person,
pay). March 2026's payday is the 28th.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounting import audit
from accounting.audit import audit_run
from accounting.models import Finding
from backoffice import roles
from hr.models import Employee
from payroll import audit_checks
from payroll.models import BankDetailsChange, PayrollRun, Payslip
from payroll.services.payday import payday_run_approve, payday_run_calculate, payday_run_pay
from tests.payroll.factories import VALID_IBANS, approved_hours, payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)
IBAN_CHANGED = "payroll_iban_changed_before_payday"
AFTER_TERMINATION = "payroll_paid_after_termination"
SHARED_IBAN = "payroll_shared_iban"
CODES = [IBAN_CHANGED, AFTER_TERMINATION, SHARED_IBAN]


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """Payroll's checks in accounting's registry (as ``PayrollConfig.ready()`` does), on a copy
    of the registry so nothing leaks into other tests. Registering twice is harmless."""
    monkeypatch.setattr(audit, "_checks", dict(audit._checks))
    audit_checks.register()
    audit_checks.register()
    assert set(CODES) <= set(audit.check_titles())


@pytest.fixture
def clerks(make_user):
    return make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def pay(clerks, django_capture_on_commit_callbacks):
    calculator, approver = clerks

    def run_payday(schedule, day=MARCH, *, paid=True) -> PayrollRun:
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


def findings(code: str) -> dict[str, Finding]:
    return {f.key: f for f in Finding.objects.filter(check_code=code)}


def slip(run, pay_profile) -> Payslip:
    return Payslip.objects.get(run=run, employee=pay_profile.employee)


def change(
    pay_profile, *, when: datetime.datetime, old="DE02100500000054540402", new=None, by=None
):
    """A recorded change of bank details at ``when`` (Berlin time)."""
    record = BankDetailsChange.objects.create(
        profile=pay_profile, old_iban=old, new_iban=new or pay_profile.iban, changed_by=by
    )
    BankDetailsChange.objects.filter(pk=record.pk).update(changed_at=when.replace(tzinfo=BERLIN))
    return record


def terminate(pay_profile, day: datetime.date) -> None:
    """A termination recorded after the fact (HR entered it late, back-dated)."""
    Employee.objects.filter(pk=pay_profile.employee_id).update(
        termination_date=day, status=Employee.Status.TERMINATED
    )


def one_query(check) -> list:
    with CaptureQueriesContext(connection) as captured:
        found = list(check())
    assert len(captured.captured_queries) == 1
    return found


# --- Pay sent to an IBAN changed shortly before payday -----------------------------------------


def test_iban_changed_within_30_days_before_payday_is_found(schedule, pay, clerks):
    """Direct-deposit pay to an IBAN entered 10 days, or exactly 30 days, before payday is
    flagged (naming who changed it), linking to the payslip; a change 31 days before, a change
    after payday, a change of the BIC only and a cheque payment are not."""
    ten_days = profile(schedule, salary="3000.00", iban_index=0)
    thirty_days = profile(schedule, salary="3000.00", iban_index=1)
    long_before = profile(schedule, salary="3000.00", iban_index=2)
    after_payday = profile(schedule, salary="3000.00", iban_index=3)
    bic_only = profile(schedule, salary="3000.00", iban_index=4)
    cheque = profile(schedule, salary="3000.00", pay_method="cheque", iban=VALID_IBANS[0])
    run = pay(schedule)

    change(ten_days, when=datetime.datetime(2026, 3, 18, 9, 30), by=clerks[0])
    change(thirty_days, when=datetime.datetime(2026, 2, 26, 0, 30))  # 23:30 UTC the day before
    change(long_before, when=datetime.datetime(2026, 2, 25, 23, 30))
    change(after_payday, when=datetime.datetime(2026, 3, 29, 8, 0))
    change(bic_only, old=bic_only.iban, when=datetime.datetime(2026, 3, 20, 8, 0))
    change(cheque, when=datetime.datetime(2026, 3, 20, 8, 0))

    found = one_query(audit_checks.iban_changed_before_payday)
    assert {f.key for f in found} == {
        f"payslip:{slip(run, ten_days).pk}",
        f"payslip:{slip(run, thirty_days).pk}",
    }
    assert audit_run(codes=[IBAN_CHANGED]).new == 2
    finding = findings(IBAN_CHANGED)[f"payslip:{slip(run, ten_days).pk}"]
    assert finding.severity == Finding.Severity.HIGH
    assert ten_days.employee.personnel_number in finding.title
    assert clerks[0].username in finding.title
    assert finding.evidence_url.endswith(f"/payroll/payslip/{slip(run, ten_days).pk}/change/")


def test_a_first_iban_is_no_change(schedule, pay):
    """A new hire's first bank details, entered a week before payday, have no previous IBAN:
    no finding. A real change (another IBAN before) in the same days is one."""
    new_hire = profile(schedule, salary="3000.00", iban_index=0)
    changed = profile(schedule, salary="3000.00", iban_index=1)
    run = pay(schedule)
    change(new_hire, old="", when=datetime.datetime(2026, 3, 21, 9, 0))
    change(changed, when=datetime.datetime(2026, 3, 21, 9, 0))

    assert audit_run(codes=[IBAN_CHANGED]).new == 1
    assert set(findings(IBAN_CHANGED)) == {f"payslip:{slip(run, changed).pk}"}


def test_iban_check_quiet_on_clean_data_and_on_unpaid_runs(schedule, pay):
    """Bank details unchanged for months: nothing. A fresh change before a run that is only
    calculated (not paid) is not pay sent: nothing either."""
    steady = profile(schedule, salary="3000.00", iban_index=0)
    change(steady, when=datetime.datetime(2025, 11, 3, 10, 0))
    pay(schedule)
    pending = profile(schedule, salary="3000.00", iban_index=1)
    pay(schedule, APRIL, paid=False)
    change(pending, when=datetime.datetime(2026, 4, 20, 10, 0))

    assert list(audit_checks.iban_changed_before_payday()) == []
    assert audit_run(codes=[IBAN_CHANGED]).new == 0


# --- Pay after the termination date ------------------------------------------------------------


def test_pay_after_termination_is_found(schedule, pay):
    """A payslip for a period that starts after the termination date, and one paying hours
    worked after it, are flagged; an employee leaving at the end of the period, or whose paid
    hours all lie before the termination, is not."""
    left_before = profile(schedule, salary="3000.00", iban_index=0)
    leaves_at_end = profile(schedule, salary="3000.00", iban_index=1)
    hours_after = profile(schedule, hourly_rate="20.00", iban_index=2)
    hours_before = profile(schedule, hourly_rate="20.00", iban_index=3)
    for day in range(2, 7):
        approved_hours(hours_before.employee, datetime.date(2026, 3, day), "8")
        approved_hours(hours_after.employee, datetime.date(2026, 3, day), "8")
        approved_hours(hours_after.employee, datetime.date(2026, 3, day + 7), "8")
    run = pay(schedule)

    terminate(left_before, datetime.date(2026, 2, 20))
    terminate(leaves_at_end, datetime.date(2026, 3, 31))
    terminate(hours_after, datetime.date(2026, 3, 6))
    terminate(hours_before, datetime.date(2026, 3, 10))

    found = {f.key: f for f in one_query(audit_checks.paid_after_termination)}
    assert set(found) == {
        f"payslip:{slip(run, left_before).pk}",
        f"payslip:{slip(run, hours_after).pk}",
    }
    whole = found[f"payslip:{slip(run, left_before).pk}"]
    title = str(whole.title)  # a stored text, rendered in the active language
    assert left_before.employee.personnel_number in title
    assert "20.02.2026" in title or "20/02/2026" in title
    assert whole.evidence_url.endswith(f"/payroll/payslip/{slip(run, left_before).pk}/change/")
    assert audit_run(codes=[AFTER_TERMINATION]).new == 2


def test_pay_after_termination_quiet_on_clean_data(schedule, pay):
    """Employees who are still employed, or left after the period, raise nothing."""
    profile(schedule, salary="3000.00", iban_index=0)
    later = profile(schedule, salary="3000.00", iban_index=1)
    pay(schedule)
    terminate(later, datetime.date(2026, 6, 30))
    assert list(audit_checks.paid_after_termination()) == []


# --- Employees sharing one IBAN ----------------------------------------------------------------


def test_shared_iban_is_one_finding_naming_the_employees(schedule):
    """Three employees with one IBAN (written with and without spaces) make one finding that
    names all three and links to a pay profile; employees with their own IBAN, or with none
    (cheque), are not named."""
    shared = "DE89370400440532013000"
    a = profile(schedule, salary="3000.00", iban=shared)
    b = profile(schedule, salary="3000.00", iban="DE89 3704 0044 0532 0130 00")
    c = profile(schedule, salary="3000.00", iban=shared.lower())
    alone = profile(schedule, salary="3000.00", iban_index=1)
    profile(schedule, salary="3000.00", pay_method="cheque", iban="")
    profile(schedule, salary="3000.00", pay_method="cheque", iban="")

    found = one_query(audit_checks.shared_iban)
    assert [f.key for f in found] == [f"iban:{shared}"]
    title = str(found[0].title)
    for member in (a, b, c):
        assert member.employee.personnel_number in title
    assert alone.employee.personnel_number not in title
    assert found[0].evidence_url.endswith(f"/payroll/payprofile/{a.pk}/change/")
    assert audit_run(codes=[SHARED_IBAN]).new == 1


def test_shared_iban_quiet_on_clean_data(schedule):
    for i in range(3):
        profile(schedule, salary="3000.00", iban_index=i)
    assert list(audit_checks.shared_iban()) == []


def test_shared_iban_reads_with_one_query_at_any_size(schedule):
    """Pairs are found by a GROUP BY in SQL: one query for one pair or for five."""
    profile(schedule, salary="3000.00", iban=VALID_IBANS[0])
    profile(schedule, salary="3000.00", iban=VALID_IBANS[0])
    assert len(one_query(audit_checks.shared_iban)) == 1
    for i in range(1, 5):
        profile(schedule, salary="3000.00", iban=VALID_IBANS[i])
        profile(schedule, salary="3000.00", iban=VALID_IBANS[i])
    assert len(one_query(audit_checks.shared_iban)) == 5


# --- Through the audit run ---------------------------------------------------------------------


def test_running_the_audit_twice_raises_each_finding_once(schedule, pay):
    """The nightly audit may run twice (or a second delivery of its task): each payroll
    finding is recorded once."""
    changed = profile(schedule, salary="3000.00", iban_index=0)
    gone = profile(schedule, salary="3000.00", iban_index=1)
    profile(schedule, salary="3000.00", iban=VALID_IBANS[2])
    profile(schedule, salary="3000.00", iban=VALID_IBANS[2])
    pay(schedule)
    change(changed, when=datetime.datetime(2026, 3, 20, 10, 0))
    terminate(gone, datetime.date(2026, 2, 1))

    first = audit_run()  # every registered check, accounting's too
    assert first.failed == []
    assert {code: len(findings(code)) for code in CODES} == dict.fromkeys(CODES, 1)
    count = Finding.objects.count()
    assert audit_run().new == 0
    assert audit_run(codes=CODES).new == 0
    assert Finding.objects.count() == count
