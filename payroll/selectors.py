"""Reads of payroll for views, exports and services.

Hours: the week grid, the approval page, "my hours" and the lock on paid hours, each in a fixed
number of queries whatever the number of employees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from backoffice.money import format_money
from hr.models import Department, Employee
from hr.selectors import departments_led_by
from payroll.models import (
    DeductionRule,
    PayProfile,
    PayProfileChange,
    PayrollRun,
    PayrollSettings,
    Payslip,
    PayslipLine,
    PendingChange,
    TimeEntry,
)
from payroll.models.config import company_account_field

# --- Hours ---------------------------------------------------------------------------------------


def paid_days(
    *, employee_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> set[tuple[int, datetime.date]]:
    """The (employee, day) pairs between ``start`` and ``end`` whose hours a payslip of an
    approved or paid run holds: those hours are locked. Days nobody recorded, and hours no
    such payslip holds, stay open: recorded late, they are paid by the next run. One query
    for any number of employees."""
    ids = list(employee_ids)
    if not ids:
        return set()
    return set(
        TimeEntry.objects.filter(
            employee_id__in=ids,
            date__range=(start, end),
            # An approved run is about to be paid: its hours are locked already.
            payslip__run__status__in=(PayrollRun.Status.APPROVED, PayrollRun.Status.PAID),
        ).values_list("employee_id", "date")
    )


def day_is_locked(paid: set[tuple[int, datetime.date]], employee_id: int, day) -> bool:
    return (employee_id, day) in paid


def hours_departments(*, user) -> QuerySet[Department]:
    """Departments whose hours a user may enter: every one for clerks with the permission."""
    if not user.has_perm("payroll.add_timeentry"):
        return Department.objects.none()
    return Department.objects.order_by("code")


def hours_departments_to_approve(*, user) -> QuerySet[Department]:
    """Departments whose hours a user may approve: those they head (a superuser: all)."""
    if not user.has_perm("payroll.approve_timeentry"):
        return Department.objects.none()
    return departments_led_by(user=user).order_by("code")


def hours_week_employees(
    *, department: Department, week_start: datetime.date
) -> QuerySet[Employee]:
    """Employees of the department employed on at least one day of the week, by name."""
    week_end = week_start + datetime.timedelta(days=6)
    return (
        Employee.objects.filter(department=department, hire_date__lte=week_end)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=week_start))
        .order_by("last_name", "first_name", "personnel_number")
        .only(
            "id",
            "personnel_number",
            "first_name",
            "last_name",
            "employment_type",
            "hire_date",
            "termination_date",
            "department_id",
        )
    )


def hours_entries(
    *, employee_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], TimeEntry]:
    """Entries of the employees between two days, keyed by (employee id, day)."""
    ids = list(employee_ids)
    if not ids:
        return {}
    return {
        (e.employee_id, e.date): e
        for e in TimeEntry.objects.filter(employee_id__in=ids, date__range=(start, end))
    }


def hours_week(
    *, department: Department, week_start: datetime.date, offset: int = 0, limit: int = 100
) -> dict:
    """One page of a department's week: employees, their entries, the locked days. Three
    queries for any number of employees."""
    week_end = week_start + datetime.timedelta(days=6)
    rows = list(
        hours_week_employees(department=department, week_start=week_start)[
            offset : offset + limit + 1
        ]
    )
    employees = rows[:limit]
    ids = [e.pk for e in employees]
    return {
        "employees": employees,
        "has_next": len(rows) > limit,
        "entries": hours_entries(employee_ids=ids, start=week_start, end=week_end),
        "paid": paid_days(employee_ids=ids, start=week_start, end=week_end),
    }


def hourly_rates(*, employee_ids: Iterable[int]) -> dict[int, object]:
    """Hourly rates of those of the employees paid by the hour."""
    return dict(
        PayProfile.objects.filter(
            employee_id__in=list(employee_ids), hourly_rate__isnull=False
        ).values_list("employee_id", "hourly_rate")
    )


def my_hours(*, user, start: datetime.date, end: datetime.date) -> QuerySet[TimeEntry]:
    """The user's own entries between two days; nobody else's."""
    if not getattr(user, "is_authenticated", False):
        return TimeEntry.objects.none()
    return TimeEntry.objects.filter(employee__user=user, date__range=(start, end)).order_by("date")


# --- Pay profiles: four eyes ---------------------------------------------------------------------


def approved_profiles() -> QuerySet[PayProfile]:
    """Pay profiles a second person approved: the only ones payday may pay. A new profile
    stays out until its "create" request is approved."""
    return PayProfile.objects.filter(approved_at__isnull=False)


def profile_changes_approved_since(*, employee_ids: Iterable[int], since) -> set[int]:
    """The employees among ``employee_ids`` whose pay profile had a change (or its creation)
    approved after ``since``: a run calculated before that used values that no longer hold.
    One query."""
    if since is None:
        return set()
    # A queryset stays a subquery (no list of ten thousand ids); other iterables are listed.
    ids = employee_ids if isinstance(employee_ids, QuerySet) else list(employee_ids)
    if not isinstance(ids, QuerySet) and not ids:
        return set()
    return set(
        PayProfileChange.objects.filter(
            profile__employee_id__in=ids,
            status=PayProfileChange.Status.APPROVED,
            decided_at__gt=since,
        )
        .values_list("profile__employee_id", flat=True)
        .distinct()
    )


def pay_profile_changes_pending() -> QuerySet[PayProfileChange]:
    """Requests waiting for a second person, oldest first."""
    return (
        PayProfileChange.objects.filter(status=PayProfileChange.Status.PENDING)
        .select_related("profile__employee", "requested_by")
        .order_by("requested_at", "id")
    )


def iban_masked(iban: str) -> str:
    """``•••• •••• •••• •••• ••30 00``: only the last four characters show."""
    if not iban:
        return ""
    masked = "•" * max(0, len(iban) - 4) + iban[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def _change_field(model, name: str):
    if model is PayrollSettings:
        return company_account_field(name)
    return model._meta.get_field(name)


def _display(model, name: str, value, *, mask: bool) -> str:
    if value is None or value == "":
        return "—"
    field = _change_field(model, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if name in ("monthly_salary", "hourly_rate"):
        return format_money(field.to_python(value))
    if mask and name in ("iban", "company_iban"):
        return iban_masked(value)
    return str(value)


def change_rows(change: PendingChange, *, mask: bool = False) -> list[dict]:
    """A request as rows of field label, old value and new value, for people to read. IBANs
    masked but for their last four characters when ``mask``."""
    model = PayrollSettings if change._meta.model_name == "companyaccountchange" else PayProfile
    return [
        {
            "field": str(_change_field(model, name).verbose_name),
            "old": _display(model, name, change.previous.get(name), mask=mask),
            "new": _display(model, name, value, mask=mask),
        }
        for name, value in change.changes.items()
    ]


def my_pay_profile(*, user) -> PayProfile | None:
    """The user's own pay profile, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return PayProfile.objects.filter(employee__user=user).select_related("employee").first()


