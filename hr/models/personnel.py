"""The personnel file: what HR keeps about an employee beyond the directory entry.

One row per employee (``Employee.personnel_file``). Personal data (address, birth date),
tax and social-insurance data, the contract in force and the emergency contact. Who may read
which part is decided in ``hr.selectors.personnel``; every read is logged there.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backoffice.models import TimeStampedModel
from hr.personnel_validators import (
    social_insurance_birth_date_part,
    social_insurance_number_compact,
    tax_id_compact,
    validate_social_insurance_number,
    validate_tax_id,
)


class PersonnelFile(TimeStampedModel):
    class TaxClass(models.IntegerChoices):
        I = 1, "I"  # noqa: E741 - the German tax classes are Roman numerals
        II = 2, "II"
        III = 3, "III"
        IV = 4, "IV"
        V = 5, "V"
        VI = 6, "VI"

    class ContractType(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        FIXED_TERM = "fixed_term", _("Fixed term")
        MINI_JOB = "mini_job", _("Mini job")
        TRAINEE = "trainee", _("Apprenticeship")
        WORKING_STUDENT = "working_student", _("Working student")

    employee = models.OneToOneField(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="personnel_file",
        verbose_name=_("employee"),
    )
    # Personal
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # Tax and social insurance
    tax_id = models.CharField(
        _("tax ID"),
        max_length=11,
        blank=True,
        validators=[validate_tax_id],
        help_text=_("The Steuer-ID: 11 digits."),
    )
    social_insurance_number = models.CharField(
        _("social insurance number"),
        max_length=12,
        blank=True,
        validators=[validate_social_insurance_number],
        help_text=_("The Rentenversicherungsnummer: 12 characters, e.g. 65170839J003."),
    )
    tax_class = models.PositiveSmallIntegerField(
        _("tax class"), choices=TaxClass.choices, null=True, blank=True
    )
    church_tax = models.BooleanField(_("church tax"), default=False)
    # Contract
    contract_type = models.CharField(
        _("contract type"),
        max_length=20,
        choices=ContractType.choices,
        default=ContractType.PERMANENT,
    )
    weekly_hours = models.DecimalField(
        _("weekly hours"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    probation_end = models.DateField(_("end of probation"), null=True, blank=True)
    fixed_term_end = models.DateField(_("end of fixed term"), null=True, blank=True)
    notice_period = models.CharField(
        _("notice period"),
        max_length=100,
        blank=True,
        help_text=_("As the contract says, e.g. “4 weeks to the 15th or the end of a month”."),
    )
    vacation_days_per_year = models.PositiveSmallIntegerField(
        _("vacation days per year"), default=30
    )
    # Emergency contact
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=40, blank=True
    )
    emergency_contact_relation = models.CharField(
        _("relation to the employee"), max_length=100, blank=True
    )

    # Who changed which field when, old and new value (django-simple-history); shown to HR
    # managers on the file page (hr.selectors.personnel_file.personnel_file_history).
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("personnel file")
        verbose_name_plural = _("personnel files")
        permissions = [
            ("view_personnelfile_access_log", _("Can read who looked at personnel files")),
            (
                "decide_personnelchangerequest",
                _("Can approve or refuse employees' requests to change their file"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fixed_term_end__isnull=True)
                | models.Q(contract_type="fixed_term"),
                name="personnel_file_fixed_term_end_only_for_fixed_term",
            ),
            models.CheckConstraint(
                condition=models.Q(vacation_days_per_year__lte=366),
                name="personnel_file_vacation_days_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["probation_end"], name="personnel_file_probation_idx"),
            models.Index(fields=["fixed_term_end"], name="personnel_file_fixed_term_idx"),
        ]

    # Fields a staff member may ask to change on their own file (hr.services.personnel_file).
    ADDRESS_FIELDS = ("street", "postal_code", "city", "country")
    EMERGENCY_CONTACT_FIELDS = (
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relation",
    )
    # What a department head never sees of their people's files.
    TAX_FIELDS = ("tax_id", "social_insurance_number", "tax_class", "church_tax")

    def clean(self) -> None:
        if self.fixed_term_end and self.contract_type != self.ContractType.FIXED_TERM:
            # In words, before the check constraint below answers with its name.
            raise ValidationError(
                {"fixed_term_end": _("Only a fixed-term contract has an end of fixed term.")}
            )
        self.tax_id = tax_id_compact(self.tax_id)
        self.social_insurance_number = social_insurance_number_compact(self.social_insurance_number)
        if (
            self.social_insurance_number
            and self.birth_date
            and len(self.social_insurance_number) == 12
            and self.social_insurance_number[2:8]
            != social_insurance_birth_date_part(self.birth_date)
        ):
            raise ValidationError(
                {
                    "social_insurance_number": _(
                        "The social insurance number's digits 3 to 8 must be the date of birth "
                        "(DDMMYY) of the personnel file."
                    )
                }
            )

    def __str__(self) -> str:
        return str(_("Personnel file of %(employee)s") % {"employee": self.employee})
