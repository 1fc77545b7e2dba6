"""Reads of absences: who sees and decides which, balances, the team calendar, and what payroll
needs for a pay period.

Who sees an absence: the employee, HR (``hr.manage_absences``) and whoever decides it — the head
of the employee's department, or for a head's own absence their manager and the head of the
parent department. Sick days are health data: nobody else, not even a colleague of the same
department, sees them; the team calendar shows staff only their own row. Everything else is
not found (404).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from hr import absence_calculation as calc
from hr.models import Absence, CarryOverExtension, Department, Employee
from hr.selectors import employee_for_user

CALENDAR_PAGE_SIZE = 50


def absence_may_manage_all(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("hr.manage_absences"))


def _decider_q(user, prefix: str = "") -> Q:
    """Absences (or employees, with ``prefix=""`` on Employee) whose decision is ``user``'s as a
    head or manager: the head decides for their department's people, a head's own absences go
    to their manager and the head of the parent department."""
    p = prefix
    is_head = Q(**{f"{p}department__head": F(p[:-2] if p else "pk")})
    return (Q(**{f"{p}department__head__user": user}) & ~is_head) | (
        is_head
        & (Q(**{f"{p}manager__user": user}) | Q(**{f"{p}department__parent__head__user": user}))
    )


def absence_visible_to(*, user) -> QuerySet[Absence]:
    qs = Absence.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if absence_may_manage_all(user=user):
        return qs
    return qs.filter(Q(employee__user=user) | _decider_q(user, "employee__"))


def absence_detail(*, user, pk: int) -> Absence | None:
    return (
        absence_visible_to(user=user)
        .select_related(
            "employee__department__head",
            "employee__department__parent__head",
            "employee__manager",
            "requested_by",
            "decided_by",
        )
        .filter(pk=pk)
        .first()
    )


def employee_decider_is(*, user, employee: Employee) -> bool:
    """Whether ``user`` decides ``employee``'s absences (never their own). Needs the employee's
    department (with head and parent head) and manager loaded to stay free of queries."""
    if not getattr(user, "is_authenticated", False) or employee.user_id == user.pk:
        return False
    if absence_may_manage_all(user=user):
        return True
    department = employee.department
    head = department.head
    if head is None or head.pk != employee.pk:
        return head is not None and head.user_id == user.pk
    manager = employee.manager
    parent_head = department.parent.head if department.parent_id else None
    return (manager is not None and manager.user_id == user.pk) or (
        parent_head is not None and parent_head.user_id == user.pk
    )


def absence_may_decide(*, user, absence: Absence) -> bool:
    return employee_decider_is(user=user, employee=absence.employee)


def employees_decided_by(*, user) -> QuerySet[Employee]:
    """The employees whose absences ``user`` decides and records (never themselves)."""
    if not getattr(user, "is_authenticated", False):
        return Employee.objects.none()
    qs = Employee.objects.exclude(user=user)
    if absence_may_manage_all(user=user):
        return qs
    return qs.filter(_decider_q(user))


def employee_for_absence_record(*, user, personnel_number: str) -> Employee | None:
    return (
        employees_decided_by(user=user)
        .select_related("department__head", "department__parent__head", "manager")
        .filter(personnel_number=personnel_number)
        .first()
    )


def absence_may_record(*, user) -> bool:
    """HR and anybody who decides somebody's absences (heads, managers of heads)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_hr_absence_may_record", None)
    if cached is None:
        cached = absence_may_manage_all(user=user) or employees_decided_by(user=user).exists()
        user._hr_absence_may_record = cached
    return cached


def absences_to_decide(*, user) -> QuerySet[Absence]:
    """Requests waiting for ``user``'s decision, oldest first; never their own."""
    return (
        Absence.objects.filter(
            status=Absence.Status.REQUESTED,
            employee__in=employees_decided_by(user=user).values("pk"),
        )
        .select_related("employee__department")
        .order_by("start_date", "pk")
    )


