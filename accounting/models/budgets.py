from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field


class Budget(TimeStampedModel):
    """A department's annual budget for one account or one account group."""

    class Policy(models.TextChoices):
        WARN = "warn", _("Warn")
        BLOCK = "block", _("Block")

    department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        related_name="budgets",
        verbose_name=_("department"),
    )
    fiscal_year = models.ForeignKey(
        "accounting.FiscalYear",
        on_delete=models.PROTECT,
        related_name="budgets",
        verbose_name=_("fiscal year"),
    )
    account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("account"),
    )
    account_group = models.CharField(_("account group"), max_length=10, blank=True)
    amount = money_field(_("budget"))
    policy = models.CharField(
        _("when exceeded"), max_length=5, choices=Policy.choices, default=Policy.WARN
    )

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["fiscal_year", "department", "account_group"]
        permissions = [
            ("export_budget", _("Can export budgets from the admin")),
            ("import_budget", _("Can import budgets into the admin")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_nonnegative"),
            # Exactly one of account and account group.
            models.CheckConstraint(
                condition=(models.Q(account__isnull=False) & models.Q(account_group=""))
                | (models.Q(account__isnull=True) & ~models.Q(account_group="")),
                name="budget_account_xor_group",
                violation_error_message=_("Give either an account or an account group."),
            ),
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "account"],
                condition=models.Q(account__isnull=False),
                name="budget_unique_account",
            ),
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "account_group"],
                condition=~models.Q(account_group=""),
                name="budget_unique_group",
            ),
        ]

    def __str__(self) -> str:
        target = self.account.number if self.account_id else f"{self.account_group}*"
        return f"{self.department.code} {self.fiscal_year.year} {target}"


class BudgetMonth(models.Model):
    """Optional split of a budget by month."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="months")
    month = models.PositiveSmallIntegerField(_("month"))
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("monthly budget")
        verbose_name_plural = _("monthly budgets")
        constraints = [
            models.UniqueConstraint(fields=["budget", "month"], name="budget_month_unique"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="budget_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_id}/{self.month:02d}: {self.amount}"


class Commitment(TimeStampedModel):
    """Spend that is ordered but not yet posted (an approved purchase order, say)."""

    source = models.CharField(_("source"), max_length=100, unique=True)
    department = models.ForeignKey(
        "hr.Department", on_delete=models.PROTECT, related_name="commitments"
    )
    account = models.ForeignKey(
        "accounting.Account", on_delete=models.PROTECT, related_name="commitments"
    )
    fiscal_year = models.ForeignKey(
        "accounting.FiscalYear", on_delete=models.PROTECT, related_name="commitments"
    )
    amount = money_field(_("amount"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            models.Index(
                fields=["department", "account"],
                name="commitment_open_idx",
                condition=models.Q(closed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"


class BudgetAlert(models.Model):
    """Remembers that a threshold was notified, so each is notified once."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    notified_at = models.DateTimeField(_("notified at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "threshold"], name="budget_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_id} {self.threshold} %"