def my_bank_detail_requests(*, profile: PayProfile, limit: int = 10) -> list[PayProfileChange]:
    """The latest requests of the profile that touched bank details, newest first."""
    return list(
        PayProfileChange.objects.filter(profile=profile)
        .filter(
            Q(changes__has_key="iban")
            | Q(changes__has_key="bic")
            | Q(changes__has_key="account_holder")
        )
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")[:limit]
    )


# --- Off-cycle runs ------------------------------------------------------------------------------

OFFCYCLE_SEARCH_LIMIT = 20


def offcycle_employees_find(
    *, period, query: str, limit: int = OFFCYCLE_SEARCH_LIMIT
) -> list[dict]:
    """Employees an off-cycle run of the period may pay (on its schedule with an approved pay
    profile, employed in it) whose name or personnel number contains ``query``: at most
    ``limit`` of them, one query, for the page's autocomplete."""
    query = query.strip()
    if len(query) < 2:
        return []
    found = Q(employee__personnel_number__icontains=query)
    for word in query.split()[:3]:
        found |= Q(employee__last_name__icontains=word) | Q(employee__first_name__icontains=word)
    return [
        {
            "number": number,
            "name": f"{last}, {first}",
            "label": f"{last}, {first} ({number})",
        }
        for number, last, first in approved_profiles()
        .filter(found, schedule_id=period.schedule_id, employee__hire_date__lte=period.end)
        .filter(
            Q(employee__termination_date__isnull=True)
            | Q(employee__termination_date__gte=period.start)
        )
        .order_by("employee__last_name", "employee__first_name", "employee__personnel_number")
        .values_list(
            "employee__personnel_number",
            "employee__last_name",
            "employee__first_name",
        )[:limit]
    ]


