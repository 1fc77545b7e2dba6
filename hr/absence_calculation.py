"""Working days, vacation entitlement and carry-over: pure Python with Decimal, no database.

The rules, in one place (and in the README's absences section):

- A working day is Monday to Friday, except the public holidays of the company's state
  (``HR_PUBLIC_HOLIDAY_STATE``, through the ``holidays`` package). A holiday or a weekend inside
  an absence costs no leave day. A half day counts 0.5.
- The yearly entitlement is ``PersonnelFile.vacation_days_per_year`` (30 without a file). In the
  year somebody joins or leaves, it is 1/12 for every full month of employment in that year
  (§5 (1) BUrlG), months counted from the first day of employment in the year (15 March to
  14 April is one month). A fraction of half a day or more becomes a whole day, as §5 (2)
  BUrlG requires; a smaller fraction becomes half a day (our rule, in the employee's favour,
  since leave is taken in half days here). So the result is never below the exact twelfths and
  at most half a day above them. A simplification:
  the rule applies to every joiner and leaver; the statutory minimum owed to somebody leaving
  in the second half of the year after six months' service is not singled out.
- Unused days of a year carry over into the next and expire at the end of 31 March there,
  unless HR extends them for the employee (a date per employee and year). Leave taken is
  counted against the carried-over days first, as far as it falls on or before their expiry.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import holidays
from django.conf import settings

ZERO = Decimal("0")
HALF = Decimal("0.5")
ONE = Decimal("1")
TWELVE = Decimal("12")
DEFAULT_DAYS_PER_YEAR = 30


@functools.lru_cache(maxsize=256)
def _holidays(state: str, year: int) -> dict[datetime.date, str]:
    return dict(holidays.country_holidays("DE", subdiv=state or None, years=[year]).items())


def public_holidays(year: int, state: str | None = None) -> dict[datetime.date, str]:
    """The public holidays of the company's state (or ``state``) in ``year``: date -> name."""
    state = settings.HR_PUBLIC_HOLIDAY_STATE if state is None else state
    return _holidays(state, year)


def is_working_day(day: datetime.date, state: str | None = None) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year, state)


