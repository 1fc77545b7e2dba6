import datetime
from decimal import Decimal

from accounting.models import Account
from accounting.services import Line, fiscal_year_open, journal_entry_post


def account(number: str) -> Account:
    """Accounts come from the SKR 03 chart the migrations seed."""
    return Account.objects.get(number=number)


def open_year(year: int = 2026):
    return fiscal_year_open(year=year)


def post_expense(
    *,
    amount: str | Decimal,
    department=None,
    expense: str = "4930",
    bank: str = "1200",
    date: datetime.date = datetime.date(2026, 3, 15),
    source: str | None = None,
    user=None,
):
    """Post an expense paid from the bank: debit expense, credit bank."""
    amount = Decimal(amount)
    return journal_entry_post(
        date=date,
        lines=[
            Line(account=account(expense), side="D", amount=amount, department=department),
            Line(account=account(bank), side="C", amount=amount),
        ],
        source=source,
        memo="Testbuchung",
        user=user,
    )
