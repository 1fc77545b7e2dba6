"""Reads of payroll for views, exports and services.

Hours: the week grid, the approval page, "my hours" and the lock on paid hours, each in a fixed
number of queries whatever the number of employees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from backoffice.money import format_money
from hr.models import Department, Employee
from hr.selectors import departments_headed_by
from payroll.models import (
    PayProfile,
    PayProfileChange,
    PayrollRun,
    PayrollSettings,
    PendingChange,
    TimeEntry,
)

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
    """Departments whose hours a user may approve: only those they head."""
    if not user.has_perm("payroll.approve_timeentry"):
        return Department.objects.none()
    return departments_headed_by(user=user).order_by("code")


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


def _display(model, name: str, value, *, mask: bool) -> str:
    if value is None or value == "":
        return "—"
    field = model._meta.get_field(name)
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
            "field": str(model._meta.get_field(name).verbose_name),
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
