"""Payroll's checks for the HR compliance dashboard (``hr.registry``), registered from
``PayrollConfig.ready()``; hr never imports payroll.

Working time (ArbZG), over the hours of the last ``HR_WORKING_TIME_WINDOW_DAYS`` days, entered
or approved (hours on record were worked either way):

- more than 10 hours on one day (§3 ArbZG's upper limit);
- more than 48 hours in one ISO week (a simplification: §3 allows 10 h days averaged over six
  months; a week above 48 h is what the HR director asked to see);
- less than 11 hours' rest between the end of one day's work and the start of the next (§5).
  Only entries with a start and an end time can show this; entries with hours alone are not
  counted as violations (nothing can be said about them).

Minimum wage (MiLoG): an approved pay profile's hourly rate below the minimum wage in force;
for salaried staff, the monthly salary divided by (weekly hours from the personnel file ×
4.33) below it (without weekly hours nothing can be said). Each check: one query to count, one
streamed query for its items.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.money import format_money, format_quantity
from hr.models import Employee
from hr.registry import ComplianceCheck, ComplianceItem, compliance_check_register
from payroll.models import PayProfile, TimeEntry

DAILY_LIMIT = Decimal("10")
WEEKLY_LIMIT = Decimal("48")
REST_HOURS = 11
WEEKS_PER_MONTH = Decimal("4.33")
CHUNK = 200

# The statutory minimum wage per hour from the day it applies (Mindestlohnanpassungsverordnung:
# 12.82 EUR from 1 January 2025, 13.90 EUR from 1 January 2026, 14.60 EUR from 1 January 2027).
MINIMUM_WAGES = (
    (datetime.date(2025, 1, 1), Decimal("12.82")),
    (datetime.date(2026, 1, 1), Decimal("13.90")),
    (datetime.date(2027, 1, 1), Decimal("14.60")),
)


def minimum_wage(today: datetime.date) -> Decimal:
    """The setting HR_MINIMUM_WAGE if given, else the table's value in force on ``today``."""
    if settings.HR_MINIMUM_WAGE:
        return Decimal(str(settings.HR_MINIMUM_WAGE))
    wage = MINIMUM_WAGES[0][1]
    for since, value in MINIMUM_WAGES:
        if since <= today:
            wage = value
    return wage


def _admin_url(model: str, pk: int) -> str:
    try:
        return reverse(f"admin:payroll_{model}_change", args=[pk])
    except NoReverseMatch:
        return ""


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=settings.HR_WORKING_TIME_WINDOW_DAYS), today


# --- More than 10 hours a day ------------------------------------------------------------------


def _long_days(today: datetime.date) -> QuerySet[TimeEntry]:
    start, end = _window(today)
    return TimeEntry.objects.filter(date__gte=start, date__lte=end, hours__gt=DAILY_LIMIT)


def long_days_run(today: datetime.date) -> Iterator[ComplianceItem]:
    rows = (
        _long_days(today)
        .order_by("-date", "employee__last_name", "pk")
        .values_list(
            "pk", "employee_id", "employee__first_name", "employee__last_name", "date", "hours"
        )
    )
    for pk, employee_id, first, last, day, hours in rows.iterator(chunk_size=CHUNK):
        yield ComplianceItem(
            text=_("%(name)s worked %(hours)s h on %(date)s")
            % {"name": f"{first} {last}", "hours": format_quantity(hours), "date": _date(day)},
            url=_admin_url("timeentry", pk),
            employee_id=employee_id,
            severity="violation",
        )


# --- More than 48 hours in an ISO week ----------------------------------------------------------


def _long_weeks(today: datetime.date):
    start, end = _window(today)
    start -= datetime.timedelta(days=start.weekday())  # whole weeks
    return (
        TimeEntry.objects.filter(date__gte=start, date__lte=end)
        .annotate(iso_year=ExtractIsoYear("date"), iso_week=ExtractWeek("date"))
        .values("employee_id", "iso_year", "iso_week")
        .annotate(total=Sum("hours"))
        .filter(total__gt=WEEKLY_LIMIT)
    )


