"""When a period may be paid, and late hours (issue 9, item 1).

Hours recorded after their period was paid are never refused: the employee's next run pays
them as a correction line that names the period and the days, and they are never paid twice.
A schedule pays hours with their own period or with the next one (Vormonatsprinzip). Hours
that are not complete are a readiness warning naming people and days, repeated on the review;
Approve asks the approver to acknowledge large changes.

Hand-worked amounts: hourly rate 20.00 €; March 2026 has 22 working days in Bavaria (none of
them a holiday), April 2026 has Good Friday (3rd) and Easter Monday (6th).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import JournalEntry
from backoffice import roles
from hr.models import Absence
from payroll.models import PayrollRun, PaySchedule, Payslip, PayslipLine, TimeEntry
from payroll.selectors import approved_profiles, paid_days
from payroll.services.hours import time_entries_approve, time_entries_save
from payroll.services.payday import (
    PaydayRefused,
    payday_readiness,
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payday_run_recalculate,
    payroll_chunk_calculate,
)
from payroll.services.readiness_hours import hours_readiness
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import approved_hours, payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH, APRIL, MAY = D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)


@pytest.fixture
def people(make_user):
    """A payroll clerk who calculates, an accountant who approves, a data-entry clerk and the
    head of PROD who approves hours."""
    dept = DepartmentFactory(code="PROD")
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    return {
        "dept": dept,
        "head": head,
        "calculator": make_user(roles.PAYROLL_CLERK),
        "approver": make_user(roles.ACCOUNTANT),
        "entry": make_user(roles.DATA_ENTRY_CLERK),
    }


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def pay(people, django_capture_on_commit_callbacks):
    """Calculate (chunks run as the transaction would commit), approve and pay a period."""

    def run_payday(schedule, day, *, paid=True) -> PayrollRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = payday_run_calculate(period=period_for(schedule, day), user=people["calculator"])
        run.refresh_from_db()
        assert run.status == PayrollRun.Status.CALCULATED, run.error
        if paid:
            payday_run_approve(run=run, user=people["approver"], changes_acknowledged=True)
            with django_capture_on_commit_callbacks(execute=True):
                payday_run_pay(run=run, user=people["calculator"])
            run.refresh_from_db()
        return run

    return run_payday


def _record_and_approve(people, employee, hours: dict[D, str]) -> None:
    """The data-entry clerk types the hours into the week grid; the head approves the weeks."""
    weeks: dict[D, dict] = {}
    for day, value in hours.items():
        monday = day - datetime.timedelta(days=day.weekday())
        weeks.setdefault(monday, {})[day] = Decimal(value)
    for monday, days in sorted(weeks.items()):
        time_entries_save(
            department=people["dept"],
            week_start=monday,
            rows={employee.pk: days},
            user=people["entry"],
        )
        time_entries_approve(department=people["dept"], week_start=monday, user=people["head"])


def _lines(run, employee, code):
    return list(
        PayslipLine.objects.filter(payslip__run=run, payslip__employee=employee, code=code)
        .order_by("id")
        .values_list("label", "quantity", "amount")
    )


def test_hours_recorded_after_pay_are_paid_by_the_next_run_once(people, schedule, pay, client):
    """March is paid with the 2 days recorded by then. The other days of March recorded
    afterwards are accepted, approved and paid with April as one line naming March and the
    days: 8 + 8 + 7.5 = 23.5 h x 20.00 = 470.00. They are locked once paid; May, and April
    calculated again, never pay them a second time."""
    worker = profile(
        schedule, hourly_rate="20.00", employee=EmployeeFactory(department=people["dept"])
    ).employee
    _record_and_approve(people, worker, {D(2026, 3, 2): "8", D(2026, 3, 3): "8"})
    march = pay(schedule, MARCH)
    assert Payslip.objects.get(run=march, employee=worker).gross == Decimal("320.00")

    # After Pay: the rest of March is recorded and approved like any other hours.
    late = {D(2026, 3, 4): "8", D(2026, 3, 5): "8", D(2026, 3, 9): "7.5"}
    _record_and_approve(people, worker, late)
    assert TimeEntry.objects.filter(employee=worker, status="approved").count() == 5
    _record_and_approve(people, worker, {D(2026, 4, 1): "8"})

    april = pay(schedule, APRIL, paid=False)
    label = "Late hours for 01.03.2026–31.03.2026: dates 04.–05.03., 09.03."
    assert _lines(april, worker, "late_hours") == [(label, Decimal("23.50"), Decimal("470.00"))]
    assert _lines(april, worker, "hours")[0][1:] == (Decimal("8.00"), Decimal("160.00"))
    assert Payslip.objects.get(run=april, employee=worker).gross == Decimal("630.00")

    # Calculating April again replaces its payslips: the late hours are in it once, again.
    payday_run_recalculate(run=april, user=people["calculator"])
    for chunk in april.chunks.all():
        payroll_chunk_calculate(chunk_id=chunk.pk)
    assert len(_lines(april, worker, "late_hours")) == 1

    payday_run_approve(run=april, user=people["approver"], changes_acknowledged=True)
    payday_run_pay(run=april, user=people["calculator"])
    slip = Payslip.objects.get(run=april, employee=worker)
    # The late hours are wages in the ledger like the period's hours: 160.00 + 470.00.
    wages = JournalEntry.objects.get(source=f"payroll.run:{april.pk}").lines.get(
        account__number="4110", side="D"
    )
    assert wages.amount == Decimal("630.00")
    assert set(TimeEntry.objects.filter(payslip=slip).values_list("date", flat=True)) == set(
        late
    ) | {D(2026, 4, 1)}

    # The employee's payslip page shows the line with its dates.
    client.force_login(people["calculator"])
    page = client.get(reverse("payroll:payslip_detail", args=[april.pk, slip.pk]))
    assert label in page.content.decode()

    # Paid hours are locked; May pays no late hours again.
    locked = paid_days(employee_ids=[worker.pk], start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert locked == {(worker.pk, day) for day in [D(2026, 3, 2), D(2026, 3, 3), *late]}
    may = pay(schedule, MAY, paid=False)
    assert _lines(may, worker, "late_hours") == []


def test_late_hours_are_not_refused_for_a_paid_period_in_the_grid(people, schedule, pay):
    """The situation of the issue: a month paid early (2 December) with two days of hours.
    The rest of the month is recorded afterwards without a refusal."""
    worker = profile(
        schedule, hourly_rate="20.00", employee=EmployeeFactory(department=people["dept"])
    ).employee
    _record_and_approve(people, worker, {D(2026, 3, 2): "8"})
    pay(schedule, MARCH)
    result = time_entries_save(
        department=people["dept"],
        week_start=D(2026, 3, 23),
        rows={
            worker.pk: {D(2026, 3, 23) + datetime.timedelta(days=i): Decimal(8) for i in range(5)}
        },
        user=people["entry"],
    )
    assert result.created == 5


def test_previous_period_timing_pays_march_hours_in_april(people, schedule, pay):
    """Vormonatsprinzip: April pays the approved hours of March (5 x 8 h = 800.00), not those
    of April, which May will pay; a worker who left on 31 March is paid their March hours with
    April too (work is never lost), and the salaried are paid April's salary."""
    schedule.hours_timing = PaySchedule.HoursTiming.PREVIOUS
    schedule.save(update_fields=["hours_timing"])
    worker = profile(
        schedule, hourly_rate="20.00", employee=EmployeeFactory(department=people["dept"])
    ).employee
    leaver = profile(
        schedule,
        hourly_rate="20.00",
        iban_index=1,
        employee=EmployeeFactory(
            department=people["dept"], hire_date=D(2025, 1, 1), termination_date=D(2026, 3, 31)
        ),
    ).employee
    salaried = profile(schedule, salary="3000.00", iban_index=2).employee
    for day in range(2, 7):
        approved_hours(worker, D(2026, 3, day), "8")
    approved_hours(leaver, D(2026, 3, 31), "6")
    approved_hours(worker, D(2026, 4, 1), "8")

    april = pay(schedule, APRIL)
    assert _lines(april, worker, "hours")[0][1:] == (Decimal("40.00"), Decimal("800.00"))
    assert _lines(april, leaver, "hours")[0][1:] == (Decimal("6.00"), Decimal("120.00"))
    assert Payslip.objects.get(run=april, employee=salaried).gross == Decimal("3000.00")
    assert TimeEntry.objects.get(employee=worker, date=D(2026, 4, 1)).payslip_id is None

    may = pay(schedule, MAY, paid=False)
    assert _lines(may, worker, "hours")[0][1:] == (Decimal("8.00"), Decimal("160.00"))
    assert not Payslip.objects.filter(run=may, employee=leaver).exists()


