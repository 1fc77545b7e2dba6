"""Demo data: ``seed_demo`` gives every employee a pay profile, records hours, pays the past
months of the year through the payday services and leaves the current month ready to run; a
second run changes nothing."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from schwifty import IBAN

from accounting.models import JournalEntry
from hr.models import Employee
from payroll.models import (
    BankDetailsChange,
    BankFile,
    Cheque,
    PayPeriod,
    PayProfile,
    PayrollRun,
    PaySchedule,
    Payslip,
    PayslipError,
    PayslipLine,
    TimeEntry,
)
from payroll.services.payday import payday_readiness

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 15)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            PayProfile,
            BankDetailsChange,
            TimeEntry,
            PayPeriod,
            PayrollRun,
            Payslip,
            PayslipLine,
            PayslipError,
            Cheque,
            BankFile,
            JournalEntry,
        )
    }


def test_seed_demo_twice_pays_past_months_and_leaves_this_month_to_run():
    """With 30 employees on 15 April: January to March paid (payslips, ledger entries, bank
    files), April's hours approved and ready to run (nothing blocks), no run for April yet;
    the second run adds nothing."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        call_command("seed_demo", employees=30)
        first = counts()
        call_command("seed_demo", employees=30)
        assert counts() == first

    assert PayProfile.objects.count() == Employee.objects.count() == 30
    runs = {r.period.start.month: r for r in PayrollRun.objects.select_related("period")}
    assert sorted(runs) == [1, 2, 3]
    assert {r.status for r in runs.values()} == {PayrollRun.Status.PAID}
    for run in runs.values():
        assert run.entry_id is not None
        assert run.calculated_by.username == "payroll"
        assert run.approved_by.username == "accountant"
        assert Payslip.objects.filter(run=run).count() == run.expected_count > 0
    assert not PayslipError.objects.exists()
    assert PayPeriod.objects.filter(start=datetime.date(2026, 4, 1)).exists()

    april = TimeEntry.objects.filter(date__gte=datetime.date(2026, 4, 1))
    assert april.exists()
    assert set(april.values_list("status", flat=True)) == {TimeEntry.Status.APPROVED}
    assert not april.filter(date__gt=TODAY).exists()
    april_period = PayPeriod.objects.get(start=datetime.date(2026, 4, 1))
    assert [i for i in payday_readiness(period=april_period) if i["level"] == "block"] == []
    march = TimeEntry.objects.filter(date__month=3)
    assert set(march.values_list("status", flat=True)) == {TimeEntry.Status.APPROVED}

    # Hours are paid one month later (Vormonatsprinzip): December's with January, February's
    # with March; March's wait for April's run.
    assert PaySchedule.objects.get(is_default=True).hours_timing == "previous"
    paid_with = {
        (day.month, month)
        for day, month in TimeEntry.objects.filter(date__lt=datetime.date(2026, 3, 1))
        .values_list("date", "payslip__run__period__start__month")
        .distinct()
    }
    assert paid_with == {(12, 1), (1, 2), (2, 3)}
    assert not march.filter(payslip__isnull=False).exists()
    assert PayslipLine.objects.filter(code="hours", payslip__run=runs[1]).exists()

    # The staff login finds its payslips in the portal.
    assert Payslip.objects.filter(
        employee__user__username="staff", published_at__isnull=False
    ).exists()


def test_seeded_profiles_are_plausible():
    """Hourly rates 15–28 €, salaries 3,000–7,500 €, valid and distinct German IBANs with the
    bank's BIC, about one in 25 paid by cheque, the first bank details in the history."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        call_command("seed_demo", employees=60)
    profiles = list(PayProfile.objects.select_related("employee"))
    for p in profiles:
        if p.employee.employment_type == Employee.EmploymentType.HOURLY:
            assert 15 <= p.hourly_rate <= 28 and p.monthly_salary is None
        else:
            assert 3000 <= p.monthly_salary <= 7500 and p.hourly_rate is None
    deposit = [p for p in profiles if p.pay_method == PayProfile.PayMethod.DIRECT_DEPOSIT]
    assert len({p.iban for p in deposit}) == len(deposit)
    for p in deposit:
        iban = IBAN(p.iban)
        assert iban.country_code == "DE" and p.bic == iban.bic.compact
    cheques = len(profiles) - len(deposit)
    assert 1 <= cheques <= 4
    # Everyone's first bank details, and one later change (the audit's case).
    assert BankDetailsChange.objects.filter(old_iban="").count() == len(deposit)
    assert BankDetailsChange.objects.exclude(old_iban="").count() == 1
    assert (
        TimeEntry.objects.filter(employee__employment_type=Employee.EmploymentType.SALARIED).count()
        == 0
    )
    # Nobody has worked hours on a day of their demo leave or sickness (paid twice otherwise).
    from django.db.models import Exists, OuterRef

    from hr.models import Absence

    on_leave = Absence.objects.filter(
        employee=OuterRef("employee"),
        status__in=Absence.ACTIVE,
        start_date__lte=OuterRef("date"),
        end_date__gte=OuterRef("date"),
    )
    assert Absence.objects.filter(employee__employment_type="hourly").exists()
    assert not TimeEntry.objects.filter(Exists(on_leave)).exists()
    # Cheque payees got numbered cheques in the paid months.
    assert Cheque.objects.exists()
    assert Cheque.objects.count() == Payslip.objects.filter(pay_method="cheque", net__gt=0).count()


def test_seed_demo_in_january_pays_nothing_yet():
    """In January there is no past month of the year: nothing is paid, the month is open."""
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 1, 9)):
        call_command("seed_demo", employees=25)
    assert not PayrollRun.objects.exists()
    assert TimeEntry.objects.exists()
    assert PayPeriod.objects.filter(start=datetime.date(2026, 1, 1)).exists()


def test_the_demo_audit_findings_are_a_handful_that_mean_something():
    """Seeded at 3 a.m. (when `make run` may well run), the demo's audit has three findings,
    each a real case: the duplicate supplier invoice, the round consulting fee, and the one
    employee who moved their pay to another account a week before payday. The seeder's and
    payroll runs' postings are no after-hours case, new hires' first IBANs no change, a
    run's sums of round salaries no round amount; running the checks again adds nothing."""
    from accounting.audit import audit_run
    from accounting.models import Finding

    night = datetime.datetime(2026, 4, 15, 3, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=night):
        call_command("seed_demo", employees=30)
    found = dict(Finding.objects.values_list("check_code", "key"))
    assert Finding.objects.count() == 3
    assert set(found) == {
        "duplicate_payments",
        "round_amounts",
        "payroll_iban_changed_before_payday",
    }
    entry = JournalEntry.objects.get(pk=found["round_amounts"].split(":")[1])
    assert entry.memo == "Beratungshonorar (pauschal)"
    assert audit_run().new == 0
    assert Finding.objects.count() == 3
