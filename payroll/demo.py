"""Demo data for payroll. The deduction preset approximates German social insurance and wage
tax with configurable rules; it is not a certified German payroll."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounting.models import Account
from payroll.models import DeductionRule, PaySchedule
from payroll.services.payday import payroll_settings

# code, name, employee %, employer %, monthly ceiling, liability, employer expense, applies, base
PRESET = [
    ("KV", "Krankenversicherung inkl. Zusatzbeitrag", "8.55", "8.55", "5512.50", "1742", "4130",
     "all", None),
    ("RV", "Rentenversicherung", "9.30", "9.30", "8050.00", "1742", "4130", "all", None),
    ("AV", "Arbeitslosenversicherung", "1.30", "1.30", "8050.00", "1742", "4130", "all", None),
    ("PV", "Pflegeversicherung", "1.80", "1.80", "5512.50", "1742", "4130", "all", None),
    ("LST", "Lohnsteuer (vereinfachte Regel)", "16.00", "0", None, "1741", None, "all", None),
    ("KIST", "Kirchensteuer (9 % der Lohnsteuer)", "9.00", "0", None, "1741", None, "church",
     "LST"),
]  # fmt: skip


@transaction.atomic
def seed_payroll_config() -> list[str]:
    """Default monthly schedule, payroll settings and the deduction preset. Idempotent."""
    PaySchedule.objects.get_or_create(
        name="Monatlich", defaults={"is_default": True, "payday_day": 28}
    )
    payroll_settings()
    accounts = {a.number: a for a in Account.objects.filter(number__in=["1741", "1742", "4130"])}
    created = 0
    for order, (code, name, ee, er, ceiling, liability, expense, applies, base) in enumerate(
        PRESET, start=1
    ):
        _rule, new = DeductionRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": DeductionRule.Kind.PERCENT,
                "employee_rate": Decimal(ee),
                "employer_rate": Decimal(er),
                "monthly_ceiling": Decimal(ceiling) if ceiling else None,
                "liability_account": accounts[liability],
                "employer_expense_account": accounts.get(expense) if expense else None,
                "applies_to": applies,
                "base_rule": DeductionRule.objects.get(code=base) if base else None,
                "order": order * 10,
            },
        )
        created += new
    return [f"Payroll: {created} deduction rules created (a configurable preset)."]
