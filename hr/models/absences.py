"""Absences: leave requests (vacation, special and unpaid leave), sick days, and HR's extensions
of carried-over vacation.

What an absence costs is worked out once, when it is asked for or recorded (``days``: working
days, half days as 0.5; see ``hr.absence_calculation``). Who may see, approve and record which
absence is decided in ``hr.selectors.absences``.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.stored_text import StoredText, format_date, stored_label


class Absence(TimeStampedModel):
    class Kind(models.TextChoices):
        VACATION = "vacation", _("Vacation")
        SPECIAL_LEAVE = "special_leave", _("Special leave")
        UNPAID_LEAVE = "unpaid_leave", _("Unpaid leave")
        SICK = "sick", _("Sick")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    # What staff may ask for in the portal; sick days are recorded by HR or the head.
    REQUESTABLE = (Kind.VACATION, Kind.SPECIAL_LEAVE, Kind.UNPAID_LEAVE)
    # Requested and approved absences block the days they cover.
    ACTIVE = (Status.REQUESTED, Status.APPROVED)
    # Longest span of one absence (sick days may cross years; leave may not).
    MAX_SPAN_DAYS = 3 * 366

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("employee"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    half_day = models.BooleanField(
        _("half day"), default=False, help_text=_("Only for an absence of a single day.")
    )
    days = models.DecimalField(
        _("working days"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Working days the absence covers; weekends and public holidays not counted."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    certificate_date = models.DateField(
        _("date of the medical certificate"),
        null=True,
        blank=True,
        help_text=_("Only for sick days; empty while there is no certificate."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason given"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start_date", "-pk"]
        permissions = [
            (
                "manage_absences",
                _("Can see, approve, refuse and record the absences of every employee"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="absence_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(half_day=False) | models.Q(end_date=models.F("start_date")),
                name="absence_half_day_single_day",
            ),
            models.CheckConstraint(
                condition=models.Q(certificate_date__isnull=True) | models.Q(kind="sick"),
                name="absence_certificate_only_when_sick",
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=0), name="absence_days_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "start_date"], name="absence_employee_start_idx"),
            models.Index(fields=["start_date", "end_date"], name="absence_dates_idx"),
            models.Index(
                fields=["status", "start_date"],
                name="absence_requested_idx",
                condition=models.Q(status="requested"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.as_text())

    def as_text(self) -> StoredText:
        """The absence for a message stored now and read later (backoffice.stored_text): its
        kind and dates in the reader's language."""
        return StoredText(
            "%(kind)s %(start)s–%(end)s",
            {
                "kind": stored_label(self.Kind(self.kind).label)
                if self.kind in self.Kind.values
                else self.kind,
                "start": self.start_date,
                "end": self.end_date,
            },
        )

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day cannot be before the first day.")
        if (
            self.start_date
            and self.end_date
            and self.start_date.year != self.end_date.year
            and self.kind != self.Kind.SICK
        ):
            errors["end_date"] = _(
                "Leave cannot run into the next year; ask for each year's part separately."
            )
        if (
            self.start_date
            and self.end_date
            and (self.end_date - self.start_date).days > self.MAX_SPAN_DAYS
        ):
            # Beyond the ``days`` field's 9999.9 long before date's limits (a 500 once).
            errors["end_date"] = _(
                "An absence can cover at most three years; record a longer one in parts."
            )
        if self.half_day and self.start_date != self.end_date:
            errors["half_day"] = _("A half day is an absence of a single day.")
        if self.certificate_date and self.kind != self.Kind.SICK:
            errors["certificate_date"] = _("Only sick days have a medical certificate.")
        if errors:
            raise ValidationError(errors)


class CarryOverExtension(TimeStampedModel):
    """HR lets one employee's vacation carried into ``year`` last beyond 31 March."""

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="carry_over_extensions",
        verbose_name=_("employee"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The year the unused days were carried into.")
    )
    expires_on = models.DateField(_("expires on"))
    note = models.CharField(_("reason"), max_length=500, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        verbose_name = _("carry-over extension")
        verbose_name_plural = _("carry-over extensions")
        ordering = ["-year", "employee"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "year"], name="carry_over_extension_once_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.year}: {format_date(self.expires_on)}"

    def clean(self) -> None:
        if self.year and self.expires_on and self.expires_on <= datetime.date(self.year, 3, 31):
            raise ValidationError(
                {"expires_on": _("An extension ends after 31 March of the year.")}
            )
