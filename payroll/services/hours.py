"""Hours: entered by clerks (week grid or CSV import), approved by the department's head.

Hours a paid (or approved) run holds are locked; hours recorded after their period was
paid are accepted and paid by the next run as late hours. Changing an approved entry sets it
back to "entered": the head approves it again. The German Working Hours Act (ArbZG) limits
are warnings, not errors: more than 10 hours a day, more than 48 a week, less than 11 hours'
rest between two days (only when start and end times are known), and an hourly rate below the
configured minimum wage.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from backoffice.money import format_money
from hr.models import Department, Employee
from hr.selectors import departments_led_by
from payroll import selectors
from payroll.models import PayPeriod, PayrollRun, TimeEntry
from payroll.resources import hours_file_read, row_error
from payroll.services.payday import payroll_settings

MAX_HOURS = Decimal(24)
DAY_LIMIT = Decimal(10)
WEEK_LIMIT = Decimal(48)
MIN_REST = datetime.timedelta(hours=11)
HOURS_PLACES = Decimal("0.01")
ONE_DAY = datetime.timedelta(days=1)
ANY_DAY = datetime.date(2000, 1, 3)

_UPSERT_FIELDS = [
    "hours",
    "start_time",
    "end_time",
    "status",
    "entered_by",
    "approved_by",
    "approved_at",
    "updated_at",
]


@dataclass(frozen=True)
class Cell:
    """What to store for one employee and day. ``hours=None`` clears the day. With
    ``times=True`` the start and end times are given (and replace stored ones); otherwise stored
    times are kept."""

    hours: Decimal | None
    start: datetime.time | None = None
    end: datetime.time | None = None
    times: bool = False


@dataclass
class HoursResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # Approved entries that changed: they need approval again.
    reset: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def cell_key(employee_id: int, day: datetime.date) -> str:
    """The key of a grid cell in a ValidationError's ``error_dict``."""
    return f"{employee_id}:{day.isoformat()}"


def week_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def day_label(day: datetime.date) -> str:
    return f"{formats.date_format(day, 'D')} {formats.date_format(day, 'SHORT_DATE_FORMAT')}"