def my_absences(*, user) -> QuerySet[Absence]:
    return Absence.objects.filter(employee__user=user).order_by("-start_date", "-pk")


# --- Balance -------------------------------------------------------------------------------------


def vacation_days_per_year(employee: Employee) -> int:
    file = getattr(employee, "personnel_file", None)
    return file.vacation_days_per_year if file is not None else calc.DEFAULT_DAYS_PER_YEAR


def vacation_days(
    *, employee: Employee, exclude_pk: int | None = None
) -> tuple[dict[datetime.date, Decimal], dict[datetime.date, Decimal]]:
    """Every vacation day of the employee: (approved, requested), date -> cost. One query."""
    approved: dict[datetime.date, Decimal] = {}
    requested: dict[datetime.date, Decimal] = {}
    qs = Absence.objects.filter(
        employee=employee, kind=Absence.Kind.VACATION, status__in=Absence.ACTIVE
    ).exclude(pk=exclude_pk)
    for start, end, half_day, status in qs.values_list(
        "start_date", "end_date", "half_day", "status"
    ):
        target = approved if status == Absence.Status.APPROVED else requested
        target.update(calc.leave_days_by_date(start, end, half_day=half_day))
    return approved, requested


def vacation_balance(
    *,
    employee: Employee,
    year: int,
    today: datetime.date,
    extra: dict[datetime.date, Decimal] | None = None,
    exclude_pk: int | None = None,
    requested_as_approved: bool = False,
) -> calc.VacationYear | None:
    """The employee's vacation year: entitlement, carried over, taken, planned, remaining.

    ``extra`` counts further days as approved (to check a new request), so does
    ``requested_as_approved`` with open requests; ``exclude_pk`` leaves one absence out (the
    one being decided). None before the employee's hire year."""
    if year < employee.hire_date.year:
        return None
    approved, requested = vacation_days(employee=employee, exclude_pk=exclude_pk)
    if requested_as_approved:
        approved, requested = {**approved, **requested}, {}
    if extra:
        approved = {**approved, **extra}
    extensions = dict(
        CarryOverExtension.objects.filter(employee=employee, year__lte=year).values_list(
            "year", "expires_on"
        )
    )
    years = calc.vacation_years(
        days_per_year=vacation_days_per_year(employee),
        hire_date=employee.hire_date,
        termination_date=employee.termination_date,
        approved=approved,
        pending=requested,
        extensions=extensions,
        until_year=year,
        today=today,
    )
    return years[-1]


# --- Team calendar -------------------------------------------------------------------------------


def calendar_departments_for(*, user) -> QuerySet[Department]:
    """HR: every department; heads: those they head; staff: their own (only their own row)."""
    if absence_may_manage_all(user=user):
        return Department.objects.all()
    return Department.objects.filter(Q(head__user=user) | Q(employees__user=user)).distinct()


@dataclass
class CalendarDay:
    date: datetime.date
    working: bool
    holiday: str = ""


@dataclass
class CalendarRow:
    employee: Employee
    cells: list[Absence | None] = field(default_factory=list)


@dataclass
class TeamCalendar:
    department: Department
    month: datetime.date
    days: list[CalendarDay]
    rows: list[CalendarRow]
    has_next: bool
    whole_department: bool