def long_weeks_run(today: datetime.date) -> Iterator[ComplianceItem]:
    rows = (
        _long_weeks(today)
        .values(
            "employee_id",
            "iso_year",
            "iso_week",
            "total",
            "employee__first_name",
            "employee__last_name",
        )
        .order_by("-iso_year", "-iso_week", "employee__last_name", "employee_id")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield ComplianceItem(
            text=_("%(name)s worked %(hours)s h in week %(week)s/%(year)s")
            % {
                "name": f"{row['employee__first_name']} {row['employee__last_name']}",
                "hours": format_quantity(row["total"]),
                "week": row["iso_week"],
                "year": row["iso_year"],
            },
            url=reverse("hr:employee_detail", args=[row["employee_id"]]),
            employee_id=row["employee_id"],
            severity="violation",
        )


# --- Less than 11 hours' rest -----------------------------------------------------------------

# A shift ends the next day when its end time is not after its start time (a night shift).
# Local wall-clock times: a night across a change of daylight saving time is an hour off.
_SHORT_REST_SQL = """
WITH shifts AS (
    SELECT e.id, e.employee_id, e.date,
           e.date + e.start_time AS starts,
           LAG(e.date + e.end_time
               + CASE WHEN e.end_time <= e.start_time THEN interval '1 day' ELSE interval '0' END)
               OVER (PARTITION BY e.employee_id ORDER BY e.date) AS previous_end
      FROM {entry} e
     WHERE e.date >= %(start)s AND e.date <= %(end)s
       AND e.start_time IS NOT NULL AND e.end_time IS NOT NULL
)
SELECT {columns}
  FROM shifts s JOIN {employee} emp ON emp.id = s.employee_id
 WHERE s.date > %(start)s AND s.previous_end IS NOT NULL
   AND s.starts - s.previous_end < interval '{rest} hours'
"""


def _short_rest_sql(columns: str) -> str:
    return _SHORT_REST_SQL.format(
        entry=TimeEntry._meta.db_table,
        employee=Employee._meta.db_table,
        columns=columns,
        rest=REST_HOURS,
    )


def _short_rest_params(today: datetime.date) -> dict:
    start, end = _window(today)
    # One day before the window, so its first day has the previous day to compare with.
    return {"start": start - datetime.timedelta(days=1), "end": end}


def short_rest_count(today: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_short_rest_sql("count(*)"), _short_rest_params(today))
        return cursor.fetchone()[0]


def short_rest_run(today: datetime.date) -> Iterator[ComplianceItem]:
    sql = _short_rest_sql(
        "s.id, s.employee_id, emp.first_name, emp.last_name, s.date,"
        " extract(epoch FROM s.starts - s.previous_end) / 3600"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql + " ORDER BY s.date DESC, emp.last_name, s.id", _short_rest_params(today)
        )
        while rows := cursor.fetchmany(CHUNK):
            for pk, employee_id, first, last, day, rest in rows:
                yield ComplianceItem(
                    text=_("%(name)s had %(hours)s h rest before %(date)s")
                    % {
                        "name": f"{first} {last}",
                        "hours": Decimal(rest).quantize(Decimal("0.1")),
                        "date": _date(day),
                    },
                    url=_admin_url("timeentry", pk),
                    employee_id=employee_id,
                    severity="violation",
                )


# --- Pay below the minimum wage ---------------------------------------------------------------


def _below_minimum(today: datetime.date) -> QuerySet[PayProfile]:
    wage = minimum_wage(today)
    weekly_hours = F("employee__personnel_file__weekly_hours")
    salary_floor = ExpressionWrapper(
        Value(wage * WEEKS_PER_MONTH) * weekly_hours,
        output_field=DecimalField(max_digits=14, decimal_places=4),
    )
    return (
        PayProfile.objects.filter(approved_at__isnull=False)
        .exclude(employee__status=Employee.Status.TERMINATED)
        .alias(salary_floor=salary_floor)
        .filter(
            Q(hourly_rate__isnull=False, hourly_rate__lt=wage)
            | Q(
                hourly_rate__isnull=True,
                employee__personnel_file__weekly_hours__gt=0,
                monthly_salary__lt=F("salary_floor"),
            )
        )
    )


def below_minimum_run(today: datetime.date) -> Iterator[ComplianceItem]:
    wage = minimum_wage(today)
    rows = (
        _below_minimum(today)
        .order_by("employee__last_name", "employee__first_name", "pk")
        .values_list(
            "pk",
            "employee_id",
            "employee__first_name",
            "employee__last_name",
            "hourly_rate",
            "monthly_salary",
            "employee__personnel_file__weekly_hours",
        )
    )
    for pk, employee_id, first, last, rate, salary, weekly in rows.iterator(chunk_size=CHUNK):
        effective = rate if rate is not None else salary / (weekly * WEEKS_PER_MONTH)
        yield ComplianceItem(
            text=_("%(name)s: %(rate)s an hour, the minimum wage is %(wage)s")
            % {
                "name": f"{first} {last}",
                "rate": format_money(effective.quantize(Decimal("0.01"))),
                "wage": format_money(wage),
            },
            url=_admin_url("payprofile", pk),
            employee_id=employee_id,
            severity="violation",
        )


def register() -> None:
    compliance_check_register(
        ComplianceCheck(
            code="payroll.working_day_over_10h",
            title=gettext_lazy("Working days over 10 hours"),
            run=long_days_run,
            count=lambda today: _long_days(today).count(),
            order=50,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="payroll.working_week_over_48h",
            title=gettext_lazy("Working weeks over 48 hours"),
            run=long_weeks_run,
            count=lambda today: _long_weeks(today).count(),
            order=51,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="payroll.rest_under_11h",
            title=gettext_lazy("Rest periods under 11 hours"),
            run=short_rest_run,
            count=short_rest_count,
            order=52,
        )
    )
    compliance_check_register(
        ComplianceCheck(
            code="payroll.below_minimum_wage",
            title=gettext_lazy("Pay below the minimum wage"),
            run=below_minimum_run,
            count=lambda today: _below_minimum(today).count(),
            order=60,
        )
    )


__all__ = ["minimum_wage", "register"]
