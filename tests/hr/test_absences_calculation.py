"""Working days, pro rata entitlement and carry-over expiry (hr.absence_calculation)."""

import datetime
from decimal import Decimal

from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from hr import absence_calculation as calc

D = datetime.date
years = st.integers(min_value=2000, max_value=2090)


@override_settings(HR_PUBLIC_HOLIDAY_STATE="BY")
def test_a_public_holiday_inside_a_vacation_is_not_deducted():
    """Easter fortnight 2026 in Bavaria: ten weekdays, Good Friday and Easter Monday free."""
    assert calc.leave_days(D(2026, 3, 30), D(2026, 4, 10)) == Decimal(8)
    assert D(2026, 4, 3) not in calc.leave_days_by_date(D(2026, 3, 30), D(2026, 4, 10))


def test_the_state_decides_which_holidays_count():
    """Epiphany (6 January) is a holiday in Bavaria, not in Berlin."""
    with override_settings(HR_PUBLIC_HOLIDAY_STATE="BY"):
        assert calc.leave_days(D(2026, 1, 5), D(2026, 1, 9)) == 4
    with override_settings(HR_PUBLIC_HOLIDAY_STATE="BE"):
        assert calc.leave_days(D(2026, 1, 5), D(2026, 1, 9)) == 5


def test_weekends_and_half_days():
    assert calc.leave_days(D(2026, 3, 7), D(2026, 3, 8)) == 0  # Saturday, Sunday
    assert calc.leave_days(D(2026, 3, 9), D(2026, 3, 9), half_day=True) == Decimal("0.5")


def test_pro_rata_examples_worked_out_by_hand():
    """30 days, joined 15 March: 9 full months (15 Mar - 14 Dec) = 22.5 -> 23 days (a fraction
    of half a day or more is a whole day, §5 (2) BUrlG). Joined 1 Feb: 11 months = 27.5 -> 28.
    26 days, 5 months = 10.83 -> 11; 26 days, 1 month = 2.17 -> 2.5 (our rule: a smaller
    fraction up to the half day)."""
    assert calc.year_entitlement(30, 2026, D(2026, 3, 15), None) == Decimal(23)
    assert calc.year_entitlement(30, 2026, D(2026, 2, 1), None) == Decimal(28)
    assert calc.pro_rata(26, 5) == Decimal(11)
    assert calc.pro_rata(26, 1) == Decimal("2.5")
    # Leaver on 30 June after years of service: six months.
    assert calc.year_entitlement(30, 2026, D(2020, 1, 1), D(2026, 6, 30)) == Decimal(15)
    # Employed the whole year: the full entitlement.
    assert calc.year_entitlement(30, 2026, D(2020, 1, 1), None) == Decimal(30)
    # A month counted from 31 January ends on the last day of February.
    assert calc.full_months_employed(2026, D(2026, 1, 31), D(2026, 2, 28)) == 1


@given(
    days_per_year=st.integers(min_value=0, max_value=60),
    months=st.integers(min_value=0, max_value=12),
)
def test_pro_rata_is_the_exact_twelfths_rounded_up_per_burlg(days_per_year, months):
    exact = Decimal(days_per_year) * months / 12
    result = calc.pro_rata(days_per_year, months)
    assert result * 2 == int(result * 2)  # whole or half days
    assert Decimal(0) <= result - exact <= Decimal("0.5")
    if exact - int(exact) >= Decimal("0.5"):
        assert result == int(exact) + 1  # §5 (2) BUrlG: half a day or more is a whole day
    assert calc.pro_rata(days_per_year, months) <= calc.pro_rata(days_per_year, min(12, months + 1))


