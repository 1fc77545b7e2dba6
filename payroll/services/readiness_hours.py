"""Readiness of a period's hours: a warning before Calculate when the hours the run pays are
not complete, because the days they cover have not all passed or because staff paid by the
hour have working days with no hours recorded (an approved absence covers a day).

Set-based: one query over the period's working days (hr's calendar, passed as a date array)
crossed with the hourly staff of the eligible pay profiles (a subquery, never a list of ids).
The hours and absences it looks at are bounded by the first and last of those days as plain
range conditions (read through the (date, status) and (start_date, end_date) indexes), and the
uncovered days are a set difference (EXCEPT, hashed) rather than two NOT EXISTS probes per person
and day, which PostgreSQL chose as nested loops because it misjudges the staff subquery (6 rows
for 1,783). At 10,000 employees on the last day of a month: about 23 ms instead of 70 ms.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from hr.models import Absence, Employee
from hr.selectors import absences as hr_absences
from payroll.models import PayPeriod, PayProfile, TimeEntry
from payroll.services.schedules import hours_window

_COUNTS = """
WITH staff AS (
    SELECT e.id, e.hire_date, e.termination_date
      FROM {employee} AS e
     WHERE e.id IN ({profiles})
), days AS (
    SELECT day FROM unnest(%s::date[]) AS d(day)
), missing AS (
    SELECT id, count(*) AS days FROM (
        SELECT s.id, d.day
          FROM staff AS s
         CROSS JOIN days AS d
         WHERE d.day >= s.hire_date
           AND (s.termination_date IS NULL OR d.day <= s.termination_date)
        EXCEPT
        SELECT t.employee_id, t.date
          FROM {entry} AS t
         WHERE t.date BETWEEN %s AND %s
        EXCEPT
        SELECT a.employee_id, d.day
          FROM {absence} AS a
          JOIN days AS d ON d.day BETWEEN a.start_date AND a.end_date
         WHERE a.status = %s AND a.start_date <= %s AND a.end_date >= %s
    ) AS uncovered
     GROUP BY id
)
SELECT (SELECT count(*) FROM staff),
       (SELECT count(*) FROM missing),
       (SELECT coalesce(sum(days), 0) FROM missing)
"""


def _counts(profiles: QuerySet[PayProfile], days: list[datetime.date]) -> tuple[int, int, int]:
    """Hourly staff among ``profiles``; of them, how many have working days in ``days`` on
    which they were employed with neither hours nor an approved absence, and how many days."""
    sub_sql, sub_params = (
        profiles.filter(hourly_rate__isnull=False).values("employee_id").query.sql_with_params()
    )
    sql = _COUNTS.format(
        employee=Employee._meta.db_table,
        entry=TimeEntry._meta.db_table,
        absence=Absence._meta.db_table,
        profiles=sub_sql,
    )
    # No days (the period has not begun): NULL bounds match nothing, as nothing is missing.
    first, last = min(days, default=None), max(days, default=None)
    params = [*sub_params, days, first, last, Absence.Status.APPROVED, last, first]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        staff, people, missing = cursor.fetchone()
    return staff, people, int(missing)


def hours_readiness(
    *, period: PayPeriod, profiles: QuerySet[PayProfile], today: datetime.date | None = None
) -> list[dict]:
    """Warnings (never blocks: late hours are paid by the next run) about the hours the
    period's run pays: the days not over yet, and the working days of hourly staff without
    hours. ``profiles`` are the pay profiles the run would pay."""
    today = today or timezone.localdate()
    start, end = hours_window(period=period)
    items = []
    # Days up to yesterday are the ones that should have hours by now.
    passed = hr_absences.working_dates(start, min(end, today - datetime.timedelta(days=1)))
    staff, people, missing = _counts(profiles, passed)
    if end >= today and staff:
        to_come = len(hr_absences.working_dates(max(start, today), end))
        items.append(
            {
                "level": "warn",
                "code": "hours_period_open",
                "text": ngettext(
                    "The hours are not complete: their period runs until %(end)s, with "
                    "%(days)d working day still to come for %(people)d people paid by the "
                    "hour. Hours recorded later are paid with the next run.",
                    "The hours are not complete: their period runs until %(end)s, with "
                    "%(days)d working days still to come for %(people)d people paid by the "
                    "hour. Hours recorded later are paid with the next run.",
                    to_come,
                )
                % {"end": date_format(end, "SHORT_DATE_FORMAT"), "days": to_come, "people": staff},
            }
        )
    if people:
        items.append(
            {
                "level": "warn",
                "code": "hours_missing",
                "text": ngettext(
                    "%(people)d person paid by the hour has %(days)s without hours or an "
                    "approved absence between %(start)s and %(end)s.",
                    "%(people)d people paid by the hour have %(days)s without hours or an "
                    "approved absence between %(start)s and %(end)s.",
                    people,
                )
                % {
                    "people": people,
                    "days": ngettext("%(count)d working day", "%(count)d working days", missing)
                    % {"count": missing},
                    "start": date_format(start, "SHORT_DATE_FORMAT"),
                    "end": date_format(end, "SHORT_DATE_FORMAT"),
                },
            }
        )
    return items
