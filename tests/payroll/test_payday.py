import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from lxml import etree

from accounting.models import Account, JournalEntry
from backoffice import roles
from payroll import sepa
from payroll.models import BankFile, Cheque, PayrollRun, Payslip, PayslipLine
from payroll.services import chunks, payday
from payroll.services.payday import (
    PaydayRefused,
    payday_progress,
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payroll_chunk_calculate,
)
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import approved_hours, payroll_setup, period_for, profile


@pytest.fixture
def clerks(make_user):
    return make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)


def _hourly_and_salaried(schedule):
    """Hand-worked example (March 2026, 40 h/week threshold, 25 % overtime premium):
    hourly 20.00 €: week 10 = 5 x 9 h (5 h overtime), week 11 = 5 x 8 h.
    80 h x 20.00 = 1,600.00; 5 h x 25.00 = 125.00; gross 1,725.00;
    pension 9.3 % = 160.43 (employee) + 160.43 (employer); wage tax 15 % = 258.75;
    net 1,725.00 - 419.18 = 1,305.82.
    Salaried 4,500.00, church member: pension 418.50 (+418.50 employer), wage tax 675.00,
    church tax 9 % of 675.00 = 60.75; net 4,500.00 - 1,154.25 = 3,345.75."""
    prod, fibu = DepartmentFactory(code="PROD"), DepartmentFactory(code="FIBU")
    hourly = profile(
        schedule, hourly_rate="20.00", iban_index=0, employee=EmployeeFactory(department=prod)
    )
    salaried = profile(
        schedule,
        salary="4500.00",
        church_member=True,
        iban_index=1,
        employee=EmployeeFactory(department=fibu),
    )
    for day in range(2, 7):
        approved_hours(hourly.employee, datetime.date(2026, 3, day), "9")
    for day in range(9, 14):
        approved_hours(hourly.employee, datetime.date(2026, 3, day), "8")
    return hourly, salaried