def test_history_before_the_first_payslip_is_not_paid_as_late_hours(people, schedule, pay):
    """Hours older than an employee's first payslip (imported for the 13-week average) are
    settled by that payslip, not paid as late hours, now or later."""
    worker = profile(
        schedule, hourly_rate="20.00", employee=EmployeeFactory(department=people["dept"])
    ).employee
    approved_hours(worker, D(2026, 2, 2), "8")
    approved_hours(worker, D(2026, 3, 2), "8")
    march = pay(schedule, MARCH)
    assert Payslip.objects.get(run=march, employee=worker).gross == Decimal("160.00")
    april = pay(schedule, APRIL, paid=False)
    assert _lines(april, worker, "late_hours") == []


def _absent(employee, start, end):
    Absence.objects.create(
        employee=employee,
        kind=Absence.Kind.VACATION,
        status=Absence.Status.APPROVED,
        start_date=start,
        end_date=end,
        days=Decimal(3),
    )


def test_incomplete_hours_warn_with_people_and_days(people, schedule, pay, client):
    """March 2026, 22 working days. Hourly A has hours every working day; B lacks 30 and 31
    March (2); C lacks 23 to 27 March, three of them approved vacation (2); E joined on 16
    March and lacks that day only (1); the salaried are not counted. 3 people, 5 days: a
    warning, not a block, and the review of the calculated run repeats it."""
    dept = people["dept"]
    march_days = [D(2026, 3, d) for d in range(1, 32) if D(2026, 3, d).weekday() < 5]
    assert len(march_days) == 22
    a, b, c = (
        profile(
            schedule, hourly_rate="20.00", iban_index=i, employee=EmployeeFactory(department=dept)
        ).employee
        for i in range(3)
    )
    e = profile(
        schedule,
        hourly_rate="20.00",
        iban_index=3,
        employee=EmployeeFactory(department=dept, hire_date=D(2026, 3, 16)),
    ).employee
    profile(schedule, salary="3000.00", iban_index=4)
    for day in march_days:
        approved_hours(a, day, "8")
        if day < D(2026, 3, 30):
            approved_hours(b, day, "8")
        if not D(2026, 3, 23) <= day <= D(2026, 3, 27):
            approved_hours(c, day, "8")
        if day > D(2026, 3, 16):
            approved_hours(e, day, "8")
    _absent(c, D(2026, 3, 23), D(2026, 3, 25))

    period = period_for(schedule, MARCH)
    items = payday_readiness(period=period)
    missing = [i for i in items if i.get("code") == "hours_missing"]
    assert [i["level"] for i in missing] == ["warn"]
    assert missing[0]["text"].startswith("3 people paid by the hour have 5 working days")
    assert not [i for i in items if i.get("code") == "hours_period_open"]

    run = pay(schedule, MARCH, paid=False)
    client.force_login(people["approver"])
    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="review-hours-warnings"' in page
    assert "3 people paid by the hour have 5 working days" in page


