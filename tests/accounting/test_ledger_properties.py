"""Property: whatever balanced entries are posted and reversed, the books stay balanced and
the hash chain verifies."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting.models import Account, JournalEntry, JournalLine
from accounting.selectors import ledger_verify, trial_balance
from accounting.services import EntrySpec, Line, journal_entries_post, journal_entry_reverse
from backoffice.money import ZERO
from tests.accounting.factories import open_year

ACCOUNTS = ["1000", "1200", "1400", "1600", "4120", "4930", "8400"]

cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def balanced_entry(draw):
    """A random entry: 1-4 debit lines, and credit lines that split the same total."""
    debits = draw(st.lists(cents, min_size=1, max_size=4))
    total = sum(debits, ZERO)
    n_credits = draw(st.integers(min_value=1, max_value=3))
    credits = []
    remaining = total
    for _ in range(n_credits - 1):
        if remaining <= Decimal("0.01"):
            break
        part = draw(st.integers(min_value=1, max_value=int(remaining * 100) - 1)) / Decimal(100)
        credits.append(part)
        remaining -= part
    credits.append(remaining)
    accounts = st.sampled_from(ACCOUNTS)
    day = draw(st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))
    return (
        day,
        [("D", draw(accounts), amount) for amount in debits]
        + [("C", draw(accounts), amount) for amount in credits],
    )


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    entries=st.lists(balanced_entry(), min_size=1, max_size=6),
    reverse_mask=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_post_and_reverse_keep_the_trial_balance_zero_and_the_chain_intact(
    entries, reverse_mask, make_user
):
    year = open_year(2026)
    user = make_user()
    accounts = dict(Account.objects.filter(number__in=ACCOUNTS).values_list("number", "pk"))
    posted = journal_entries_post(
        entries=[
            EntrySpec(
                date=day,
                lines=[Line(account=accounts[a], side=side, amount=amt) for side, a, amt in lines],
            )
            for day, lines in entries
        ],
        user=user,
    )
    for entry, reverse in zip(posted, reverse_mask, strict=False):
        if reverse:
            journal_entry_reverse(entry=entry, date=datetime.date(2026, 12, 31), user=user)

    rows = trial_balance(fiscal_year=year)
    assert sum((r["debit"] for r in rows), ZERO) == sum((r["credit"] for r in rows), ZERO)
    assert ledger_verify().ok
    numbers = list(
        JournalEntry.objects.filter(fiscal_year=year)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(1, len(numbers) + 1))  # gapless
    for entry, reverse in zip(posted, reverse_mask, strict=False):
        if reverse:
            net = {ln.account_id: ZERO for ln in JournalLine.objects.filter(entry=entry)}
            for ln in JournalLine.objects.filter(entry__in=[entry, entry.reversed_by]):
                net[ln.account_id] += ln.amount if ln.side == "D" else -ln.amount
            assert set(net.values()) == {ZERO}