@pytest.mark.django_db
def test_payday_end_to_end_with_amounts_worked_out_by_hand(
    clerks, django_capture_on_commit_callbacks
):
    calculator, approver = clerks
    schedule = payroll_setup()
    hourly, salaried = _hourly_and_salaried(schedule)
    period = period_for(schedule)

    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period, user=calculator)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert payday_progress(run=run)["percent"] == 100

    h = Payslip.objects.get(run=run, employee=hourly.employee)
    assert (h.hours, h.overtime_hours) == (Decimal("85.00"), Decimal("5.00"))
    assert (h.gross, h.deductions, h.net) == (
        Decimal("1725.00"),
        Decimal("419.18"),
        Decimal("1305.82"),
    )
    assert h.employer_contributions == Decimal("160.43")
    s = Payslip.objects.get(run=run, employee=salaried.employee)
    assert (s.gross, s.deductions, s.net) == (
        Decimal("4500.00"),
        Decimal("1154.25"),
        Decimal("3345.75"),
    )
    assert PayslipLine.objects.get(payslip=s, code="KIST").amount == Decimal("60.75")

    with pytest.raises(PaydayRefused):
        payday_run_approve(run=run, user=calculator)  # four eyes
    payday_run_approve(run=run, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_pay(run=run, user=approver)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID

    entry = JournalEntry.objects.get(source=f"payroll.run:{run.pk}")
    lines = {
        (ln.account.number, ln.side, ln.department.code if ln.department else None): ln.amount
        for ln in entry.lines.select_related("account", "department")
    }
    assert lines == {
        ("4110", "D", "PROD"): Decimal("1725.00"),
        ("4130", "D", "PROD"): Decimal("160.43"),
        ("4120", "D", "FIBU"): Decimal("4500.00"),
        ("4130", "D", "FIBU"): Decimal("418.50"),
        ("1742", "C", None): Decimal("1157.86"),
        ("1741", "C", None): Decimal("994.50"),
        ("1200", "C", None): Decimal("4651.57"),
    }

    bank_file = BankFile.objects.get(run=run)
    assert bank_file.control_sum == Decimal("4651.57") == h.net + s.net
    sepa.validate(bank_file.xml.encode())  # valid pain.001.001.09
    doc = etree.fromstring(bank_file.xml.encode())
    ns = {"p": doc.nsmap[None]}
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "4651.57"
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert Payslip.objects.filter(run=run, published_at__isnull=False).count() == 2

    # Paying again changes nothing.
    payday_run_pay(run=run, user=approver)
    assert JournalEntry.objects.filter(source=f"payroll.run:{run.pk}").count() == 1
    assert BankFile.objects.filter(run=run).count() == 1


@pytest.mark.django_db
def test_cheques_get_unique_gapless_numbers(clerks, django_capture_on_commit_callbacks):
    calculator, approver = clerks
    schedule = payroll_setup()
    for _ in range(3):
        profile(schedule, salary="3000.00", pay_method="cheque", iban="")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    payday_run_approve(run=run, user=approver)
    payday_run_pay(run=run, user=approver)
    numbers = list(Cheque.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    assert not BankFile.objects.filter(run=run).exists()


@pytest.mark.django_db
def test_invalid_iban_blocks_the_run_naming_the_employee(
    clerks, django_capture_on_commit_callbacks
):
    calculator, approver = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    bad = profile(schedule, salary="3100.00", iban="DE00123456780000000000")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    run.refresh_from_db()
    progress = payday_progress(run=run)
    assert progress["errors"] == 1
    with pytest.raises(PaydayRefused) as info:
        payday_run_approve(run=run, user=approver)
    assert bad.employee.full_name in str(info.value)
    assert not JournalEntry.objects.exists()
    assert not BankFile.objects.exists()


@pytest.mark.django_db
def test_iban_spoiled_after_approval_is_refused_before_anything_is_written(
    clerks, django_capture_on_commit_callbacks
):
    calculator, approver = clerks
    schedule = payroll_setup()
    good = profile(schedule, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    payday_run_approve(run=run, user=approver)
    Payslip.objects.filter(run=run).update(iban="DE00000000000000000000")
    with pytest.raises(PaydayRefused) as info:
        payday_run_pay(run=run, user=approver)
    assert good.employee.full_name in str(info.value)
    assert not JournalEntry.objects.exists()
    assert not BankFile.objects.exists()
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.APPROVED


@pytest.mark.django_db
def test_worker_killed_mid_chunk_resumes_without_duplicates(
    clerks, monkeypatch, django_capture_on_commit_callbacks
):
    """A chunk whose worker died rolls back whole; the redelivered task writes each payslip
    once, and a further delivery of a done chunk changes nothing."""
    calculator, _approver = clerks
    schedule = payroll_setup()
    monkeypatch.setattr(payday, "CHUNK_SIZE", 2)
    for i in range(5):
        profile(schedule, salary="3000.00", iban_index=i)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    assert len(queued) == 1  # one callback sends the three chunk tasks
    chunk_ids = list(run.chunks.order_by("index").values_list("pk", flat=True))
    assert len(chunk_ids) == 3

    payroll_chunk_calculate(chunk_id=chunk_ids[0])
    real_copy_lines = chunks._copy_lines

    def die(*args, **kwargs):
        raise SystemExit("worker killed")  # the process dies after payslips were inserted

    monkeypatch.setattr(chunks, "_copy_lines", die)
    with pytest.raises(SystemExit):
        payroll_chunk_calculate(chunk_id=chunk_ids[1])
    monkeypatch.setattr(chunks, "_copy_lines", real_copy_lines)
    assert Payslip.objects.filter(run=run).count() == 2  # chunk 1 left nothing behind

    # Celery redelivers (acks_late) -- and some deliveries come twice.
    for chunk_id in chunk_ids + chunk_ids:
        payroll_chunk_calculate(chunk_id=chunk_id)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert Payslip.objects.filter(run=run).count() == 5
    assert Payslip.objects.values("employee").distinct().count() == 5


@pytest.mark.django_db
def test_second_calculate_click_never_duplicates(clerks, django_capture_on_commit_callbacks):
    """A second start of the same period is refused with a message naming the run that exists;
    nothing is deleted or computed again."""
    calculator, _ = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    period = period_for(schedule)
    with django_capture_on_commit_callbacks(execute=True):
        first = payday_run_calculate(period=period, user=calculator)
    slip_ids = list(Payslip.objects.values_list("pk", flat=True))
    with (
        django_capture_on_commit_callbacks(execute=True) as sent,
        pytest.raises(payday.PaydayRefused) as refused,
    ):
        payday_run_calculate(period=period, user=calculator)
    assert f" {first.pk}, " in str(refused.value)  # names the run that exists
    assert sent == []
    assert PayrollRun.objects.count() == 1
    assert list(Payslip.objects.values_list("pk", flat=True)) == slip_ids


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_give_one_run(clerks):
    calculator, _ = clerks
    schedule = payroll_setup()
    for i in range(3):
        profile(schedule, salary="3000.00", iban_index=i)
    period = period_for(schedule)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def start():
        try:
            barrier.wait(timeout=10)
            results.append(payday_run_calculate(period=period, user=calculator).pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # One start wins; the other is refused with a message naming the run (never a second run).
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], payday.PaydayRefused), errors
    assert f" {results[0]}, " in str(errors[0])
    assert PayrollRun.objects.count() == 1
    assert Payslip.objects.count() == 3
    assert PayrollRun.objects.get().status == PayrollRun.Status.CALCULATED


@pytest.mark.django_db
def test_paid_run_cannot_be_calculated_again(clerks, django_capture_on_commit_callbacks):
    calculator, approver = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    period = period_for(schedule)
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period, user=calculator)
    payday_run_approve(run=run, user=approver)
    payday_run_pay(run=run, user=approver)
    with pytest.raises(PaydayRefused):
        payday_run_calculate(period=period, user=calculator)


@pytest.mark.django_db
def test_overtime_of_a_week_across_two_periods_is_paid_once_in_full(
    clerks, django_capture_on_commit_callbacks
):
    """ISO week 18 of 2026 runs Mon 27 April to Sun 3 May: 30 h in April, 20 h in May.
    April pays no overtime (30 h < 40 h); May pays the week's 10 h of overtime."""
    calculator, approver = clerks
    schedule = payroll_setup()
    worker = profile(schedule, hourly_rate="20.00")
    for day in (27, 28, 29):
        approved_hours(worker.employee, datetime.date(2026, 4, day), "10")
    for day in (1, 2):
        approved_hours(worker.employee, datetime.date(2026, 5, day), "10")
    overtime = {}
    for first in (datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)):
        with django_capture_on_commit_callbacks(execute=True):
            run = payday_run_calculate(period=period_for(schedule, first), user=calculator)
        slip = Payslip.objects.get(run=run)
        overtime[first.month] = (slip.hours, slip.overtime_hours, slip.gross)
        payday_run_approve(run=run, user=approver, changes_acknowledged=True)
        payday_run_pay(run=run, user=approver)
    assert overtime[4] == (Decimal("30.00"), Decimal("0.00"), Decimal("600.00"))
    # May: 10 h regular (20.00) + 10 h overtime (25.00) = 200.00 + 250.00
    assert overtime[5] == (Decimal("20.00"), Decimal("10.00"), Decimal("450.00"))