def team_calendar(
    *, user, department: Department, month: datetime.date, page: int = 1
) -> TeamCalendar:
    """One month of a department: a row per employee (50 a page), a cell per day holding the
    absence (approved or requested) that covers it. HR and the department's head see everybody
    with the kind of absence; anybody else sees only their own row. Three queries."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    holidays = calc.public_holidays(first.year)
    days = [
        CalendarDay(d, calc.is_working_day(d), holidays.get(d, ""))
        for d in calc.days_between(first, last)
    ]
    whole = absence_may_manage_all(user=user) or (
        department.head_id is not None and department.head.user_id == user.pk
    )
    employees = Employee.objects.filter(department=department, hire_date__lte=last).exclude(
        termination_date__lt=first
    )
    if not whole:
        employees = employees.filter(user=user)
    offset = (page - 1) * CALENDAR_PAGE_SIZE
    page_rows = list(
        employees.order_by("last_name", "first_name", "pk").only(
            "first_name", "last_name", "personnel_number", "department_id"
        )[offset : offset + CALENDAR_PAGE_SIZE + 1]
    )
    has_next = len(page_rows) > CALENDAR_PAGE_SIZE
    page_rows = page_rows[:CALENDAR_PAGE_SIZE]
    by_employee: dict[int, dict[datetime.date, Absence]] = {e.pk: {} for e in page_rows}
    for absence in Absence.objects.filter(
        employee_id__in=list(by_employee),
        status__in=Absence.ACTIVE,
        start_date__lte=last,
        end_date__gte=first,
    ).only("employee_id", "kind", "status", "start_date", "end_date", "half_day"):
        cells = by_employee[absence.employee_id]
        for d in calc.days_between(max(first, absence.start_date), min(last, absence.end_date)):
            cells[d] = absence
    rows = [CalendarRow(e, [by_employee[e.pk].get(day.date) for day in days]) for e in page_rows]
    return TeamCalendar(department, first, days, rows, has_next, whole)


# --- Payroll -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodAbsences:
    """Approved absence in a pay period, in working days (half days as 0.5)."""

    vacation: Decimal = calc.ZERO
    special_leave: Decimal = calc.ZERO
    unpaid_leave: Decimal = calc.ZERO
    sick: Decimal = calc.ZERO

    @property
    def total(self) -> Decimal:
        return self.vacation + self.special_leave + self.unpaid_leave + self.sick


@dataclass(frozen=True)
class AbsenceSpan:
    kind: str
    start: datetime.date
    end: datetime.date
    half_day: bool


def absence_spans_subquery(
    *, employee_ref: str, start: datetime.date, end: datetime.date
) -> Subquery:
    """For a queryset of another app (payroll's pay profiles): the approved absences of the
    employee named by ``employee_ref`` that touch ``start``..``end``, as one JSON list, read
    with ``absence_spans_from``. Folds the absences into that app's own query, so a payroll
    chunk reads them without a query of their own."""
    return Subquery(
        Absence.objects.filter(
            employee_id=OuterRef(employee_ref),
            status=Absence.Status.APPROVED,
            start_date__lte=end,
            end_date__gte=start,
        )
        .order_by()
        .values("employee_id")
        .annotate(
            spans=JSONBAgg(
                JSONObject(kind="kind", start="start_date", end="end_date", half="half_day")
            )
        )
        .values("spans"),
        output_field=JSONField(),
    )


def absence_spans_from(value) -> list[AbsenceSpan]:
    """The spans of ``absence_spans_subquery``'s value (None when there are none)."""
    return [
        AbsenceSpan(
            item["kind"],
            datetime.date.fromisoformat(item["start"]),
            datetime.date.fromisoformat(item["end"]),
            bool(item["half"]),
        )
        for item in value or []
    ]


def absence_days_in(
    spans: list[AbsenceSpan], start: datetime.date, end: datetime.date
) -> PeriodAbsences:
    """The working days of ``spans`` inside ``start``..``end``, per kind."""
    per_kind: dict[str, Decimal] = {}
    for span in spans:
        if span.end < start or span.start > end:
            continue
        days = calc.leave_days(max(start, span.start), min(end, span.end), half_day=span.half_day)
        per_kind[span.kind] = per_kind.get(span.kind, calc.ZERO) + days
    return PeriodAbsences(**per_kind)


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Working days of the company (weekdays less its state's public holidays)."""
    return calc.working_days(start, end)


def employee_for_balance(*, user) -> Employee | None:
    employee = employee_for_user(user=user)
    if employee is None:
        return None
    return Employee.objects.select_related("personnel_file").get(pk=employee.pk)


def working_dates(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The company's working days from ``start`` to ``end`` (both included), as dates: for
    another app's set-based SQL (payroll's check for days without hours)."""
    return [day for day in calc.days_between(start, end) if calc.is_working_day(day)]