def test_a_period_that_has_not_ended_warns_about_the_days_to_come(schedule):
    """On 15 April, April's hours are not complete: 12 working days still to come for the
    2 people paid by the hour; days already passed without hours are counted too."""
    for i in range(2):
        profile(schedule, hourly_rate="20.00", iban_index=i)
    period = period_for(schedule, APRIL)
    items = hours_readiness(
        period=period,
        profiles=approved_profiles().filter(schedule=schedule),
        today=D(2026, 4, 15),
    )
    texts = {i["code"]: i["text"] for i in items}
    assert "12 working days still to come for 2 people" in texts["hours_period_open"]
    # 1 April to 14 April: 8 working days (Good Friday, Easter Monday), none recorded.
    assert texts["hours_missing"].startswith("2 people paid by the hour have 16 working days")


def _large_change(schedule, pay):
    """February paid with 1 day of hours, March with 10: March's net is flagged."""
    worker = profile(schedule, hourly_rate="20.00").employee
    approved_hours(worker, D(2026, 2, 2), "8")
    pay(schedule, D(2026, 2, 1))
    for day in range(2, 14):
        if D(2026, 3, day).weekday() < 5:
            approved_hours(worker, D(2026, 3, day), "8")
    return pay(schedule, MARCH, paid=False)


