from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.stored_text import StoredText


class PaySchedule(TimeStampedModel):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIWEEKLY = "biweekly", _("Every two weeks")

    class HoursTiming(models.TextChoices):
        SAME = "same", _("With the same period")
        PREVIOUS = "previous", _("With the next period (hours of month M paid with month M+1)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    # Monthly: the day of the month pay is due (capped at the month's last day).
    payday_day = models.PositiveSmallIntegerField(_("payday (day of month)"), default=28)
    # Biweekly: a first period start; periods follow every 14 days, paid 3 days after the end.
    anchor_date = models.DateField(_("first period start"), null=True, blank=True)
    is_default = models.BooleanField(_("default schedule"), default=False)

    # Variable pay (hours, overtime) is paid with its own period, or one period later (the
    # "Vormonatsprinzip" of German payroll: the hours of a month are complete when it is paid).
    hours_timing = models.CharField(
        _("hours paid"),
        max_length=8,
        choices=HoursTiming.choices,
        default=HoursTiming.SAME,
        help_text=_(
            "When hours and overtime are paid: with the period they were worked in, or with "
            "the period after it."
        ),
    )

    class Meta:
        verbose_name = _("pay schedule")
        verbose_name_plural = _("pay schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="payschedule_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(payday_day__gte=1, payday_day__lte=31),
                name="payschedule_payday_day",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.frequency == self.Frequency.BIWEEKLY and self.anchor_date is None:
            raise ValidationError(
                {"anchor_date": _("A biweekly schedule needs the start of its first period.")}
            )


class PayPeriod(TimeStampedModel):
    schedule = models.ForeignKey(
        PaySchedule, on_delete=models.PROTECT, related_name="periods", verbose_name=_("schedule")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    payday = models.DateField(_("payday"))

    class Meta:
        verbose_name = _("pay period")
        verbose_name_plural = _("pay periods")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start"], name="payperiod_unique_start"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="payperiod_order"
            ),
        ]

    def __str__(self) -> str:
        return str(self.as_text())

    def as_text(self) -> StoredText:
        """The period for a message stored now and read later: its dates are written as the
        reader's language writes them (backoffice.stored_text)."""
        return StoredText(
            "%(schedule)s: %(start)s–%(end)s",
            {"schedule": self.schedule.name, "start": self.start, "end": self.end},
        )
