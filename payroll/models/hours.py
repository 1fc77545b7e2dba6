from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel


class TimeEntry(TimeStampedModel):
    """Hours an employee worked on one day, entered by a clerk, approved by the head."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("Entered")
        APPROVED = "approved", _("Approved")

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("employee"),
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    start_time = models.TimeField(_("start"), null=True, blank=True)
    end_time = models.TimeField(_("end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ENTERED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
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
    # The payslip that pays these hours, set by the chunk that calculates it. The hours are
    # locked once that payslip's run is approved or paid; hours that no paid payslip holds
    # (recorded late) are paid by the employee's next run, as a correction line. One column:
    # an entry is in one payslip at a time, so no two runs pay it. Deleting a payslip (a run
    # calculated again) frees its hours: the database does that (ON DELETE SET NULL, set by
    # migration 0010, as Django 5.2 cannot declare it), so a chunk spends no query on it.
    payslip = models.ForeignKey(
        "payroll.Payslip",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="time_entries",
        verbose_name=_("paid with payslip"),
    )

    class Meta:
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        permissions = [("approve_timeentry", _("Can approve hours of their department"))]
        ordering = ["date", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="timeentry_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0, hours__lte=24), name="timeentry_hours_range"
            ),
        ]
        indexes = [
            models.Index(fields=["date", "status"], name="timeentry_date_status_idx"),
            # Payday readiness: the hours of a period still waiting for approval, without
            # reading the approved ones (nearly all of them).
            models.Index(
                fields=["date", "employee"],
                condition=~models.Q(status="approved"),
                name="timeentry_unapproved_idx",
            ),
            # The next run's chunk finds approved hours no payslip holds yet (late hours).
            models.Index(
                fields=["employee", "date"],
                condition=models.Q(payslip__isnull=True, status="approved"),
                name="timeentry_unpaid_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date}: {self.hours}"