@given(
    year=years,
    hire=st.dates(min_value=D(1999, 1, 1), max_value=D(2091, 12, 31)),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=800)),
    days_per_year=st.integers(min_value=0, max_value=40),
)
def test_entitlement_never_exceeds_the_year_and_follows_full_months(
    year, hire, length, days_per_year
):
    termination = hire + datetime.timedelta(days=length) if length is not None else None
    result = calc.year_entitlement(days_per_year, year, hire, termination)
    assert Decimal(0) <= result <= days_per_year
    months = calc.full_months_employed(year, hire, termination)
    employed_all_year = hire <= D(year, 1, 1) and (
        termination is None or termination >= D(year, 12, 31)
    )
    if employed_all_year:
        assert result == days_per_year
    elif hire.year > year or (termination is not None and termination.year < year):
        assert result == 0
    else:
        assert result == calc.pro_rata(days_per_year, months)


@given(
    year=st.integers(min_value=2001, max_value=2090),
    unused=st.integers(min_value=0, max_value=30),
    taken_before=st.integers(min_value=0, max_value=30),
    today_offset=st.integers(min_value=0, max_value=364),
    extended_days=st.one_of(st.none(), st.integers(min_value=1, max_value=200)),
)
def test_carried_over_days_expire_on_31_march_unless_extended(
    year, unused, taken_before, today_offset, extended_days
):
    """Last year's unused days come over; leave taken up to the expiry uses them first; what is
    left of them is lost once the expiry has passed, and never before."""
    hire = D(year - 1, 1, 1)
    # Last year: 30 days, ``30 - unused`` of them taken (working days of January on).
    last_year = dict(
        list(calc.leave_days_by_date(D(year - 1, 1, 1), D(year - 1, 12, 31), state="BE").items())[
            : 30 - unused
        ]
    )
    # This year: ``taken_before`` days from the first working day of January.
    this_year = dict(
        list(calc.leave_days_by_date(D(year, 1, 1), D(year, 12, 31), state="BE").items())[
            :taken_before
        ]
    )
    extensions = {}
    if extended_days is not None:
        extensions[year] = D(year, 3, 31) + datetime.timedelta(days=extended_days)
    today = D(year, 1, 1) + datetime.timedelta(days=today_offset)
    with override_settings(HR_PUBLIC_HOLIDAY_STATE="BE"):
        vy = calc.vacation_years(
            days_per_year=30,
            hire_date=hire,
            termination_date=None,
            approved={**last_year, **this_year},
            extensions=extensions,
            until_year=year,
            today=today,
        )[-1]
    expiry = extensions.get(year, D(year, 3, 31))
    assert vy.carried_over == unused
    assert vy.carry_over_expires == expiry
    used_in_time = sum(1 for d in this_year if d <= expiry)
    assert vy.carried_used == min(unused, used_in_time)
    if today > expiry:
        assert vy.expired == unused - vy.carried_used
        assert vy.expiring == 0
    else:
        assert vy.expired == 0
        assert vy.expiring == unused - vy.carried_used
    # Whatever expires, what is taken plus what is left plus what expired is all there was.
    assert vy.taken + vy.planned + vy.remaining + vy.expired == vy.entitlement + vy.carried_over


def test_carry_over_worked_out_by_hand():
    """2025: 30 days, 25 taken -> 5 carried into 2026. In 2026 two days taken on 12 and 13
    January use two of them; three expire on 31 March; on 1 April 28 of 30 days remain."""
    with override_settings(HR_PUBLIC_HOLIDAY_STATE="BE"):
        taken_2025 = dict(
            list(calc.leave_days_by_date(D(2025, 2, 1), D(2025, 12, 31)).items())[:25]
        )
        taken_2026 = calc.leave_days_by_date(D(2026, 1, 12), D(2026, 1, 13))
        march, april = (
            calc.vacation_years(
                days_per_year=30,
                hire_date=D(2025, 1, 1),
                termination_date=None,
                approved={**taken_2025, **taken_2026},
                until_year=2026,
                today=today,
            )[-1]
            for today in (D(2026, 3, 31), D(2026, 4, 1))
        )
    assert (march.carried_over, march.carried_used, march.expiring) == (5, 2, 3)
    assert march.remaining == 33
    assert (april.expired, april.remaining) == (3, 30)
    assert april.carry_out == 30  # none of 2026's own entitlement used
