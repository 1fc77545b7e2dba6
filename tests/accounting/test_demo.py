"""Demo data: ``seed_demo`` gives accounting a plausible year that every page can show, and a
second run changes nothing."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounting.demo import seed_accounting
from accounting.models import (
    Account,
    BankStatement,
    BankStatementLine,
    Budget,
    BudgetAlert,
    Finding,
    FiscalYear,
    JournalEntry,
    JournalLine,
    Payment,
)
from accounting.selectors import bank_balances, ledger_bank_balance, ledger_verify
from accounting.services import budget_statuses, statement_line_book, statement_reconcile
from hr.demo import seed_hr
from hr.models import Department

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            FiscalYear,
            JournalEntry,
            JournalLine,
            Budget,
            BudgetAlert,
            Payment,
            BankStatement,
            BankStatementLine,
            Finding,
        )
    }


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo", employees=30)
    first = counts()
    assert "Accounting:" in capsys.readouterr().out
    call_command("seed_demo", employees=30)
    assert counts() == first


def test_seed_demo_gives_every_accounting_page_something_real():
    call_command("seed_demo", employees=30)
    today = timezone.localdate()
    fy = FiscalYear.objects.get(year=today.year)
    assert FiscalYear.objects.filter(year=today.year - 1).exists()

    # A year of bookings up to this month, balanced and with an intact chain.
    assert JournalEntry.objects.filter(fiscal_year=fy).count() >= 20 * today.month // 2
    months = {d.month for d in JournalEntry.objects.filter(fiscal_year=fy).dates("date", "month")}
    assert months == set(range(1, today.month + 1))
    assert max(JournalEntry.objects.values_list("date", flat=True)) <= today
    sums = JournalLine.objects.values("side").annotate(total=Sum("amount"))
    totals = {row["side"]: row["total"] for row in sums}
    assert totals["D"] == totals["C"] > Decimal("0")
    assert ledger_verify().ok
    assert JournalLine.objects.filter(account__number="8400").exists()

    # Budgets for every department; one close to its limit; one that blocks.
    departments = set(Department.objects.values_list("pk", flat=True))
    assert set(Budget.objects.filter(fiscal_year=fy).values_list("department", flat=True)) == (
        departments
    )
    statuses = budget_statuses(fiscal_year=fy)
    assert any(80 <= s.percent < 100 for s in statuses)
    assert Budget.objects.filter(policy=Budget.Policy.BLOCK).exists()

    # Payments awaiting approval, entered by the demo accountant.
    drafts = Payment.objects.filter(status=Payment.Status.DRAFT)
    assert drafts.count() >= 3
    assert set(drafts.values_list("created_by__username", flat=True)) == {"accountant"}

    # A bank statement to reconcile: lines of posted payments (matched on import) and lines
    # the ledger does not know yet (to be booked by hand).
    statement = BankStatement.objects.get()
    posted = set(Payment.objects.filter(status=Payment.Status.POSTED).values_list("pk", flat=True))
    lines = list(statement.lines.all())
    assert {line.payment_id for line in lines if line.payment_id} <= posted
    assert any(line.payment_id for line in lines)
    assert any(line.status == BankStatementLine.Status.UNMATCHED for line in lines)
    assert statement.closing_balance == statement.opening_balance + sum(
        (line.amount for line in lines), Decimal("0.00")
    )

    # The audit checks have something for the auditor.
    assert Finding.objects.filter(check_code="duplicate_payments").exists()


@pytest.mark.parametrize(
    "today", [datetime.date(2027, 1, 1), datetime.date(2028, 2, 29), datetime.date(2027, 12, 31)]
)
def test_seed_accounting_works_on_any_day_of_the_year(today):
    """The first day of a year, a leap day, the last day: the seeder posts only up to today,
    keeps payments inside the open year, and a second run adds nothing."""
    seed_hr(employees=25)
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        seed_accounting(employees=25)
        first = counts()
        seed_accounting(employees=25)
    assert counts() == first
    assert max(JournalEntry.objects.values_list("date", flat=True)) <= today
    assert not Payment.objects.filter(due_date__year__gt=today.year).exists()


def test_the_demo_statement_reconciles_once_its_lines_are_matched_or_booked():
    """The demo statement agrees with the ledger the whole demo creates (payroll included):
    what the import matched is in the ledger already; booking the bank charge and the
    customer's part payment closes the difference, and the statement reconciles."""
    call_command("seed_demo", employees=30)
    statement = BankStatement.objects.get()
    accountant = get_user_model().objects.get(username="accountant")
    ledger = ledger_bank_balance(account_id=statement.bank_account_id, date=statement.date)
    matched = statement.lines.filter(status=BankStatementLine.Status.MATCHED)
    assert matched.count() == 4
    open_lines = list(statement.lines.filter(status=BankStatementLine.Status.UNMATCHED))
    assert len(open_lines) == 2
    assert statement.opening_balance + sum(ln.amount for ln in matched) == ledger
    assert statement.closing_balance == ledger + sum(ln.amount for ln in open_lines)
    with pytest.raises(ValidationError):
        statement_reconcile(statement=statement, user=accountant)

    for line in open_lines:
        counter = "1400" if line.amount > 0 else "4970"
        statement_line_book(line=line, account=Account.objects.get(number=counter), user=accountant)
    statement = statement_reconcile(statement=statement, user=accountant)
    assert statement.reconciled_at is not None
    [bank] = [a for a in bank_balances() if a.pk == statement.bank_account_id]
    assert bank.difference == 0
