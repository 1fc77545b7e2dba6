from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field, rate_field
from payroll.models.approvals import PendingChange

# The account direct deposits are paid from: changed only by a second person's approval.
# The name is a payroll setting; the IBAN and BIC are those of the paying bank account in
# accounting (one record, shown on the bank accounts page), read through accounting.selectors.
COMPANY_ACCOUNT_FIELDS = ("company_name", "company_iban", "company_bic")
COMPANY_BANK_FIELDS = {
    "company_iban": models.CharField(_("company IBAN"), max_length=34, blank=True),
    "company_bic": models.CharField(_("company BIC"), max_length=11, blank=True),
}


def company_account_field(name: str) -> models.Field:
    """The field (label, type) of a company account value: a settings field for the name,
    a standalone one for the bank account's IBAN and BIC."""
    if name in COMPANY_BANK_FIELDS:
        return COMPANY_BANK_FIELDS[name]
    return PayrollSettings._meta.get_field(name)


class PayrollSettings(TimeStampedModel):
    """One row: the rules payday follows. Configurable; not a certified German payroll."""

    overtime_weekly_threshold = rate_field(
        _("overtime after (hours per week)"), default=Decimal("40")
    )
    overtime_premium = rate_field(
        _("overtime premium (share of the rate)"), default=Decimal("0.25")
    )
    minimum_wage = rate_field(_("minimum wage per hour"), default=Decimal("13.90"))
    second_approver_required = models.BooleanField(_("approval by a second person"), default=True)
    large_change_percent = rate_field(_("flag net pay changes above (%)"), default=Decimal("20"))
    # Hourly staff's vacation, special leave and sick days (hr absences) are paid at the
    # average of the hours approved in these weeks before the period (§11 BUrlG, §4 EFZG: a
    # simplification, see payroll.calculation); 0 pays them nothing.
    absence_pay_reference_weeks = models.PositiveSmallIntegerField(
        _("weeks averaged for hourly absence pay"),
        default=13,
        help_text=_(
            "Vacation and sick days of hourly staff are paid at the hours approved in these "
            "weeks before the period, averaged per working day, at the hourly rate (overtime "
            "premium left out). 0: no absence pay for hourly staff."
        ),
    )
    wage_expense_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("wage expense account"),
        null=True,
        blank=True,
    )
    salary_expense_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("salary expense account"),
        null=True,
        blank=True,
    )
    net_pay_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("net pay liability account"),
        null=True,
        blank=True,
    )
    bank_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paying bank account"),
        null=True,
        blank=True,
    )
    # The paying account (COMPANY_ACCOUNT_FIELDS) holds approved values only; a change waits
    # as a CompanyAccountChange until a second person approves it.
    company_name = models.CharField(_("company name"), max_length=70, default="Backoffice GmbH")
    # The employer's address printed on payslips and cheques (not part of the paying account).
    company_street = models.CharField(_("company street and number"), max_length=70, blank=True)
    company_postal_code = models.CharField(_("company postal code"), max_length=10, blank=True)
    company_city = models.CharField(_("company city"), max_length=70, blank=True)
    # A language code of settings.LANGUAGES (the admin form offers them); blank: the site's.
    document_language = models.CharField(
        _("language of payslips and cheques"),
        max_length=8,
        blank=True,
        help_text=_("For employees without a login or who never chose a language."),
    )

    class Meta:
        verbose_name = _("payroll settings")
        verbose_name_plural = _("payroll settings")

    def __str__(self) -> str:
        return str(_("Payroll settings"))

    def _bank_details(self):
        from accounting.selectors import bank_account_details

        return bank_account_details(account_id=self.bank_account_id)

    def _company_iban(self) -> str:
        """The IBAN of the paying bank account, as accounting records it."""
        details = self._bank_details()
        return details.iban if details else ""

    def _company_bic(self) -> str:
        details = self._bank_details()
        return details.bic if details else ""

    # Labelled like fields where the admin shows them read-only.
    _company_iban.short_description = COMPANY_BANK_FIELDS["company_iban"].verbose_name
    _company_bic.short_description = COMPANY_BANK_FIELDS["company_bic"].verbose_name
    company_iban = property(_company_iban)
    company_bic = property(_company_bic)


class CompanyAccountChange(PendingChange):
    """A requested change of the company's paying account (name, IBAN, BIC) in the payroll
    settings; at most one waits at a time."""

    class Meta(PendingChange.Meta):
        verbose_name = _("company account change")
        verbose_name_plural = _("company account changes")
        constraints = [
            *PendingChange.Meta.constraints,
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="pending"),
                name="companyaccountchange_one_pending",
                violation_error_message=_("A change of the company account is waiting already."),
            ),
        ]
        permissions = [
            ("approve_companyaccountchange", _("Can approve changes of the company bank account"))
        ]

    def __str__(self) -> str:
        return f"{_('Company account')} ({self.get_status_display()})"


class DeductionRule(TimeStampedModel):
    """A configurable deduction: a percentage or a fixed amount, with an employee and an
    employer share and an optional monthly or annual ceiling on the base."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage of gross pay")
        FIXED = "fixed", _("Fixed amount")

    class AppliesTo(models.TextChoices):
        ALL = "all", _("All employees")
        CHURCH = "church", _("Church members only")

    class Category(models.TextChoices):
        TAX = "tax", _("Tax (wage tax, solidarity surcharge, church tax)")
        SOCIAL = "social", _("Social insurance")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices)
    employee_rate = rate_field(_("employee share (%)"), default=Decimal("0"))
    employer_rate = rate_field(_("employer share (%)"), default=Decimal("0"))
    employee_amount = money_field(_("employee amount"), default=Decimal("0"))
    employer_amount = money_field(_("employer amount"), default=Decimal("0"))
    monthly_ceiling = money_field(_("monthly ceiling on the base"), null=True, blank=True)
    annual_ceiling = money_field(_("annual ceiling on the base"), null=True, blank=True)
    # Applied to the employee's share of another rule (e.g. church tax on wage tax), if set.
    base_rule = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("percentage of the rule"),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=6, choices=AppliesTo.choices, default=AppliesTo.ALL
    )
    # Which year-to-date total on the payslip the employee's share counts towards.
    category = models.CharField(
        _("category"), max_length=6, choices=Category.choices, default=Category.OTHER
    )
    liability_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("liability account"),
    )
    employer_expense_account = models.ForeignKey(
        "accounting.Account",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer expense account"),
        null=True,
        blank=True,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("deduction rule")
        verbose_name_plural = _("deduction rules")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name
