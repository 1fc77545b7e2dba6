"""Pay schedules and their periods."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from payroll.models import PayPeriod, PaySchedule


def _monthly_period(schedule: PaySchedule, year: int, month: int) -> tuple:
    last = calendar.monthrange(year, month)[1]
    start, end = datetime.date(year, month, 1), datetime.date(year, month, last)
    return start, end, datetime.date(year, month, min(schedule.payday_day, last))


def period_bounds(*, schedule: PaySchedule, day: datetime.date) -> tuple:
    """Start, end and payday of the schedule's period containing ``day``; no query."""
    if schedule.frequency == PaySchedule.Frequency.MONTHLY:
        return _monthly_period(schedule, day.year, day.month)
    if schedule.anchor_date is None:
        raise ValidationError(
            {
                "anchor_date": _(
                    "A biweekly schedule needs the start of its first period; "
                    "without it periods would overlap at the turn of the year."
                )
            }
        )
    anchor = schedule.anchor_date
    offset = (day - anchor).days // 14
    start = anchor + datetime.timedelta(days=14 * offset)
    end = start + datetime.timedelta(days=13)
    return start, end, end + datetime.timedelta(days=3)


def hours_window(*, period: PayPeriod) -> tuple[datetime.date, datetime.date]:
    """The days whose hours a period's run pays: the period itself, or with the schedule's
    "previous period" timing (Vormonatsprinzip) the period before it. No query."""
    schedule = period.schedule
    if schedule.hours_timing != PaySchedule.HoursTiming.PREVIOUS:
        return period.start, period.end
    start, end, _payday = period_bounds(
        schedule=schedule, day=period.start - datetime.timedelta(days=1)
    )
    return start, end


@transaction.atomic
def pay_period_for(*, schedule: PaySchedule, day: datetime.date) -> PayPeriod:
    """The schedule's period containing ``day``, created if missing. Idempotent."""
    start, end, payday = period_bounds(schedule=schedule, day=day)
    period, _created = PayPeriod.objects.get_or_create(
        schedule=schedule, start=start, defaults={"end": end, "payday": payday}
    )
    return period


def default_schedule() -> PaySchedule:
    schedule = PaySchedule.objects.filter(is_default=True).first()
    if schedule is None:
        schedule, _created = PaySchedule.objects.get_or_create(
            name="Monatlich", defaults={"is_default": True, "payday_day": 28}
        )
    return schedule
