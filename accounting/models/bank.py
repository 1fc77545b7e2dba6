from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field


class BankStatement(TimeStampedModel):
    """A statement the bank delivered (CSV or camt.053), to be balanced against the ledger."""

    bank_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("bank account"),
        limit_choices_to={"is_bank": True},
    )
    reference = models.CharField(_("statement reference"), max_length=100)
    date = models.DateField(_("statement date"))
    opening_balance = money_field(_("opening balance"))
    closing_balance = money_field(_("closing balance"))
    file_format = models.CharField(_("format"), max_length=10)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reconciled by"),
    )

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_account", "reference"], name="statement_unique_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.date})"


class BankStatementLine(models.Model):
    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("Unmatched")
        MATCHED = "matched", _("Matched to a payment")
        BOOKED = "booked", _("Booked")

    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    booking_date = models.DateField(_("booking date"))
    # Signed: positive is money in, negative is money out.
    amount = money_field(_("amount"))
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UNMATCHED
    )
    payment = models.OneToOneField(
        "accounting.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_line",
        verbose_name=_("payment"),
    )
    entry = models.OneToOneField(
        "accounting.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_line",
        verbose_name=_("journal entry"),
    )

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booking_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="statement_line_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} {self.amount} {self.counterparty}"