def test_approve_refuses_large_changes_without_acknowledgement(people, schedule, pay):
    """The approver must say they checked the large changes; without it nothing changes."""
    run = _large_change(schedule, pay)
    with pytest.raises(PaydayRefused) as refused:
        payday_run_approve(run=run, user=people["approver"])
    assert "1 payslip changed by more than 20 %" in refused.value.messages[0]
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    payday_run_approve(run=run, user=people["approver"], changes_acknowledged=True)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.APPROVED


def test_the_confirmation_shows_net_total_payees_and_large_changes(people, schedule, pay, client):
    run = _large_change(schedule, pay)
    client.force_login(people["approver"])
    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    slip = Payslip.objects.get(run=run)
    assert 'data-testid="approve-summary"' in page
    assert "Approve 1 payslip with a net total of" in page
    assert 'data-testid="acknowledge-changes"' in page
    assert "1 payslip changed by more than 20 %" in page
    from backoffice.money import format_money

    assert format_money(slip.net) in page
    # The flagged payslip is named with its previous and new net pay.
    previous = Payslip.objects.exclude(run=run).get(employee=slip.employee)
    flagged = page.split('data-testid="approve-flagged"')[1].split("</ul>")[0]
    assert slip.employee.full_name in flagged
    assert format_money(previous.net) in flagged and format_money(slip.net) in flagged


def test_chunk_queries_do_not_grow_with_late_hours(
    people, schedule, pay, django_capture_on_commit_callbacks
):
    """A chunk's queries are the same for 2 and for 8 employees with late hours of two
    periods each, and stay under 30 (the bench's bound)."""
    other = PaySchedule.objects.create(name="Zweiter Plan", payday_day=28)

    def measure(plan, n: int) -> int:
        workers = [
            profile(
                plan,
                hourly_rate="20.00",
                iban_index=i,
                employee=EmployeeFactory(department=people["dept"]),
            ).employee
            for i in range(n)
        ]
        for w in workers:
            approved_hours(w, D(2026, 2, 2), "8")
        pay(plan, D(2026, 2, 1))
        pay(plan, MARCH)
        for w in workers:
            approved_hours(w, D(2026, 2, 3), "8")
            approved_hours(w, D(2026, 3, 3), "8")
        run = payday_run_calculate(period=period_for(plan, APRIL), user=people["calculator"])
        chunk = run.chunks.get()
        with CaptureQueriesContext(connection) as captured:
            payroll_chunk_calculate(chunk_id=chunk.pk)
        assert PayslipLine.objects.filter(payslip__run=run, code="late_hours").count() == 2 * n
        return len(captured.captured_queries)

    small = measure(schedule, 2)
    assert measure(other, 8) == small
    assert small <= 30


