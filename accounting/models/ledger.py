"""The chart of accounts, fiscal years and periods, and the journal.

Entries exist only posted: ``accounting.services.journal_entry_post`` is the only way in.
A database trigger refuses UPDATE and DELETE of entries and lines (migration 0002).
"""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field


class Account(TimeStampedModel):
    class Type(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    number = models.CharField(_("account number"), max_length=10, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    group = models.CharField(
        _("account group"),
        max_length=10,
        blank=True,
        help_text=_("Groups accounts for budgets and reports, e.g. 41 for personnel costs."),
    )
    is_bank = models.BooleanField(_("bank account"), default=False)
    # A bank account's IBAN and BIC: the one record of them (payroll's SEPA files pay from
    # here; accounting.services.bank_account_details_set changes them).
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["number"]
        permissions = [
            ("export_account", _("Can export the chart of accounts from the admin")),
            ("import_account", _("Can import accounts into the admin")),
        ]
        indexes = [models.Index(fields=["group"], name="account_group_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def name(self) -> str:
        language = translation.get_language() or "de"
        return self.name_de if language.startswith("de") else self.name_en

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow on the debit side; the others on the credit side."""
        return self.type in (self.Type.ASSET, self.Type.EXPENSE)


class FiscalYear(TimeStampedModel):
    year = models.PositiveIntegerField(_("year"), unique=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    last_number = models.PositiveIntegerField(_("last entry number"), default=0)

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="fy_order"),
        ]

    def __str__(self) -> str:
        return str(self.year)


class Period(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="periods", verbose_name=_("fiscal year")
    )
    month = models.PositiveSmallIntegerField(_("month"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        permissions = [("close_period", _("Can close and reopen periods"))]
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "month"], name="period_unique_month"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="period_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year.year}-{self.month:02d}"


class JournalEntry(models.Model):
    """A posted, balanced booking. Never updated, never deleted: a reversal corrects it."""

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fiscal year")
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="entries", verbose_name=_("period")
    )
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    source = models.CharField(
        _("source"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Idempotency key of the posting app, e.g. payroll.run:42."),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted at"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        permissions = [
            ("reverse_journalentry", _("Can reverse posted entries")),
            ("export_reports", _("Can see and export accounting reports")),
        ]
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="entry_gapless_number"),
        ]
        indexes = [models.Index(fields=["date"], name="entry_date_idx")]

    def __str__(self) -> str:
        return f"{self.date.year}/{self.number}"


class JournalLine(models.Model):
    class Side(models.TextChoices):
        DEBIT = "D", _("Debit")
        CREDIT = "C", _("Credit")

    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="lines", verbose_name=_("entry")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", verbose_name=_("account")
    )
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    amount = money_field(_("amount"))
    department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_lines",
        verbose_name=_("cost center"),
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # Copied from the entry so reports filter and order lines without a join.
    date = models.DateField(_("date"))
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("fiscal year")
    )

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="line_amount_positive"),
            models.CheckConstraint(condition=models.Q(side__in=["D", "C"]), name="line_side_dc"),
        ]
        indexes = [
            models.Index(fields=["account", "date", "id"], name="line_account_date_idx"),
            models.Index(fields=["department", "account"], name="line_department_idx"),
            models.Index(fields=["date", "id"], name="line_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.side} {self.amount}"


class LedgerBalance(models.Model):
    """Running sums per fiscal year, month, account and cost center, kept by the posting
    service in the same transaction. Reports and budget checks read these, not a million lines;
    ``verify_ledger`` checks they equal the lines."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    month = models.PositiveSmallIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    department = models.ForeignKey(
        "hr.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    debit = money_field(default=0)
    credit = money_field(default=0)

    class Meta:
        verbose_name = _("ledger balance")
        verbose_name_plural = _("ledger balances")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "month", "account", "department"],
                name="ledger_balance_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.month:02d}: {self.debit} / {self.credit}"
