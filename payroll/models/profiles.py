from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field, rate_field


class PayProfile(TimeStampedModel):
    class PayMethod(models.TextChoices):
        CHEQUE = "cheque", _("Cheque")
        DIRECT_DEPOSIT = "deposit", _("Direct deposit")

    employee = models.OneToOneField(
        "hr.Employee",
        on_delete=models.PROTECT,
        related_name="pay_profile",
        verbose_name=_("employee"),
    )
    schedule = models.ForeignKey(
        "payroll.PaySchedule",
        on_delete=models.PROTECT,
        related_name="profiles",
        verbose_name=_("pay schedule"),
    )
    hourly_rate = rate_field(_("hourly rate"), null=True, blank=True)
    monthly_salary = money_field(_("monthly salary"), null=True, blank=True)
    pay_method = models.CharField(
        _("pay method"),
        max_length=7,
        choices=PayMethod.choices,
        default=PayMethod.DIRECT_DEPOSIT,
    )
    account_holder = models.CharField(_("account holder"), max_length=70, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    church_member = models.BooleanField(_("church tax applies"), default=False)
    deductions_exempt = models.BooleanField(_("exempt from deductions"), default=False)

    class Meta:
        verbose_name = _("pay profile")
        verbose_name_plural = _("pay profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__isnull=False)
                | models.Q(monthly_salary__isnull=False),
                name="payprofile_has_rate_or_salary",
                violation_error_message=_("Give an hourly rate or a monthly salary."),
            ),
            models.CheckConstraint(
                condition=models.Q(hourly_rate__isnull=True) | models.Q(hourly_rate__gt=0),
                name="payprofile_rate_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_salary__isnull=True) | models.Q(monthly_salary__gt=0),
                name="payprofile_salary_positive",
            ),
        ]
        indexes = [models.Index(fields=["schedule"], name="payprofile_schedule_idx")]

    def __str__(self) -> str:
        return f"{self.employee}"


class BankDetailsChange(models.Model):
    """Every change of an employee's bank details, with who changed it and when."""

    profile = models.ForeignKey(
        PayProfile,
        on_delete=models.PROTECT,
        related_name="bank_changes",
        verbose_name=_("pay profile"),
    )
    old_iban = models.CharField(_("old IBAN"), max_length=34, blank=True)
    new_iban = models.CharField(_("new IBAN"), max_length=34, blank=True)
    old_bic = models.CharField(_("old BIC"), max_length=11, blank=True)
    new_bic = models.CharField(_("new BIC"), max_length=11, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["profile", "-changed_at"], name="bankchange_profile_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.old_iban} -> {self.new_iban}"