def _hours_text(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def _as_cell(value) -> Cell:
    if isinstance(value, Cell):
        return value
    if value is None or value == "":
        return Cell(hours=None)
    if not isinstance(value, Decimal):
        raise TypeError(f"hours must be Decimal, not {type(value).__name__}")
    return Cell(hours=value)


def _span(day: datetime.date, start: datetime.time, end: datetime.time):
    """Start and end as datetimes; an end at or before the start is on the next day."""
    begin = datetime.datetime.combine(day, start)
    finish = datetime.datetime.combine(day, end)
    if finish <= begin:
        finish += ONE_DAY
    return begin, finish


def _cell_problems(
    employee: Employee | None, day: datetime.date | None, cell: Cell
) -> list[tuple[str, str]]:
    """What is wrong with one cell, as (column, message) pairs. Without the employee or the day
    (an import row where they could not be read) the values alone are checked."""
    problems = []
    if (
        employee is not None
        and day is not None
        and (
            day < employee.hire_date
            or (employee.termination_date is not None and day > employee.termination_date)
        )
    ):
        problems.append(("date", _("The employee is not employed on this day.")))
    if cell.hours is None:
        return problems
    if not cell.hours.is_finite() or cell.hours < 0 or cell.hours > MAX_HOURS:
        problems.append(("hours", _("Hours must be between 0 and 24.")))
    elif cell.hours.quantize(HOURS_PLACES) != cell.hours:
        problems.append(("hours", _("Hours have at most two decimal places.")))
    if cell.times:
        if cell.start is None and cell.end is not None:
            problems.append(("start", _("Give a start time with the end time.")))
        elif cell.end is None and cell.start is not None:
            problems.append(("end", _("Give an end time with the start time.")))
        elif cell.start is not None and cell.hours.is_finite():
            # The span does not depend on the day (naive times); any day serves without one.
            begin, finish = _span(day or ANY_DAY, cell.start, cell.end)
            span = Decimal(int((finish - begin).total_seconds())) / Decimal(3600)
            if cell.hours > span:
                problems.append(("hours", _("More hours than between the start and the end time.")))
    return problems


@dataclass
class _Plan:
    upserts: list[TimeEntry] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    result: HoursResult = field(default_factory=HoursResult)
    # (employee id, Monday) of every week this save changes: the weeks to warn about.
    changed_weeks: set[tuple[int, datetime.date]] = field(default_factory=set)
    # (employee id, day) -> (hours, start, end) after the write.
    final: dict[tuple[int, datetime.date], tuple] = field(default_factory=dict)


def _refuse_own_hours(cells: dict, existing: dict, user) -> None:
    """Nobody enters or changes their own hours (grid or import): another clerk does, and the
    head approves them. Unchanged cells of one's own row are no change and pass."""
    own = Employee.objects.filter(user_id=getattr(user, "pk", None)).values_list("pk", flat=True)
    own_ids = set(own) if user is not None else set()
    errors = {
        cell_key(employee_id, day): [
            _("%(day)s: these are your own hours; another clerk enters them.")
            % {"day": day_label(day)}
        ]
        for (employee_id, day), cell in sorted(cells.items())
        if employee_id in own_ids and _changes(cell, existing.get((employee_id, day)))
    }
    if errors:
        raise ValidationError(errors)


def _plan(
    cells: dict[tuple[int, datetime.date], Cell],
    existing: dict[tuple[int, datetime.date], TimeEntry],
    user,
) -> _Plan:
    _refuse_own_hours(cells, existing, user)
    plan = _Plan()
    for key, entry in existing.items():
        plan.final[key] = (entry.hours, entry.start_time, entry.end_time)
    for (employee_id, day), cell in cells.items():
        entry = existing.get((employee_id, day))
        if cell.hours is None:
            if entry is None:
                continue
            if entry.status == TimeEntry.Status.APPROVED:
                # Clearing approved hours is a change the head must see: 0 hours, to approve.
                cell = Cell(hours=Decimal(0), times=True)
            else:
                plan.deletes.append(entry.pk)
                plan.final.pop((employee_id, day), None)
                plan.result.deleted += 1
                plan.changed_weeks.add((employee_id, week_monday(day)))
                continue
        start, end = (cell.start, cell.end) if cell.times else (None, None)
        if entry is not None:
            if not cell.times:
                start, end = entry.start_time, entry.end_time
            if (entry.hours, entry.start_time, entry.end_time) == (cell.hours, start, end):
                continue
            plan.result.updated += 1
            if entry.status == TimeEntry.Status.APPROVED:
                plan.result.reset += 1
        else:
            plan.result.created += 1
        plan.upserts.append(
            TimeEntry(
                employee_id=employee_id,
                date=day,
                hours=cell.hours,
                start_time=start,
                end_time=end,
                note=entry.note if entry is not None else "",
                status=TimeEntry.Status.ENTERED,
                entered_by=user,
                approved_by=None,
                approved_at=None,
            )
        )
        plan.final[(employee_id, day)] = (cell.hours, start, end)
        plan.changed_weeks.add((employee_id, week_monday(day)))
    return plan


def _write(plan: _Plan) -> None:
    if plan.deletes:
        TimeEntry.objects.filter(pk__in=plan.deletes).delete()
    if plan.upserts:
        TimeEntry.objects.bulk_create(
            plan.upserts,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["employee", "date"],
            update_fields=_UPSERT_FIELDS,
        )


def _warnings(
    *,
    final: dict[tuple[int, datetime.date], tuple],
    employees: dict[int, Employee],
    weeks: set[tuple[int, datetime.date]],
) -> list[str]:
    """The Working Hours Act warnings for the given (employee, Monday) weeks, and the minimum
    wage warning for those of them who worked in those weeks."""
    found: list[tuple[str, datetime.date, str]] = []
    worked: set[int] = set()
    for employee_id, monday in sorted(weeks):
        employee = employees[employee_id]
        name = str(employee)
        total = Decimal(0)
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            hours, start, end = final.get((employee_id, day), (None, None, None))
            if hours is None:
                continue
            total += hours
            if hours > 0:
                worked.add(employee_id)
            if hours > DAY_LIMIT:
                found.append(
                    (
                        name,
                        day,
                        _("%(employee)s, %(day)s: %(hours)s hours in one day (more than 10).")
                        % {"employee": name, "day": day_label(day), "hours": _hours_text(hours)},
                    )
                )
            previous = final.get((employee_id, day - ONE_DAY))
            if start is not None and previous and previous[1] is not None and previous[2]:
                _begin, finished = _span(day - ONE_DAY, previous[1], previous[2])
                rest = datetime.datetime.combine(day, start) - finished
                if rest < MIN_REST:
                    found.append(
                        (
                            name,
                            day,
                            _(
                                "%(employee)s, %(day)s: only %(rest)s hours' rest since the "
                                "day before (at least 11)."
                            )
                            % {
                                "employee": name,
                                "day": day_label(day),
                                "rest": _hours_text(
                                    Decimal(int(rest.total_seconds())) / Decimal(3600)
                                ),
                            },
                        )
                    )
        if total > WEEK_LIMIT:
            found.append(
                (
                    name,
                    monday,
                    _("%(employee)s: %(hours)s hours in the week of %(day)s (more than 48).")
                    % {"employee": name, "day": day_label(monday), "hours": _hours_text(total)},
                )
            )
    if worked:
        minimum = payroll_settings().minimum_wage
        for employee_id, rate in selectors.hourly_rates(employee_ids=worked).items():
            if rate < minimum:
                name = str(employees[employee_id])
                found.append(
                    (
                        name,
                        datetime.date.min,
                        _(
                            "%(employee)s: the hourly rate %(rate)s is below the minimum wage "
                            "of %(minimum)s."
                        )
                        % {
                            "employee": name,
                            "rate": format_money(rate),
                            "minimum": format_money(minimum),
                        },
                    )
                )
    found.sort(key=lambda item: (item[0], item[1]))
    return [text for _name, _day, text in found]


def _locked_existing(employee_ids, start: datetime.date, end: datetime.date) -> dict:
    """The employees' entries between two days, locked for the rest of the transaction."""
    return {
        (e.employee_id, e.date): e
        for e in TimeEntry.objects.select_for_update().filter(
            employee_id__in=list(employee_ids), date__range=(start, end)
        )
    }


def _changes(cell: Cell, entry: TimeEntry | None) -> bool:
    """Would this cell write anything (used for the paid-period lock)?"""
    if cell.hours is None:
        return entry is not None
    if entry is None:
        return True
    if cell.times:
        return (entry.hours, entry.start_time, entry.end_time) != (cell.hours, cell.start, cell.end)
    return entry.hours != cell.hours


@transaction.atomic
def time_entries_save(
    *,
    department: Department,
    week_start: datetime.date,
    rows: dict[int, dict[datetime.date, object]],
    user,
) -> HoursResult:
    """Save a department's week from the grid: ``rows`` maps employee ids to days to hours
    (a Decimal; None or "" clears the day; a ``Cell`` also carries start and end times). Days
    left out are not touched. Every cell is checked first; on any error nothing is written and
    the ValidationError's ``error_dict`` is keyed by ``cell_key`` (or NON_FIELD_ERRORS).
    The warnings concern the weeks this save changes (an unchanged week warns nothing again)."""
    errors: dict[str, list[str]] = defaultdict(list)
    if week_start.weekday() != 0:
        raise ValidationError({NON_FIELD_ERRORS: [_("A week starts on a Monday.")]})
    week_end = week_start + datetime.timedelta(days=6)
    ids = sorted(int(i) for i in rows)
    employees = {
        e.pk: e
        for e in Employee.objects.filter(pk__in=ids).only(
            "id",
            "personnel_number",
            "first_name",
            "last_name",
            "department_id",
            "hire_date",
            "termination_date",
        )
    }
    for employee_id in ids:
        employee = employees.get(employee_id)
        if employee is None or employee.department_id != department.pk:
            errors[NON_FIELD_ERRORS].append(
                _("%(employee)s does not belong to the department %(department)s.")
                % {
                    "employee": str(employee) if employee else f"#{employee_id}",
                    "department": department.code,
                }
            )
    if errors:
        raise ValidationError(dict(errors))

    cells: dict[tuple[int, datetime.date], Cell] = {}
    for employee_id, days in rows.items():
        employee = employees[int(employee_id)]
        for day, value in days.items():
            key = cell_key(employee.pk, day)
            if not week_start <= day <= week_end:
                errors[key].append(
                    _("%(employee)s, %(day)s: the day is not in this week.")
                    % {"employee": str(employee), "day": day_label(day)}
                )
                continue
            cell = _as_cell(value)
            for _column, message in _cell_problems(employee, day, cell):
                errors[key].append(
                    _("%(employee)s, %(day)s: %(message)s")
                    % {"employee": str(employee), "day": day_label(day), "message": message}
                )
            cells[(employee.pk, day)] = cell

    # Neighbouring days are read (and locked) for the rest-time warning across the week's edge.
    existing = _locked_existing(ids, week_start - ONE_DAY, week_end + ONE_DAY)
    paid = selectors.paid_days(employee_ids=ids, start=week_start, end=week_end)
    for (employee_id, day), cell in cells.items():
        if selectors.day_is_locked(paid, employee_id, day) and _changes(
            cell, existing.get((employee_id, day))
        ):
            errors[cell_key(employee_id, day)].append(
                _("%(employee)s, %(day)s: these hours are paid; they are locked.")
                % {"employee": str(employees[employee_id]), "day": day_label(day)}
            )
    if errors:
        raise ValidationError(dict(errors))

    plan = _plan(cells, existing, user)
    _write(plan)
    plan.result.warnings = _warnings(
        final=plan.final, employees=employees, weeks=plan.changed_weeks
    )
    return plan.result


@transaction.atomic
def hours_import(*, file, user) -> HoursResult:
    """Import hours from a CSV file (``personnel_number;date;hours[;start;end]``, semicolon or
    comma separated, decimal comma or point, UTF-8 with or without BOM), for any department.
    The whole file is checked in one pass: every bad cell is an error naming its row and column
    (a row with one bad cell is still checked for the others), in the order of the file; on any
    error nothing is written. Rows upsert like the grid: a changed approved entry needs approval
    again."""
    content = file.read() if hasattr(file, "read") else bytes(file)
    parsed = hours_file_read(content)
    errors = list(parsed.errors)
    numbers = {r.personnel_number for r in parsed.rows if "personnel_number" not in r.bad}
    employees_by_number = {
        e.personnel_number: e
        for e in Employee.objects.filter(personnel_number__in=numbers).only(
            "id",
            "personnel_number",
            "first_name",
            "last_name",
            "department_id",
            "hire_date",
            "termination_date",
        )
    }
    cells: dict[tuple[int, datetime.date], Cell] = {}
    row_of: dict[tuple[int, datetime.date], int] = {}
    for r in parsed.rows:
        employee = None
        if "personnel_number" not in r.bad:
            employee = employees_by_number.get(r.personnel_number)
            if employee is None:
                errors.append(
                    row_error(
                        r.row,
                        "personnel_number",
                        _("There is no employee “%(value)s”.") % {"value": r.personnel_number},
                    )
                )
        # A start or end that could not be read: the times are not checked against the hours.
        times = r.times and not r.bad & {"start", "end"}
        cell = Cell(hours=r.hours, start=r.start, end=r.end, times=times)
        for column, message in _cell_problems(employee, r.date, cell):
            errors.append(row_error(r.row, column, message))
        if employee is None or r.bad:
            continue
        key = (employee.pk, r.date)
        if key in row_of:
            errors.append(
                row_error(
                    r.row,
                    "date",
                    _("%(employee)s already has hours for this day in row %(first)d.")
                    % {"employee": r.personnel_number, "first": row_of[key]},
                )
            )
            continue
        cells[key], row_of[key] = cell, r.row

    if not parsed.rows and not errors:
        errors.append((0, -1, _("The file has no rows to import.")))
    employees = {e.pk: e for e in employees_by_number.values()}
    existing: dict = {}
    if cells:
        days = [day for _e, day in cells]
        first, last = week_monday(min(days)), week_monday(max(days)) + datetime.timedelta(days=6)
        existing = _locked_existing(employees, first - ONE_DAY, last + ONE_DAY)
        paid = selectors.paid_days(employee_ids=employees, start=min(days), end=max(days))
        for (employee_id, day), cell in cells.items():
            if selectors.day_is_locked(paid, employee_id, day) and _changes(
                cell, existing.get((employee_id, day))
            ):
                errors.append(
                    row_error(
                        row_of[(employee_id, day)],
                        "date",
                        _("These hours are paid; they are locked."),
                    )
                )
    if errors:
        errors.sort(key=lambda item: item[:2])
        raise ValidationError([message for _row, _column, message in errors])

    plan = _plan(cells, existing, user)
    _write(plan)
    plan.result.warnings = _warnings(
        final=plan.final,
        employees=employees,
        weeks=plan.changed_weeks,
    )
    return plan.result


@transaction.atomic
def time_entries_approve(
    *,
    department: Department,
    user,
    week_start: datetime.date | None = None,
    period: PayPeriod | None = None,
) -> int:
    """Approve every entered entry of the department in a week or a pay period. Only a head of
    that department may; entries a paid run holds stay as they are. Idempotent: returns how
    many entries this call approved."""
    if not user.has_perm("payroll.approve_timeentry") or not (
        departments_led_by(user=user).filter(pk=department.pk).exists()
    ):
        raise PermissionDenied(_("Only the head of the department approves its hours."))
    if (week_start is None) == (period is None):
        raise ValidationError(_("Approve either a week or a pay period."))
    if week_start is not None:
        if week_start.weekday() != 0:
            raise ValidationError(_("A week starts on a Monday."))
        start, end = week_start, week_start + datetime.timedelta(days=6)
    else:
        start, end = period.start, period.end
    now = timezone.now()
    return (
        TimeEntry.objects.filter(
            employee__department=department,
            date__range=(start, end),
            status=TimeEntry.Status.ENTERED,
        )
        # Hours a paid (or approved) run holds stay as they are.
        .exclude(payslip__run__status__in=(PayrollRun.Status.APPROVED, PayrollRun.Status.PAID))
        # Nobody approves their own hours; another head or HR does.
        .exclude(employee__user=user)
        .update(status=TimeEntry.Status.APPROVED, approved_by=user, approved_at=now, updated_at=now)
    )
