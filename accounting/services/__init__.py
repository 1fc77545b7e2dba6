"""Accounting's writes. Other apps import from here (``accounting.services``) only."""

from accounting.services.budgets import (
    BudgetStatus,
    budget_guard,
    budget_statuses,
    budgets_check,
    commitment_close,
    commitment_open,
)
from accounting.services.ledger import (
    EntrySpec,
    Line,
    PostingRefused,
    fiscal_year_open,
    journal_entries_post,
    journal_entry_post,
    journal_entry_reverse,
    period_close,
    period_reopen,
)

__all__ = [
    "BudgetStatus",
    "EntrySpec",
    "Line",
    "PostingRefused",
    "budget_guard",
    "budget_statuses",
    "budgets_check",
    "commitment_close",
    "commitment_open",
    "fiscal_year_open",
    "journal_entries_post",
    "journal_entry_post",
    "journal_entry_reverse",
    "period_close",
    "period_reopen",
]
