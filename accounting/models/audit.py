from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.stored_text import render_stored


class Finding(TimeStampedModel):
    """What an audit check found. Moves open -> acknowledged -> resolved; never deleted
    (a database trigger refuses DELETE)."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    check_code = models.CharField(_("check"), max_length=60)
    key = models.CharField(
        _("key"),
        max_length=200,
        help_text=_("Identifies the evidence, so a finding is raised once."),
    )
    title = models.CharField(_("title"), max_length=300)
    # The title's message id and parameters (backoffice.stored_text): each reader sees it in
    # their language; ``title`` keeps the rendering at the run (the fallback for old rows).
    title_source = models.JSONField(_("title source"), null=True, blank=True, editable=False)
    severity = models.CharField(_("severity"), max_length=6, choices=Severity.choices)
    evidence_url = models.CharField(_("evidence"), max_length=500, blank=True)
    # A later run that finds the same (check, key) again updates this, never adds a finding.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    comment = models.TextField(_("comment"), blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        permissions = [("run_audit", _("Can run audit checks and verify the ledger"))]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["check_code", "key"], name="finding_once"),
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | ~models.Q(comment=""),
                name="finding_resolved_has_comment",
                violation_error_message=_("A resolved finding needs a comment."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="finding_status_idx")]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the active language."""
        return render_stored(self.title_source, self.title)
