from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field


class Payment(TimeStampedModel):
    """Money the company pays (outgoing) or receives (incoming). A second person approves it;
    approval posts it: bank against payables (outgoing) or receivables (incoming)."""

    class Direction(models.TextChoices):
        OUTGOING = "out", _("Outgoing")
        INCOMING = "in", _("Incoming")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting approval")
        POSTED = "posted", _("Approved and posted")
        CANCELLED = "cancelled", _("Cancelled")

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    counterparty = models.CharField(_("counterparty"), max_length=200)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    amount = money_field(_("amount"))
    due_date = models.DateField(_("due date"))
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    bank_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="bank_payments",
        verbose_name=_("bank account"),
        limit_choices_to={"is_bank": True},
    )
    counter_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="counter_payments",
        verbose_name=_("counter account"),
        help_text=_("Payables for outgoing, receivables for incoming payments."),
    )
    department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("cost center"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        _("source"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Idempotency key of the app that asked for the payment."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    entry = models.OneToOneField(
        "accounting.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
        verbose_name=_("journal entry"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-due_date", "-id"]
        permissions = [("approve_payment", _("Can approve payments (not their own)"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            # Four eyes: whoever created a payment cannot approve it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("created_by")),
                name="payment_four_eyes",
                violation_error_message=_("Whoever created a payment cannot approve it."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="payment_status_idx"),
            models.Index(fields=["counterparty", "amount"], name="payment_dupe_idx"),
            # Suggestions for statement lines look payments up by bank account and amount.
            models.Index(fields=["bank_account", "amount"], name="payment_bank_amount_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.counterparty} {self.amount} ({self.due_date})"