def days_between(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def working_days(start: datetime.date, end: datetime.date, state: str | None = None) -> int:
    """Working days from ``start`` to ``end``, both included."""
    return sum(1 for day in days_between(start, end) if is_working_day(day, state))


def leave_days_by_date(
    start: datetime.date, end: datetime.date, *, half_day: bool = False, state: str | None = None
) -> dict[datetime.date, Decimal]:
    """The leave each working day of an absence costs: 1, or 0.5 for a half day."""
    amount = HALF if half_day else ONE
    return {day: amount for day in days_between(start, end) if is_working_day(day, state)}


def leave_days(
    start: datetime.date, end: datetime.date, *, half_day: bool = False, state: str | None = None
) -> Decimal:
    return sum(leave_days_by_date(start, end, half_day=half_day, state=state).values(), ZERO)


def full_months_employed(
    year: int, hire_date: datetime.date, termination_date: datetime.date | None
) -> int:
    """Full months of employment inside ``year``, counted from the first day employed in it."""
    first = max(hire_date, datetime.date(year, 1, 1))
    last = datetime.date(year, 12, 31)
    if termination_date is not None:
        last = min(last, termination_date)
    if last < first:
        return 0
    months = 0
    while months < 12:
        # The month ends the day before the same day of the next month.
        ends = _add_months(first, months + 1) - datetime.timedelta(days=1)
        if ends > last:
            break
        months += 1
    return months


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    # A month counted from the 31st ends on the last day of a shorter month (§188 (3) BGB).
    last = calendar.monthrange(year, month)[1]
    if day.day > last:
        return datetime.date(year, month, last) + datetime.timedelta(days=1)
    return datetime.date(year, month, day.day)


def round_leave_days(days: Decimal) -> Decimal:
    """A fraction of half a day or more becomes a whole day (§5 (2) BUrlG); a smaller one
    half a day (our rule, in the employee's favour)."""
    whole = days.to_integral_value(rounding=ROUND_FLOOR)
    fraction = days - whole
    if not fraction:
        return whole
    return whole + (ONE if fraction >= HALF else HALF)


def pro_rata(days_per_year: int, months: int) -> Decimal:
    """1/12 of the yearly entitlement per full month, rounded by ``round_leave_days``."""
    if months >= 12:
        return Decimal(days_per_year)
    return round_leave_days(Decimal(days_per_year) * months / TWELVE)


def year_entitlement(
    days_per_year: int,
    year: int,
    hire_date: datetime.date,
    termination_date: datetime.date | None,
) -> Decimal:
    starts_inside = hire_date > datetime.date(year, 1, 1)
    ends_inside = termination_date is not None and termination_date < datetime.date(year, 12, 31)
    if hire_date.year > year or (termination_date is not None and termination_date.year < year):
        return ZERO
    if not starts_inside and not ends_inside:
        return Decimal(days_per_year)
    return pro_rata(days_per_year, full_months_employed(year, hire_date, termination_date))


def carry_over_expiry(year: int, extended_to: datetime.date | None = None) -> datetime.date:
    """When days carried into ``year`` expire: 31 March of it, unless HR extended them."""
    return extended_to or datetime.date(year, 3, 31)


@dataclass(frozen=True)
class VacationYear:
    year: int
    entitlement: Decimal
    carried_over: Decimal
    carry_over_expires: datetime.date
    # Carried-over days that approved leave on or before the expiry uses up.
    carried_used: Decimal
    # Approved leave already begun (on or before today) and still ahead.
    taken: Decimal
    planned: Decimal
    # Requested, not yet decided.
    pending: Decimal
    today: datetime.date

    @property
    def carried_unused(self) -> Decimal:
        return self.carried_over - self.carried_used

    @property
    def expired(self) -> Decimal:
        """Carried-over days lost: their expiry has passed and no leave used them."""
        return self.carried_unused if self.today > self.carry_over_expires else ZERO

    @property
    def expiring(self) -> Decimal:
        """Carried-over days not yet planned that will expire on ``carry_over_expires``."""
        return self.carried_unused if self.today <= self.carry_over_expires else ZERO

    @property
    def remaining(self) -> Decimal:
        """Days still free to plan: entitlement and carry-over, less expired, taken, planned."""
        return self.entitlement + self.carried_over - self.expired - self.taken - self.planned

    @property
    def overdrawn(self) -> Decimal:
        """Leave beyond what the year allows: more than its entitlement and the carried-over
        days used in time (zero when all is well)."""
        return max(ZERO, self.taken + self.planned - self.entitlement - self.carried_used)

    @property
    def carry_out(self) -> Decimal:
        """Days that pass into next year: this year's entitlement not used by leave beyond
        what the carried-over days covered."""
        from_entitlement = self.taken + self.planned - self.carried_used
        return max(ZERO, self.entitlement - from_entitlement)


def vacation_years(
    *,
    days_per_year: int,
    hire_date: datetime.date,
    termination_date: datetime.date | None,
    approved: dict[datetime.date, Decimal],
    pending: dict[datetime.date, Decimal] | None = None,
    extensions: dict[int, datetime.date] | None = None,
    until_year: int,
    today: datetime.date,
) -> list[VacationYear]:
    """Every year from the hire year to ``until_year``, each carrying into the next.

    ``approved`` and ``pending`` map each vacation day to its cost (1 or 0.5)."""
    pending = pending or {}
    extensions = extensions or {}
    by_year: dict[int, list[tuple[datetime.date, Decimal]]] = {}
    for day, amount in sorted(approved.items()):
        by_year.setdefault(day.year, []).append((day, amount))
    result = []
    carried = ZERO
    for year in range(hire_date.year, until_year + 1):
        expiry = carry_over_expiry(year, extensions.get(year))
        days = by_year.get(year, [])
        before_expiry = sum((a for d, a in days if d <= expiry), ZERO)
        vy = VacationYear(
            year=year,
            entitlement=year_entitlement(days_per_year, year, hire_date, termination_date),
            carried_over=carried,
            carry_over_expires=expiry,
            carried_used=min(carried, before_expiry),
            taken=sum((a for d, a in days if d <= today), ZERO),
            planned=sum((a for d, a in days if d > today), ZERO),
            pending=sum((a for d, a in pending.items() if d.year == year), ZERO),
            today=today,
        )
        result.append(vy)
        carried = vy.carry_out
    return result
