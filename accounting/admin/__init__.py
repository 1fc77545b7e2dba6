"""The accounting admin: declarative; actions call services; posted records are read-only.

Accountants manage accounts, fiscal years, budgets and payments here; auditors look at
everything and acknowledge findings. One module per sub-domain.
"""

from accounting.admin import audit, budgets, ledger, payments

__all__ = ["audit", "budgets", "ledger", "payments"]
