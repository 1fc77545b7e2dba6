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


@transaction.atomic
def pay_period_for(*, schedule: PaySchedule, day: datetime.date) -> PayPeriod:
    """The schedule's period containing ``day``, created if missing. Idempotent."""
    if schedule.frequency == PaySchedule.Frequency.MONTHLY:
        start, end, payday = _monthly_period(schedule, day.year, day.month)
    else:
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
        payday = end + datetime.timedelta(days=3)
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
