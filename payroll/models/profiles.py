from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field, rate_field
from payroll.models.approvals import PendingChange

# What decides where pay goes and how much: changed only by a second person's approval.
SENSITIVE_FIELDS = (
    "hourly_rate",
    "monthly_salary",
    "pay_method",
    "iban",
    "bic",
    "account_holder",
    "deductions_exempt",
)
# What staff may ask to change in their own profile.
BANK_FIELDS = ("iban", "bic", "account_holder")


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
    # A new profile is paid only once a second person approved it (payroll.selectors).
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

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
        indexes = [
            models.Index(fields=["schedule"], name="payprofile_schedule_idx"),
            # Payday readiness: the few profiles without an IBAN, without reading the others.
            models.Index(
                fields=["schedule"], condition=models.Q(iban=""), name="payprofile_no_iban_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class PayProfileChange(PendingChange):
    """A requested change of a pay profile's sensitive fields (``SENSITIVE_FIELDS``), or the
    approval of a new profile (kind "create": its values are on the profile already, which is
    not paid until approved)."""

    class Kind(models.TextChoices):
        CREATE = "create", _("New profile")
        CHANGE = "change", _("Change")

    profile = models.ForeignKey(
        PayProfile,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("pay profile"),
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.CHANGE)
    via_self_service = models.BooleanField(_("asked by the employee"), default=False)

    class Meta(PendingChange.Meta):
        verbose_name = _("pay profile change")
        verbose_name_plural = _("pay profile changes")
        constraints = [
            *PendingChange.Meta.constraints,
            models.UniqueConstraint(
                fields=["profile"],
                condition=models.Q(status="pending"),
                name="payprofilechange_one_pending",
                violation_error_message=_("This pay profile already has a change waiting."),
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "-requested_at"], name="profilechange_profile_idx"),
            models.Index(
                fields=["decided_at"],
                name="profilechange_approved_idx",
                condition=models.Q(status="approved"),
            ),
        ]
        permissions = [("approve_payprofilechange", _("Can approve changes of pay profiles"))]

    def __str__(self) -> str:
        return f"{self.profile} ({self.get_status_display()})"


class BankDetailsChange(models.Model):
    """Every change of an employee's bank details that took effect: old and new, who asked for
    it, who approved it (``changed_by``) and when. Requests and refusals are the profile's
    ``PayProfileChange`` rows, linked from here when a request was applied."""

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
    # Who made it take effect: the approver of the request (before four eyes, the editor).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    change_request = models.ForeignKey(
        PayProfileChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_detail_changes",
        verbose_name=_("request"),
    )

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["profile", "-changed_at"], name="bankchange_profile_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.old_iban} -> {self.new_iban}"