def test_salaried_staff_alone_need_no_hours_warning(schedule):
    """Without anyone paid by the hour there are no hours to wait for: no warning, also
    while the period runs."""
    profile(schedule, salary="3000.00")
    items = hours_readiness(
        period=period_for(schedule, APRIL),
        profiles=approved_profiles().filter(schedule=schedule),
        today=D(2026, 4, 15),
    )
    assert items == []


def test_late_hours_another_run_took_meanwhile_are_not_paid_twice(
    people, schedule, pay, monkeypatch
):
    """Two runs calculated at the same time read the same late hours; the one that attaches
    them second finds them taken: its attempt is rolled back (and retried by the task) and
    the retry pays them no more."""
    from payroll.services import chunks

    worker = profile(
        schedule, hourly_rate="20.00", employee=EmployeeFactory(department=people["dept"])
    ).employee
    approved_hours(worker, D(2026, 3, 2), "8")
    march = pay(schedule, MARCH)
    late = approved_hours(worker, D(2026, 3, 3), "8")
    other_slip = Payslip.objects.get(run=march, employee=worker)
    run = payday_run_calculate(period=period_for(schedule, APRIL), user=people["calculator"])
    chunk = run.chunks.get()

    attach = chunks._entries_attach

    def another_run_first(slips, period, late_read):
        # What the other run's chunk commits between this chunk's reads and its UPDATE.
        TimeEntry.objects.filter(pk=late.pk).update(payslip=other_slip)
        return attach(slips, period, late_read)

    monkeypatch.setattr(chunks, "_entries_attach", another_run_first)
    with pytest.raises(chunks.LateHoursTaken):
        payroll_chunk_calculate(chunk_id=chunk.pk)
    monkeypatch.setattr(chunks, "_entries_attach", attach)
    # The other run's attachment stays (it committed); the retry does not pay the hours.
    TimeEntry.objects.filter(pk=late.pk).update(payslip=other_slip)
    payroll_chunk_calculate(chunk_id=chunk.pk)
    assert _lines(run, worker, "late_hours") == []
    assert TimeEntry.objects.get(pk=late.pk).payslip_id == other_slip.pk


def test_hours_and_absences_at_the_edges_of_the_window_count_only_inside_it(schedule):
    """Readiness reads only the window's hours and absences (a range, for speed): an approved
    absence that began in February or ends in April still covers its March days, while hours
    on 27 February and 1 April do not stand in for March days. A has March's hours except
    2-3 and 30-31 March, all four covered by absences: complete. B has hours only just
    outside March and a vacation that ended on 27 February: all 22 March working days are
    missing."""
    a, b = (profile(schedule, hourly_rate="20.00", iban_index=i).employee for i in range(2))
    march_days = [D(2026, 3, d) for d in range(1, 32) if D(2026, 3, d).weekday() < 5]
    for day in march_days:
        if D(2026, 3, 4) <= day <= D(2026, 3, 27):
            approved_hours(a, day, "8")
    _absent(a, D(2026, 2, 20), D(2026, 3, 3))
    _absent(a, D(2026, 3, 30), D(2026, 4, 3))
    approved_hours(b, D(2026, 2, 27), "8")
    approved_hours(b, D(2026, 4, 1), "8")
    _absent(b, D(2026, 2, 23), D(2026, 2, 27))

    items = hours_readiness(
        period=period_for(schedule, MARCH),
        profiles=approved_profiles().filter(schedule=schedule),
        today=D(2026, 4, 15),
    )

    texts = {i["code"]: i["text"] for i in items}
    assert texts["hours_missing"].startswith("1 person paid by the hour has 22 working days")