def employee_by_typed_number(*, text: str) -> Employee | None:
    """The employee a typed value names: a personnel number, or the autocomplete's
    "Name (number)" with the number in the last parentheses."""
    text = text.strip()
    if text.endswith(")") and "(" in text:
        text = text[text.rindex("(") + 1 : -1].strip()
    if not text or "\x00" in text:
        return None
    exact = Employee.objects.filter(personnel_number=text).first()
    if exact is not None:
        return exact
    # Typed in the wrong case: accepted when it names one employee only.
    found = list(Employee.objects.filter(personnel_number__iexact=text)[:2])
    return found[0] if len(found) == 1 else None


def offcycle_runs_of(*, period) -> list[PayrollRun]:
    """The period's off-cycle runs, oldest first (a handful a period)."""
    return list(
        PayrollRun.objects.filter(period=period, kind=PayrollRun.Kind.OFF_CYCLE)
        .select_related("period__schedule")
        .order_by("pk")
    )


# --- Year-to-date totals on the payslip ----------------------------------------------------------


@dataclass(frozen=True)
class YearToDate:
    """Sums over the calendar year of a payslip: its own figures and those of the employee's
    paid payslips before it (off-cycle corrections and one-off payments included)."""

    year: int
    gross: Decimal
    tax: Decimal
    social_insurance: Decimal
    net: Decimal


_YEAR_TO_DATE_SQL = """
WITH target AS (
    SELECT s.id, s.employee_id, p."end" AS period_end,
           date_trunc('year', p."end")::date AS year_start,
           COALESCE(r.paid_at, 'infinity'::timestamptz) AS paid_at
    FROM {payslip} s
    JOIN {period} p ON p.id = s.period_id
    JOIN {run} r ON r.id = s.run_id
    WHERE s.id = ANY(%(ids)s)
), counted AS (
    SELECT t.id AS target_id, s.id, s.gross, s.net
    FROM target t
    JOIN {payslip} s ON s.employee_id = t.employee_id
    JOIN {period} p ON p.id = s.period_id
    JOIN {run} r ON r.id = s.run_id
    WHERE s.id = t.id
       OR (r.status = %(paid)s
           AND p."end" >= t.year_start
           AND (p."end", r.paid_at, s.id) <= (t.period_end, t.paid_at, t.id))
)
SELECT c.target_id, t.year_start, SUM(c.gross),
       COALESCE(SUM(d.tax), 0)::numeric(14, 2), COALESCE(SUM(d.social), 0)::numeric(14, 2),
       SUM(c.net)
FROM counted c
JOIN target t ON t.id = c.target_id
LEFT JOIN LATERAL (
    SELECT SUM(l.amount) FILTER (WHERE dr.category = %(tax)s) AS tax,
           SUM(l.amount) FILTER (WHERE dr.category = %(social)s) AS social
    FROM {line} l
    JOIN {rule} dr ON dr.code = l.code
    WHERE l.payslip_id = c.id AND l.kind = %(deduction)s
) d ON true
GROUP BY c.target_id, t.year_start
"""


def payslip_year_to_date(*, payslip_ids: Iterable[int]) -> dict[int, YearToDate]:
    """Year-to-date gross, tax, social insurance and net for each of these payslips, by
    payslip id, in one query whatever their number (a batch of PDFs asks once).

    What counts: the payslip itself (also before Pay, as a preview), and the employee's paid
    payslips whose period ends in the same calendar year and before it: an earlier period
    end; with the same period end, paid earlier, or in the same payment with a lower id (the
    row comparison). The tax year of regular pay is the year its pay period ends (§ 38a (1)
    EStG). Tax and social insurance are the employee's shares of the deduction rules of
    those categories (``DeductionRule.category``). Plain SQL: the ORM's version (four
    correlated subqueries) took longer to compile than PostgreSQL took to run it."""
    ids = [int(i) for i in payslip_ids]
    if not ids:
        return {}
    sql = _YEAR_TO_DATE_SQL.format(
        payslip=Payslip._meta.db_table,
        period=Payslip._meta.get_field("period").related_model._meta.db_table,
        run=PayrollRun._meta.db_table,
        line=PayslipLine._meta.db_table,
        rule=DeductionRule._meta.db_table,
    )
    params = {
        "ids": ids,
        "paid": PayrollRun.Status.PAID.value,
        "tax": DeductionRule.Category.TAX.value,
        "social": DeductionRule.Category.SOCIAL.value,
        "deduction": PayslipLine.Kind.DEDUCTION.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        pk: YearToDate(year=start.year, gross=gross, tax=tax, social_insurance=social, net=net)
        for pk, start, gross, tax, social, net in rows
    }
