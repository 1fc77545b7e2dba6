"""One chunk of a payroll run: read its employees, profiles and approved hours (summed in SQL),
compute in Python with Decimal, and write its payslips and lines in bulk.

A data problem of one employee never sinks the chunk: every payslip is checked against its
columns before the bulk write, an employee whose period another run already pays is an error
of their own, and should the bulk write still fail, the chunk is written employee by employee
so that only the one who cannot be written becomes a payslip error, named.

The caller (``payday.payroll_chunk_calculate``) owns the transaction and the chunk's row lock.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import DatabaseError, connection, models, transaction
from django.db.models import CharField, Exists, JSONField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, ExtractIsoYear, ExtractWeek, JSONObject
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from backoffice.money import ZERO
from hr.selectors import absences as hr_absences
from payroll.calculation import (
    CalculationError,
    EmployeeInput,
    LateHours,
    PeriodInput,
    RuleSpec,
    calculate,
)
from payroll.models import (
    DeductionRule,
    OffCycleItem,
    PayProfile,
    PayrollChunk,
    PayrollChunkLineTotal,
    PayrollRun,
    PayrollSettings,
    Payslip,
    PayslipError,
    PayslipLine,
    TimeEntry,
)
from payroll.services.review import previous_nets
from payroll.services.schedules import hours_window, period_bounds

logger = logging.getLogger(__name__)

# Columns a payslip takes from outside the calculation, checked before the bulk write.
_CHECKED_EXCLUDE = ["run", "chunk", "employee", "department", "period", "pdf", "published_at"]
ERROR_MAX = PayslipError._meta.get_field("message").max_length


def _rules() -> list[RuleSpec]:
    return [
        RuleSpec(
            id=r.id,
            code=r.code,
            name=r.name,
            kind=r.kind,
            employee_rate=r.employee_rate,
            employer_rate=r.employer_rate,
            employee_amount=r.employee_amount,
            employer_amount=r.employer_amount,
            monthly_ceiling=r.monthly_ceiling,
            annual_ceiling=r.annual_ceiling,
            base_rule_id=r.base_rule_id,
            applies_to=r.applies_to,
            liability_account_id=r.liability_account_id,
            employer_expense_account_id=r.employer_expense_account_id,
        )  # fmt: skip
        for r in DeductionRule.objects.filter(active=True).order_by("order", "code")
    ]


HOURS_PLACES = Decimal("0.01")


def _average_daily_hours(
    hours: Decimal | None,
    spans: list,
    window_start: datetime.date,
    period,
    weekly_contract_hours: Decimal | None,
    period_hours: Decimal,
) -> Decimal | None:
    """Hours of an average working day in the reference weeks: the approved hours over the
    working days the employee was not absent (hr's calendar). Without hours there (a new
    joiner), the contract's weekly hours over five days; without those, the hours of the
    period itself over its working days not absent."""
    window_end = period.start - datetime.timedelta(days=1)
    for total, start, end in (
        (hours, window_start, window_end),
        (None, None, None),
        (period_hours, period.start, period.end),
    ):
        if total is None:
            if weekly_contract_hours:
                return (weekly_contract_hours / 5).quantize(HOURS_PLACES)
            continue
        if not total:
            continue
        days = Decimal(hr_absences.working_days(start, end))
        days -= hr_absences.absence_days_in(spans, start, end).total
        if days > 0:
            return (total / days).quantize(HOURS_PLACES)
    return None


def _inputs(
    employee_ids: list[int], period, rules: list[RuleSpec], reference_weeks: int = 13
) -> list:
    # Approved absences (hr.selectors) of the period and of the reference weeks before it, for
    # hourly staff's average day: folded into the profiles' query, no query of their own.
    window_start = period.start - datetime.timedelta(weeks=reference_weeks)
    # The days whose hours this run pays: the period, or the one before it (schedule timing).
    hours_start, hours_end = hours_window(period=period)
    profiles = list(
        PayProfile.objects.filter(employee_id__in=employee_ids)
        .select_related("employee", "employee__personnel_file")
        .annotate(
            absence_spans=hr_absences.absence_spans_subquery(
                employee_ref="employee_id", start=window_start, end=period.end
            ),
            late_rows=_late_rows_subquery(hours_start),
        )
        .order_by("employee_id")
    )
    weekly: dict[int, dict] = defaultdict(dict)
    weekly_before: dict[int, dict] = defaultdict(dict)
    window_hours: dict[int, Decimal] = defaultdict(lambda: ZERO)
    week_start = hours_start - datetime.timedelta(days=hours_start.weekday())
    # One query: per ISO week the hours before and inside the days this run pays (overtime;
    # only those no other payslip holds), and the hours of the reference weeks before the
    # period (hourly absence pay).
    for employee_id, year, week, before, inside, window in (
        TimeEntry.objects.filter(
            employee_id__in=employee_ids,
            date__range=(min(week_start, window_start), max(hours_end, period.start)),
            status=TimeEntry.Status.APPROVED,
        )
        .annotate(y=ExtractIsoYear("date"), w=ExtractWeek("date"))
        .values("employee_id", "y", "w")
        .annotate(
            before=Sum("hours", filter=Q(date__gte=week_start, date__lt=hours_start), default=ZERO),
            inside=Sum(
                "hours",
                filter=Q(date__range=(hours_start, hours_end), payslip__isnull=True),
                default=ZERO,
            ),
            window=Sum(
                "hours", filter=Q(date__gte=window_start, date__lt=period.start), default=ZERO
            ),
        )
        .values_list("employee_id", "y", "w", "before", "inside", "window")
    ):
        if window:
            window_hours[employee_id] += window
        if inside:
            weekly[employee_id][(year, week)] = inside
            if before:
                weekly_before[employee_id][(year, week)] = before
    annual = [r for r in rules if r.annual_ceiling is not None]
    ytd: dict[int, Decimal] = {}
    if annual:
        ytd = dict(
            Payslip.objects.filter(
                employee_id__in=employee_ids,
                run__status=PayrollRun.Status.PAID,
                run__period__payday__year=period.payday.year,
                run__period__payday__lt=period.payday,
            )
            .values("employee_id")
            .annotate(g=Sum("gross"))
            .values_list("employee_id", "g")
        )
    inputs = []
    for p in profiles:
        e = p.employee
        own_spans = hr_absences.absence_spans_from(p.absence_spans)
        absent = hr_absences.absence_days_in(own_spans, period.start, period.end)
        hourly = p.hourly_rate is not None
        paid_leave = {}
        average = None
        if hourly and reference_weeks:
            paid_leave = {
                "vacation": absent.vacation,
                "special_leave": absent.special_leave,
                "sick": absent.sick,
            }
            if any(paid_leave.values()):
                file = getattr(e, "personnel_file", None)
                average = _average_daily_hours(
                    window_hours.get(e.pk),
                    own_spans,
                    window_start,
                    period,
                    file.weekly_hours if file is not None else None,
                    sum(weekly.get(e.pk, {}).values(), ZERO),
                )
        inputs.append(
            (
                p,
                EmployeeInput(
                    employee_id=e.pk,
                    department_id=e.department_id,
                    hire_date=e.hire_date,
                    termination_date=e.termination_date,
                    hourly_rate=p.hourly_rate,
                    monthly_salary=p.monthly_salary if p.hourly_rate is None else None,
                    church_member=p.church_member,
                    deductions_exempt=p.deductions_exempt,
                    weekly_hours=weekly.get(e.pk, {}),
                    weekly_hours_before=weekly_before.get(e.pk, {}),
                    ytd_bases={r.id: min(r.annual_ceiling, ytd.get(e.pk, ZERO)) for r in annual},
                    unpaid_leave_days=absent.unpaid_leave,
                    paid_leave_days=paid_leave,
                    average_daily_hours=average,
                    reference_weeks=reference_weeks,
                    late_hours=_late_hours(p.late_rows, period),
                ),
            )
        )
    return inputs


def late_hours_q(hours_start: datetime.date) -> Q:
    """Time entries that are late hours for a run whose hours begin on ``hours_start``:
    approved, held by no payslip, dated before those days, in a period the employee already
    had a payslip for (or a later one). Hours older than the employee's first payslip are
    history the first payslip settles (imported for the 13-week average, say), never paid as
    late hours."""
    return Q(
        Exists(
            Payslip.objects.filter(
                employee_id=OuterRef("employee_id"),
                pays_period=True,
                period__end__gte=OuterRef("date"),
            )
        ),
        status=TimeEntry.Status.APPROVED,
        payslip__isnull=True,
        date__lt=hours_start,
    )


def _late_rows_subquery(hours_start: datetime.date) -> Subquery:
    """For the chunk's pay profiles: the employee's late hours as one JSON list of days and
    hours (texts, read back as Decimal), folded into the profiles' query: no query of their
    own."""
    return Subquery(
        TimeEntry.objects.filter(late_hours_q(hours_start), employee_id=OuterRef("employee_id"))
        .order_by()
        .values("employee_id")
        .annotate(
            rows=JSONBAgg(
                JSONObject(date="date", hours=Cast("hours", CharField())), order_by="date"
            )
        )
        .values("rows"),
        output_field=JSONField(),
    )


def _late_hours(rows, period) -> tuple[LateHours, ...]:
    """The late hours of ``_late_rows_subquery``, one item per period of the schedule they
    fall in, oldest first."""
    found: dict[tuple, list] = defaultdict(list)
    for row in rows or []:
        day = datetime.date.fromisoformat(row["date"])
        start, end, _payday = period_bounds(schedule=period.schedule, day=day)
        found[(start, end)].append((day, Decimal(row["hours"])))
    return tuple(
        LateHours(
            period_label=f"{start:%d.%m.%Y}–{end:%d.%m.%Y}",
            days=tuple(day for day, _hours in days),
            hours=sum((hours for _day, hours in days), ZERO),
        )
        for (start, end), days in sorted(found.items())
    )


class LateHoursTaken(Exception):
    """Late hours this chunk read were attached to another run's payslip meanwhile (two runs
    calculated at the same time): the attempt is rolled back and tried again without them."""


def _entries_attach(slips: list[Payslip], period, late_read: dict[int, Decimal]) -> None:
    """Record on each approved entry up to the end of the run's hours window which of the
    written payslips pays it: the window's days and the late days before it (and history
    older than the employee's first payslip, which that payslip settles). One statement,
    driven by the (employee, payslip) pairs of the chunk so that the plan does not depend on
    fresh statistics of the payslips just written.

    It returns the late hours it attached per employee: fewer than were read (and paid in a
    line) means another run took them in between, and the chunk raises ``LateHoursTaken``
    (retried), so that no hour is paid twice. An entry approved between the reads and this
    statement is attached without being in the amounts; its ``updated_at`` (after the
    calculation started) makes Approve refuse the run until it is calculated again."""
    written = [(slip.employee_id, slip.pk, slip.run_id) for slip in slips if slip.pk is not None]
    if not written:
        return
    hours_start, hours_end = hours_window(period=period)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH attached AS (
                UPDATE payroll_timeentry AS t
                   SET payslip_id = s.payslip_id
                  FROM unnest(%s::bigint[], %s::bigint[]) AS s(employee_id, payslip_id)
                 WHERE t.employee_id = s.employee_id
                   AND t.payslip_id IS NULL
                   AND t.status = %s
                   AND t.date <= %s
             RETURNING t.employee_id, t.date, t.hours
            )
            SELECT a.employee_id, sum(a.hours)
              FROM attached AS a
             WHERE a.date < %s
               AND EXISTS (
                   SELECT 1
                     FROM payroll_payslip AS p
                     JOIN payroll_payperiod AS pp ON pp.id = p.period_id
                    WHERE p.employee_id = a.employee_id
                      AND p.pays_period
                      AND pp."end" >= a.date
                      AND p.run_id <> %s
               )
             GROUP BY a.employee_id
            """,
            [
                [employee_id for employee_id, _pk, _run in written],
                [pk for _employee_id, pk, _run in written],
                TimeEntry.Status.APPROVED,
                hours_end,
                hours_start,
                written[0][2],
            ],
        )
        attached = dict(cursor.fetchall())
    taken = sorted(
        employee_id
        for employee_id, _pk, _run in written
        if attached.get(employee_id, ZERO) < late_read.get(employee_id, ZERO)
    )
    if taken:
        raise LateHoursTaken(
            f"late hours of employees {taken[:10]} were attached to another run meanwhile"
        )


