"""Accounting models, split by sub-domain."""

from accounting.models.audit import Finding
from accounting.models.bank import BankStatement, BankStatementLine
from accounting.models.budgets import Budget, BudgetAlert, BudgetMonth, Commitment
from accounting.models.ledger import (
    Account,
    FiscalYear,
    JournalEntry,
    JournalLine,
    LedgerBalance,
    Period,
)
from accounting.models.payments import Payment

__all__ = [
    "Account",
    "BankStatement",
    "BankStatementLine",
    "Budget",
    "BudgetAlert",
    "BudgetMonth",
    "Commitment",
    "Finding",
    "FiscalYear",
    "JournalEntry",
    "JournalLine",
    "LedgerBalance",
    "Payment",
    "Period",
]