@pytest.mark.django_db
def test_biweekly_periods_follow_the_anchor_across_the_year_end(clerks, client):
    """Biweekly periods never overlap at the turn of the year, and the dashboard offers each
    period that begins in a month."""
    from django.core.exceptions import ValidationError

    from payroll.models import PaySchedule
    from payroll.services.schedules import pay_period_for

    payroll_setup()
    loose = PaySchedule.objects.create(name="Ohne Anker", frequency="biweekly")
    with pytest.raises(ValidationError):
        pay_period_for(schedule=loose, day=datetime.date(2026, 1, 5))
    schedule = PaySchedule.objects.create(
        name="Zweiwöchentlich", frequency="biweekly", anchor_date=datetime.date(2025, 12, 22)
    )
    december = pay_period_for(schedule=schedule, day=datetime.date(2025, 12, 31))
    january = pay_period_for(schedule=schedule, day=datetime.date(2026, 1, 6))
    assert (december.start, december.end) == (
        datetime.date(2025, 12, 22),
        datetime.date(2026, 1, 4),
    )
    assert january.start == datetime.date(2026, 1, 5)
    calculator, _ = clerks
    client.force_login(calculator)
    page = client.get(f"/payroll/?schedule={schedule.pk}&month=2026-01").content.decode()
    assert "start=2026-01-05" in page and "start=2026-01-19" in page


