"""HR's own compliance checks for the HR dashboard (``hr.registry``).

Registered from ``HrConfig.ready()``; payroll registers its checks from its own ``ready()``.
Each check has a ``count(today)`` of one query for the dashboard's chart and a lazy
``run(today)`` that yields items from one streamed query, so the dashboard can take the first
few without reading every row.

Vacation that will expire unused is computed in Python from three queries (the balance
rules live in ``hr.absence_calculation``), for the employees who carried days into this year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hr import absence_calculation as calc
from hr.models import Absence, CarryOverExtension, Employee
from hr.registry import ComplianceCheck, ComplianceItem, compliance_check_register
from hr.selectors.training import OVERDUE, requirements_due

CHUNK = 200


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _employee_url(pk: int) -> str:
    return reverse("hr:employee_detail", args=[pk])


def _current() -> QuerySet[Employee]:
    return Employee.objects.exclude(status=Employee.Status.TERMINATED)


def _horizon(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.HR_TRAINING_EXPIRING_DAYS)


# --- Missing required trainings ---------------------------------------------------------------


def _trainings_overdue(today):
    return requirements_due(today=today, which=OVERDUE)


def trainings_overdue_count(today: datetime.date) -> int:
    return _trainings_overdue(today).count()


def trainings_overdue_run(today: datetime.date) -> Iterator[ComplianceItem]:
    rows = (
        _trainings_overdue(today)
        .order_by("last_name", "first_name", "pk", "req_course_title")
        .values_list("pk", "first_name", "last_name", "req_course_title", "valid_until")
    )
    for pk, first, last, course, valid_until in rows.iterator(chunk_size=CHUNK):
        if valid_until is None:
            text = _("%(name)s: %(course)s never completed") % {
                "name": f"{first} {last}",
                "course": course,
            }
        else:
            text = _("%(name)s: %(course)s expired on %(date)s") % {
                "name": f"{first} {last}",
                "course": course,
                "date": _date(valid_until),
            }
        yield ComplianceItem(text=text, url=_employee_url(pk), employee_id=pk, severity="violation")


# --- Probation and fixed-term contracts ending --------------------------------------------------


def _ending(field: str, today: datetime.date) -> QuerySet[Employee]:
    lookup = f"personnel_file__{field}"
    return _current().filter(**{f"{lookup}__gte": today, f"{lookup}__lte": _horizon(today)})


def _ending_run(field: str, message: str):
    def run(today: datetime.date) -> Iterator[ComplianceItem]:
        lookup = f"personnel_file__{field}"
        rows = (
            _ending(field, today)
            .order_by(lookup, "last_name", "pk")
            .values_list("pk", "first_name", "last_name", lookup)
        )
        for pk, first, last, day in rows.iterator(chunk_size=CHUNK):
            yield ComplianceItem(
                text=str(message) % {"name": f"{first} {last}", "date": _date(day)},
                url=_employee_url(pk),
                employee_id=pk,
            )

    return run


# --- Missing tax ID or social-insurance number -------------------------------------------------


def _missing_tax_data() -> QuerySet[Employee]:
    return _current().filter(
        Q(personnel_file__isnull=True)
        | Q(personnel_file__tax_id="")
        | Q(personnel_file__social_insurance_number="")
    )


def missing_tax_data_count(today: datetime.date) -> int:
    return _missing_tax_data().count()


def missing_tax_data_run(today: datetime.date) -> Iterator[ComplianceItem]:
    rows = (
        _missing_tax_data()
        .order_by("last_name", "first_name", "pk")
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "personnel_file__pk",
            "personnel_file__tax_id",
            "personnel_file__social_insurance_number",
        )
    )
    for pk, first, last, file_pk, tax_id, sv_number in rows.iterator(chunk_size=CHUNK):
        if file_pk is None:
            text = _("%(name)s: no personnel file") % {"name": f"{first} {last}"}
        else:
            parts = []
            if not tax_id:
                parts.append(_("tax ID"))
            if not sv_number:
                parts.append(_("social insurance number"))
            text = _("%(name)s: missing %(what)s") % {
                "name": f"{first} {last}",
                "what": ", ".join(parts),
            }
        yield ComplianceItem(
            text=text,
            url=_employee_url(pk),
            employee_id=pk,
            severity="violation",
        )


# Marked for translation here; translated when an item is built.
PROBATION_MESSAGE = gettext_lazy("%(name)s: probation ends on %(date)s")
FIXED_TERM_MESSAGE = gettext_lazy("%(name)s: fixed-term contract ends on %(date)s")


# --- Vacation that will expire unused ----------------------------------------------------------


def _vacation_expiring(today: datetime.date) -> list[tuple[int, str, Decimal, datetime.date]]:
    """Employees whose days carried into this year are not used by approved leave and expire
    within ``HR_VACATION_EXPIRY_NOTICE_DAYS``: (pk, name, days, expiry), by expiry and name.

    Three queries. The balance starts from the previous year (days carried into that one
    expired by its 31 March unless HR extended them, which this check leaves aside)."""
    year = today.year
    extensions = dict(
        CarryOverExtension.objects.filter(year=year).values_list("employee_id", "expires_on")
    )
    latest = max([calc.carry_over_expiry(year), *extensions.values()])
    if today > latest:
        return []  # every carried-over day of this year has expired or been used
    notice = today + datetime.timedelta(days=settings.HR_VACATION_EXPIRY_NOTICE_DAYS)
    start = datetime.date(year - 1, 1, 1)
    people = list(
        _current()
        .filter(hire_date__lt=datetime.date(year, 1, 1))
        .values_list(
            "pk", "first_name", "last_name", "hire_date", "termination_date",
            "personnel_file__vacation_days_per_year",
        )
    )  # fmt: skip
    approved: dict[int, dict[datetime.date, Decimal]] = {}
    absences = Absence.objects.filter(
        kind=Absence.Kind.VACATION,
        status=Absence.Status.APPROVED,
        end_date__gte=start,
        employee__in=_current().filter(hire_date__lt=datetime.date(year, 1, 1)),
    ).values_list("employee_id", "start_date", "end_date", "half_day")
    for employee_id, first, last, half_day in absences.iterator(chunk_size=2000):
        approved.setdefault(employee_id, {}).update(
            calc.leave_days_by_date(max(first, start), last, half_day=half_day)
        )
    found = []
    for pk, first_name, last_name, hire_date, termination_date, per_year in people:
        years = calc.vacation_years(
            days_per_year=per_year if per_year is not None else calc.DEFAULT_DAYS_PER_YEAR,
            hire_date=max(hire_date, start),
            termination_date=termination_date,
            approved=approved.get(pk, {}),
            extensions={year: extensions[pk]} if pk in extensions else {},
            until_year=year,
            today=today,
        )
        current = years[-1]
        if current.expiring > 0 and current.carry_over_expires <= notice:
            found.append(
                (pk, f"{first_name} {last_name}", current.expiring, current.carry_over_expires)
            )
    found.sort(key=lambda row: (row[3], row[1], row[0]))
    return found


def vacation_expiring_run(today: datetime.date) -> Iterator[ComplianceItem]:
    for pk, name, days, expires in _vacation_expiring(today):
        yield ComplianceItem(
            text=_(
                "%(name)s: %(days)s carried-over vacation days not planned, expiring on %(date)s"
            )
            % {"name": name, "days": formats.number_format(days, 1), "date": _date(expires)},
            url=_employee_url(pk),
            employee_id=pk,
        )


def register() -> None:
    compliance_check_register(
        ComplianceCheck(
            code="hr.trainings_overdue",
            title=gettext_lazy("Required trainings missing or expired"),
            run=trainings_overdue_run,
            count=trainings_overdue_count,
            order=10,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="hr.probation_ending",
            title=gettext_lazy("Probation periods ending in the next 30 days"),
            run=_ending_run("probation_end", PROBATION_MESSAGE),
            count=lambda today: _ending("probation_end", today).count(),
            order=20,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="hr.fixed_term_ending",
            title=gettext_lazy("Fixed-term contracts ending in the next 30 days"),
            run=_ending_run("fixed_term_end", FIXED_TERM_MESSAGE),
            count=lambda today: _ending("fixed_term_end", today).count(),
            order=30,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="hr.missing_tax_data",
            title=gettext_lazy("Employees missing a tax ID or social insurance number"),
            run=missing_tax_data_run,
            count=missing_tax_data_count,
            order=40,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="hr.vacation_expiring",
            title=gettext_lazy("Carried-over vacation that will expire unused"),
            run=vacation_expiring_run,
            count=lambda today: len(_vacation_expiring(today)),
            order=50,
        )
    )