def _bank_problem(profile: PayProfile) -> str | None:
    if profile.pay_method != PayProfile.PayMethod.DIRECT_DEPOSIT:
        return None
    if not profile.iban:
        return _("No IBAN for direct deposit.")
    try:
        IBAN(profile.iban)
    except SchwiftyException:
        return _("The IBAN %(iban)s is not valid.") % {"iban": profile.iban}
    return None


def _offcycle_items(run: PayrollRun, employee_ids: list[int]) -> dict[int, dict]:
    """An off-cycle run's items for the chunk's employees, one query: per employee whether the
    payslip pays the period (a late hire) and the one-off earnings as (code, label, amount).
    A regular run has none."""
    if run.kind != PayrollRun.Kind.OFF_CYCLE:
        return {}
    found: dict[int, dict] = defaultdict(lambda: {"pays_period": False, "one_off": []})
    for item in OffCycleItem.objects.filter(run=run, employee_id__in=employee_ids).order_by(
        "employee_id", "id"
    ):
        own = found[item.employee_id]
        own["pays_period"] = own["pays_period"] or item.pays_period
        if item.amount:
            label = item.get_kind_display() if not item.pays_period else _("Late hire payment")
            if item.text:
                label = f"{label}: {item.text}"
            own["one_off"].append(
                (
                    f"offcycle_{item.kind}",
                    label[: PayslipLine._meta.get_field("label").max_length],
                    item.amount,
                )
            )
    return dict(found)


