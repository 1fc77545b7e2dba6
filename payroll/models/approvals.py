"""Four eyes on what decides where pay goes and how much: a change is asked for by one person
and takes effect only when a second person approves it (``payroll.services.profiles`` and
``payroll.services.company_account``). The record keeps both names, the old and the new
values, and the decision."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    """A requested change: ``changes`` maps field names to new values and ``previous`` to the
    values when it was asked for. Decimals are kept as strings (exact), empty values as null,
    yes/no as JSON booleans."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    changes = models.JSONField(_("new values"), default=dict)
    previous = models.JSONField(_("old values"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # Approved or refused by; empty while pending and when the requester withdrew it.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Nobody approves or refuses their own request.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="%(class)s_second_person",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="pending", decided_at__isnull=True, decided_by__isnull=True
                )
                | models.Q(status="withdrawn", decided_at__isnull=False, decided_by__isnull=True)
                | models.Q(
                    status__in=["approved", "refused"],
                    decided_at__isnull=False,
                    decided_by__isnull=False,
                ),
                name="%(class)s_decision_state",
            ),
        ]

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
