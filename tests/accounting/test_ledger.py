import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from accounting.models import JournalEntry, JournalLine, LedgerBalance, Period
from accounting.selectors import ledger_verify, trial_balance
from accounting.services import (
    Line,
    PostingRefused,
    journal_entry_post,
    journal_entry_reverse,
    period_close,
)
from tests.accounting.factories import account, open_year, post_expense

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return open_year(2026)


def test_balanced_entry_posts_with_gapless_numbers(year):
    first = post_expense(amount="10.00")
    second = post_expense(amount="20.50")
    assert (first.number, second.number) == (1, 2)
    assert second.prev_hash == first.hash
    assert JournalLine.objects.filter(entry=second).count() == 2


def test_entry_unbalanced_by_one_cent_is_refused_and_writes_nothing(year):
    with pytest.raises(PostingRefused) as info:
        journal_entry_post(
            date=datetime.date(2026, 3, 1),
            lines=[
                Line(account=account("4930"), side="D", amount=Decimal("100.00")),
                Line(account=account("1200"), side="C", amount=Decimal("99.99")),
            ],
        )
    assert "0.01" in str(info.value)
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0
    assert LedgerBalance.objects.count() == 0
    year.refresh_from_db()
    assert year.last_number == 0


def test_more_than_two_decimals_and_float_are_refused(year):
    for amount in (Decimal("1.005"), 1.5):
        with pytest.raises(PostingRefused):
            journal_entry_post(
                date=datetime.date(2026, 3, 1),
                lines=[
                    Line(account=account("4930"), side="D", amount=amount),
                    Line(account=account("1200"), side="C", amount=amount),
                ],
            )


def test_same_source_twice_returns_the_first_entry(year):
    first = post_expense(amount="10.00", source="payroll.run:42")
    again = post_expense(amount="10.00", source="payroll.run:42")
    assert again.pk == first.pk
    assert JournalEntry.objects.count() == 1


def test_closed_period_is_refused(year, make_user):
    period = Period.objects.get(fiscal_year=year, month=3)
    period_close(period=period, user=make_user())
    with pytest.raises(PostingRefused) as info:
        post_expense(amount="10.00", date=datetime.date(2026, 3, 10))
    assert "2026-03" in str(info.value)
    assert JournalEntry.objects.count() == 0


def test_missing_fiscal_year_is_refused(year):
    with pytest.raises(PostingRefused):
        post_expense(amount="1.00", date=datetime.date(2031, 1, 1))


def test_database_refuses_update_and_delete_of_posted_entries(year):
    entry = post_expense(amount="10.00")
    line = entry.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalLine.objects.filter(pk=line.pk).update(amount=Decimal("99.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(memo="geändert")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounting_journalline WHERE id = %s", [line.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounting_journalentry WHERE id = %s", [entry.pk])
    line.refresh_from_db()
    assert line.amount == Decimal("10.00")


def test_reversal_mirrors_the_entry_and_links_to_it(year, make_user):
    user = make_user()
    entry = post_expense(amount="123.45")
    reversal = journal_entry_reverse(entry=entry, date=datetime.date(2026, 4, 1), user=user)
    assert reversal.reverses_id == entry.pk
    sides = dict(reversal.lines.values_list("account__number", "side"))
    assert sides == {"4930": "C", "1200": "D"}
    assert journal_entry_reverse(entry=entry, date=datetime.date(2026, 4, 2), user=user) == reversal
    totals = {
        r["account__number"]: r["debit"] - r["credit"] for r in trial_balance(fiscal_year=year)
    }
    assert totals == {"1200": Decimal("0.00"), "4930": Decimal("0.00")}


def test_balances_equal_the_lines(year):
    for amount in ("10.00", "0.01", "999.99"):
        post_expense(amount=amount)
    lines = JournalLine.objects.filter(side="D").aggregate(s=Sum("amount"))["s"]
    balances = LedgerBalance.objects.aggregate(s=Sum("debit"))["s"]
    assert lines == balances == Decimal("1010.00")


def test_verify_ledger_finds_tampering(year, capsys):
    """Change a posted amount behind the trigger's back: verify_ledger names the entry."""
    post_expense(amount="10.00")
    tampered = post_expense(amount="20.00")
    post_expense(amount="30.00")
    call_command("verify_ledger")
    assert "3 entries verified" in capsys.readouterr().out
    with connection.cursor() as cursor:
        # Fire the deferred foreign-key checks first; ALTER TABLE refuses pending events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE accounting_journalline DISABLE TRIGGER journalline_immutable")
        cursor.execute(
            "UPDATE accounting_journalline SET amount = 2000.00 WHERE entry_id = %s",
            [tampered.pk],
        )
        cursor.execute("ALTER TABLE accounting_journalline ENABLE TRIGGER journalline_immutable")
    result = ledger_verify()
    assert not result.ok
    assert result.first_bad_entry_id == tampered.pk
    with pytest.raises(CommandError) as info:
        call_command("verify_ledger")
    assert f"2026/{tampered.number}" in str(info.value)


def test_verify_ledger_checks_the_running_balances_too(year):
    """Reports read the running balances: a balance changed behind the ledger's back is
    found even though every entry's hash still matches."""
    post_expense(amount="10.00")
    assert ledger_verify().ok
    LedgerBalance.objects.filter(account__number="4930").update(debit=Decimal("1.00"))
    result = ledger_verify()
    assert not result.ok
    assert result.reason == "balances"
    assert "4930" in result.first_bad_label
    with pytest.raises(CommandError):
        call_command("verify_ledger")