@pytest.mark.django_db
def test_hours_changed_after_calculation_refuse_approval_until_calculated_again(
    clerks, django_capture_on_commit_callbacks
):
    """A correction entered after Calculate is not in the payslips: approval is refused,
    naming the employee, until the run is calculated again with the new hours."""
    calculator, approver = clerks
    schedule = payroll_setup()
    worker = profile(schedule, hourly_rate="20.00")
    entry = approved_hours(worker.employee, datetime.date(2026, 3, 2), "8")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    entry.hours = Decimal("10")
    entry.save()
    with pytest.raises(PaydayRefused) as info:
        payday_run_approve(run=run, user=approver)
    assert worker.employee.full_name in str(info.value)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED

    with pytest.raises(PaydayRefused):
        payday_run_calculate(period=period_for(schedule), user=calculator)  # a second start
    with django_capture_on_commit_callbacks(execute=True):
        run = payday.payday_run_recalculate(run=run, user=calculator)  # "Calculate again"
    payday_run_approve(run=run, user=approver)
    assert Payslip.objects.get(run=run).gross == Decimal("200.00")


@pytest.mark.django_db
def test_calculate_is_refused_while_something_blocks_and_writes_nothing(clerks):
    """Unapproved hours block a fresh calculation in the service itself, before a run exists."""
    from payroll.models import TimeEntry

    calculator, _ = clerks
    schedule = payroll_setup()
    worker = profile(schedule, hourly_rate="20.00")
    TimeEntry.objects.create(
        employee=worker.employee, date=datetime.date(2026, 3, 2), hours=Decimal("8")
    )
    with pytest.raises(PaydayRefused) as info:
        payday_run_calculate(period=period_for(schedule), user=calculator)
    assert "not approved" in str(info.value)
    assert not PayrollRun.objects.exists()


@pytest.mark.django_db
def test_payroll_clerks_cannot_switch_off_the_second_approver(client, clerks):
    """The four-eyes setting is read-only in the admin for everyone but a superuser."""
    from payroll.models import PayrollSettings
    from payroll.services.payday import payroll_settings

    calculator, _ = clerks
    settings_row = payroll_settings()
    client.force_login(calculator)
    page = client.get(f"/admin/payroll/payrollsettings/{settings_row.pk}/change/")
    assert page.status_code == 200
    assert 'name="second_approver_required"' not in page.content.decode()
    client.post(
        f"/admin/payroll/payrollsettings/{settings_row.pk}/change/",
        {"second_approver_required": ""},
    )
    assert PayrollSettings.objects.get().second_approver_required is True


@pytest.mark.django_db
def test_without_a_company_iban_pay_is_refused_before_anything_is_written(
    clerks, django_capture_on_commit_callbacks
):
    """Direct deposits need an account to be paid from: readiness says so, and Pay refuses
    with nothing posted and no file written."""
    calculator, approver = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    payday_run_approve(run=run, user=approver)
    Account.objects.filter(number="1200").update(iban="")
    with pytest.raises(PaydayRefused) as info:
        payday_run_pay(run=run, user=approver)
    assert "company IBAN" in str(info.value)
    assert not JournalEntry.objects.exists()
    assert not BankFile.objects.exists()
    texts = [i["text"] for i in payday.payday_readiness(period=run.period)]
    assert any("company IBAN" in t for t in texts)


@pytest.mark.django_db
def test_the_sepa_debtor_is_the_account_the_bank_accounts_page_shows(
    clerks, client, make_user, django_capture_on_commit_callbacks
):
    """One record of the company's bank account: a new paying IBAN approved by a second
    person is the one accounting's bank accounts page shows and the debtor of the SEPA file
    payday writes."""
    from payroll.services.company_account import (
        company_account_change_approve,
        company_account_change_request,
    )

    calculator, approver = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    new_iban = "DE02500105170137075030"
    change = company_account_change_request(
        user=calculator, company_name="Backoffice GmbH", company_iban=new_iban, company_bic=""
    )
    company_account_change_approve(change=change, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    payday_run_approve(run=run, user=approver)
    payday_run_pay(run=run, user=approver)

    doc = etree.fromstring(BankFile.objects.get(run=run).xml.encode())
    ns = {"p": doc.nsmap[None]}
    debtor_iban = doc.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=ns)
    client.force_login(make_user(roles.ACCOUNTANT))
    html = client.get(reverse("accounting:bank_balances")).content.decode()
    row = html[html.index('data-testid="bank-1200"') :]
    row = row[: row.index("</tr>")]
    assert debtor_iban == new_iban
    assert f"<td>{new_iban}</td>" in row