def _paid_elsewhere(run: PayrollRun, employee_ids: list[int]) -> dict[int, str]:
    """Employees whose period another run already pays (or is about to): the reason, each."""
    found = {}
    for employee_id, other_pk, kind, status in (
        Payslip.objects.filter(
            period_id=run.period_id, pays_period=True, employee_id__in=employee_ids
        )
        .exclude(run_id=run.pk)
        .values_list("employee_id", "run_id", "run__kind", "run__status")
    ):
        found[employee_id] = _(
            "This period is already in the %(kind)s run no. %(run)d (%(status)s); it is never "
            "paid twice."
        ) % {
            "kind": PayrollRun.kind_in_sentence(kind),
            "run": other_pk,
            "status": PayrollRun.Status(status).label.lower(),
        }
    return found


def _checked_fields() -> tuple[list, list]:
    """The payslip columns whose values come from outside the calculation's own rounding:
    texts with a length limit and amounts with a digit limit."""
    texts, amounts = [], []
    for field in Payslip._meta.concrete_fields:
        if field.name in _CHECKED_EXCLUDE or field.primary_key:
            continue
        if isinstance(field, models.CharField) and field.max_length:
            texts.append(field)
        elif isinstance(field, models.DecimalField):
            amounts.append(field)
    return texts, amounts


