"""Accounting's writes, and the audit registry. Other apps import from here only."""

from accounting.audit import (
    AuditFinding,
    Severity,
    iter_rows,
    register_check,
    register_system_source,
)
from accounting.services.bank import (
    bank_account_details_set,
    statement_auto_match,
    statement_import,
    statement_line_book,
    statement_line_match,
    statement_reconcile,
)
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
from accounting.services.payments import payment_approve, payment_cancel, payment_create

__all__ = [
    "bank_account_details_set",
    "AuditFinding",
    "Severity",
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
    "payment_approve",
    "payment_cancel",
    "payment_create",
    "period_close",
    "period_reopen",
    "iter_rows",
    "register_check",
    "register_system_source",
    "statement_auto_match",
    "statement_import",
    "statement_line_book",
    "statement_line_match",
    "statement_reconcile",
]
