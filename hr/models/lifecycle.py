"""Hire, transfer and terminate: onboarding and offboarding checklists, the history of
transfers with their effective dates, and the record of a termination.

Checklist items are copied from ``hr.registry.checklist_items(kind)`` when the checklist is made:
the title is kept as its English source text (shown translated), so a checklist reads the same
after an app renames or drops an item.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel


class Checklist(TimeStampedModel):
    class Kind(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        OFFBOARDING = "offboarding", _("Offboarding")

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="checklists",
        verbose_name=_("employee"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Set when the last item is ticked, cleared when one is unticked: lists of open checklists
    # filter on it without counting items.
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(fields=["employee", "kind"], name="checklist_unique_kind"),
        ]
        indexes = [models.Index(fields=["completed_at", "kind"], name="checklist_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.employee}"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", verbose_name=_("checklist")
    )
    key = models.CharField(_("key"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    owner = models.CharField(_("responsible role"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "key"], name="checklist_item_unique_key"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class EmploymentChange(models.Model):
    """A transfer: from ``valid_from`` on the employee works in the new department, position
    and under the new manager. Applied at once when the day has come, otherwise by the daily
    task (``applied_at`` says when)."""

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="employment_changes",
        verbose_name=_("employee"),
    )
    valid_from = models.DateField(_("effective from"))
    old_department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("old department"),
    )
    new_department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("new department"),
    )
    old_position = models.ForeignKey(
        "hr.Position",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("old position"),
    )
    new_position = models.ForeignKey(
        "hr.Position",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new position"),
    )
    old_manager = models.ForeignKey(
        "hr.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("old manager"),
    )
    new_manager = models.ForeignKey(
        "hr.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new manager"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-valid_from", "-pk"]
        permissions = [
            (
                "manage_employment",
                _("Can hire, transfer and terminate employees of every department"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["valid_from"],
                condition=models.Q(applied_at__isnull=True),
                name="employment_change_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} → {self.new_department} ({self.valid_from})"


class Termination(models.Model):
    class Reason(models.TextChoices):
        RESIGNATION = "resignation", _("Resignation")
        DISMISSAL = "dismissal", _("Dismissal by the employer")
        MUTUAL = "mutual", _("Mutual agreement")
        FIXED_TERM_END = "fixed_term_end", _("End of fixed term")
        RETIREMENT = "retirement", _("Retirement")
        OTHER = "other", _("Other")

    employee = models.OneToOneField(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="termination",
        verbose_name=_("employee"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    notice_given_on = models.DateField(_("notice given on"))
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("termination")
        verbose_name_plural = _("terminations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("notice_given_on")),
                name="termination_last_day_after_notice",
                violation_error_message=_("The last day lies before the notice was given."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee}: {self.last_day}"