def slip_problem(slip: Payslip, *, holder_from_name: bool) -> str | None:
    """What the database would refuse in this payslip, in words the payroll clerk can act on;
    None when it can be written. Checks only what PostgreSQL checks (text length, digits
    before the decimal point): cheap enough for ten thousand payslips."""
    texts, amounts = _checked_fields()
    for field in texts:
        value = getattr(slip, field.attname) or ""
        if len(value) <= field.max_length:
            continue
        if field.name == "account_holder":
            if holder_from_name:
                return _(
                    "The name has %(length)d characters; a bank transfer allows %(limit)d. "
                    "Give the pay profile a shorter account holder."
                ) % {"length": len(value), "limit": field.max_length}
            return _("The account holder has more than %(limit)d characters.") % {
                "limit": field.max_length
            }
        return _("%(field)s has %(length)d characters; at most %(limit)d fit.") % {
            "field": capfirst(field.verbose_name),
            "length": len(value),
            "limit": field.max_length,
        }
    for field in amounts:
        value = getattr(slip, field.attname)
        if value is None:
            continue
        if abs(value) >= Decimal(10) ** (field.max_digits - field.decimal_places):
            return _("%(field)s is %(value)s, more than this field can hold.") % {
                "field": capfirst(field.verbose_name),
                "value": value,
            }
    return None


def _copy_lines(rows) -> None:
    """Write payslip lines with PostgreSQL COPY: a chunk has about ten thousand of them, and
    building model instances and INSERT statements for each took most of a chunk's time."""
    table = PayslipLine._meta.db_table
    columns = "payslip_id, kind, code, label, quantity, rate, amount, account_id_snapshot"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _write(slips: list[Payslip], slip_lines: list[list]) -> None:
    Payslip.objects.bulk_create(slips, batch_size=2000)
    _copy_lines(
        (slip.pk, ln.kind, ln.code, ln.label, ln.quantity, ln.rate, ln.amount, ln.account_id)
        for slip, lines in zip(slips, slip_lines, strict=True)
        for ln in lines
    )


def _line_totals(
    chunk: PayrollChunk, slips: list[Payslip], slip_lines: list[list]
) -> list[PayrollChunkLineTotal]:
    """The written payslips' lines (a refused payslip has no pk) summed per kind and code,
    in the order the codes first appear."""
    totals: dict[tuple[str, str], PayrollChunkLineTotal] = {}
    for slip, lines in zip(slips, slip_lines, strict=True):
        if slip.pk is None:
            continue
        for ln in lines:
            total = totals.get((ln.kind, ln.code))
            if total is None:
                totals[(ln.kind, ln.code)] = PayrollChunkLineTotal(
                    chunk=chunk,
                    kind=ln.kind,
                    code=ln.code,
                    label=ln.label,
                    position=len(totals),
                    amount=ln.amount,
                )
            else:
                total.label = min(total.label, ln.label)
                total.amount += ln.amount
    return list(totals.values())


def _database_reason(exc: DatabaseError) -> str:
    text = str(getattr(exc, "__cause__", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _write_resilient(
    run: PayrollRun, chunk: PayrollChunk, slips: list[Payslip], slip_lines: list[list]
) -> list[PayslipError]:
    """The bulk write in a savepoint; should the database still refuse it, each employee in a
    savepoint of their own, so that only the refused ones become errors."""
    try:
        with transaction.atomic():
            _write(slips, slip_lines)
        return []
    except DatabaseError as exc:
        logger.warning(
            "payroll chunk %s: bulk write refused (%s); writing employee by employee",
            chunk.pk,
            _database_reason(exc),
        )
    errors = []
    for slip, lines in zip(slips, slip_lines, strict=True):
        slip.pk = None
        slip._state.adding = True
        try:
            with transaction.atomic():
                _write([slip], [lines])
        except DatabaseError as exc:
            slip.pk = None
            errors.append(
                PayslipError(
                    run=run,
                    chunk=chunk,
                    employee_id=slip.employee_id,
                    message=(
                        _("The payslip could not be written: %(reason)s")
                        % {"reason": _database_reason(exc)}
                    )[:ERROR_MAX],
                )
            )
    return errors


def _chunk_clear(chunk: PayrollChunk) -> None:
    """Whatever an earlier attempt of the chunk left, in one statement: its payslips, their
    lines, its errors and its line totals (the hours those payslips held are freed by the
    database, ON DELETE SET NULL). A chunk of a calculating run has no cheques: they are
    written at Pay."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH slips AS (
                DELETE FROM payroll_payslip WHERE chunk_id = %s RETURNING id
            ), errors AS (
                DELETE FROM payroll_paysliperror WHERE chunk_id = %s
            ), totals AS (
                DELETE FROM payroll_payrollchunklinetotal WHERE chunk_id = %s
            )
            DELETE FROM payroll_payslipline WHERE payslip_id IN (SELECT id FROM slips)
            """,
            [chunk.pk, chunk.pk, chunk.pk],
        )


def chunk_payslips_write(*, chunk: PayrollChunk, settings: PayrollSettings) -> int:
    """Replace whatever an earlier attempt of the chunk left with its payslips and errors.
    Returns the number of payslips written."""
    run = chunk.run
    _chunk_clear(chunk)
    rules = _rules()
    period = run.period
    period_input = PeriodInput(
        period.start,
        period.end,
        period.schedule.frequency,
        working_days=hr_absences.working_days(period.start, period.end),
    )
    employee_ids = list(chunk.employee_ids)
    items = _offcycle_items(run, employee_ids)
    elsewhere = _paid_elsewhere(
        run, [i for i in employee_ids if items.get(i, {"pays_period": True})["pays_period"]]
    )
    previous = previous_nets(run=run, employee_ids=employee_ids)
    slips, slip_lines, errors = [], [], []

    def error(employee_id: int, text: str) -> None:
        errors.append(
            PayslipError(run=run, chunk=chunk, employee_id=employee_id, message=text[:ERROR_MAX])
        )

    late_read: dict[int, Decimal] = {}
    for profile, emp in _inputs(
        employee_ids, period, rules, reference_weeks=settings.absence_pay_reference_weeks
    ):
        if emp.late_hours:
            late_read[emp.employee_id] = sum((late.hours for late in emp.late_hours), ZERO)
        if emp.employee_id in elsewhere:
            error(emp.employee_id, elsewhere[emp.employee_id])
            continue
        if items:
            # An employee an off-cycle run names without an item is paid the period (the
            # service's employee_ids alone, as before there were items).
            own = items.get(emp.employee_id, {"pays_period": True, "one_off": []})
            emp = dataclasses.replace(
                emp, pays_period=own["pays_period"], one_off=tuple(own["one_off"])
            )
        try:
            problem = _bank_problem(profile)
            if problem:
                raise CalculationError(problem)
            result = calculate(
                emp,
                period_input,
                rules,
                overtime_threshold=settings.overtime_weekly_threshold,
                overtime_premium=settings.overtime_premium,
                minimum_wage=settings.minimum_wage,
            )
        except CalculationError as exc:
            error(emp.employee_id, str(exc))
            continue
        slip = Payslip(
            run=run,
            chunk=chunk,
            period_id=run.period_id,
            employee_id=emp.employee_id,
            department_id=emp.department_id,
            pay_method=profile.pay_method,
            iban=profile.iban,
            bic=profile.bic,
            account_holder=profile.account_holder or profile.employee.full_name,
            hours=result.hours,
            overtime_hours=result.overtime_hours,
            gross=result.gross,
            deductions=result.deductions,
            net=result.net,
            employer_contributions=result.employer_contributions,
            pays_period=emp.pays_period,
            previous_net=previous.get(emp.employee_id),
        )
        problem = slip_problem(slip, holder_from_name=not profile.account_holder)
        if problem:
            error(emp.employee_id, problem)
            continue
        slips.append(slip)
        slip_lines.append(result.lines)
    errors += _write_resilient(run, chunk, slips, slip_lines)
    _entries_attach(slips, period, late_read)
    failed = {e.employee_id for e in errors}
    PayslipError.objects.bulk_create(errors)
    PayrollChunkLineTotal.objects.bulk_create(_line_totals(chunk, slips, slip_lines))
    return sum(1 for slip in slips if slip.employee_id not in failed)
