"""Pay profiles: rate or salary, pay method, bank details. Every change of bank details is kept
(``BankDetailsChange``) with who made it and when; nothing changes them except these services.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

from hr.models import Employee
from payroll.models import BankDetailsChange, PayProfile, PaySchedule
from payroll.services.schedules import default_schedule


@dataclass(frozen=True)
class BankDetails:
    iban: str
    bic: str
    account_holder: str


def _compact(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _iban_error(exc: Exception, value: str) -> str:
    if isinstance(exc, schwifty_errors.InvalidChecksumDigits):
        return _("“%(value)s” is not a valid IBAN: the check digits are wrong.") % {"value": value}
    if isinstance(exc, schwifty_errors.InvalidLength):
        return _("“%(value)s” is not a valid IBAN: the length is wrong for its country.") % {
            "value": value
        }
    if isinstance(exc, schwifty_errors.InvalidCountryCode):
        return _("“%(value)s” is not a valid IBAN: unknown country code.") % {"value": value}
    return _("“%(value)s” is not a valid IBAN.") % {"value": value}


def bank_details_clean(
    *, iban: str | None, bic: str | None, account_holder: str | None = "", pay_method: str = ""
) -> BankDetails:
    """Validate and normalise bank details (no spaces, upper case). A missing BIC is taken from
    the IBAN's bank where the bank registry knows it. Raises ValidationError keyed by field."""
    iban_text, bic_text = _compact(iban), _compact(bic)
    holder = " ".join((account_holder or "").split())
    errors: dict[str, list[str]] = {}
    parsed = None
    if iban_text:
        try:
            parsed = IBAN(iban_text)
        except schwifty_errors.SchwiftyException as exc:
            errors.setdefault("iban", []).append(_iban_error(exc, iban_text))
    elif pay_method == PayProfile.PayMethod.DIRECT_DEPOSIT:
        errors.setdefault("iban", []).append(_("Direct deposit needs an IBAN."))
    if bic_text:
        try:
            BIC(bic_text)
        except schwifty_errors.SchwiftyException:
            errors.setdefault("bic", []).append(
                _("“%(value)s” is not a valid BIC.") % {"value": bic_text}
            )
    elif parsed is not None:
        try:
            derived = parsed.bic
        except schwifty_errors.SchwiftyException:
            derived = None
        bic_text = derived.compact if derived is not None else ""
    if bic_text and not iban_text:
        errors.setdefault("iban", []).append(_("A BIC needs an IBAN."))
    if len(holder) > PayProfile._meta.get_field("account_holder").max_length:
        errors.setdefault("account_holder", []).append(
            _("The account holder is longer than 70 characters.")
        )
    if errors:
        raise ValidationError(errors)
    return BankDetails(iban=iban_text, bic=bic_text, account_holder=holder)


def pay_terms_clean(
    *, hourly_rate: Decimal | None, monthly_salary: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """Exactly one of an hourly rate and a monthly salary, greater than zero."""
    if hourly_rate is not None and monthly_salary is not None:
        raise ValidationError(
            {"monthly_salary": _("Give an hourly rate or a monthly salary, not both.")}
        )
    if hourly_rate is None and monthly_salary is None:
        raise ValidationError({"hourly_rate": _("Give an hourly rate or a monthly salary.")})
    if hourly_rate is not None and hourly_rate <= 0:
        raise ValidationError({"hourly_rate": _("The hourly rate must be greater than zero.")})
    if monthly_salary is not None and monthly_salary <= 0:
        raise ValidationError(
            {"monthly_salary": _("The monthly salary must be greater than zero.")}
        )
    return hourly_rate, monthly_salary


@transaction.atomic
def pay_profile_create(
    *,
    employee: Employee,
    schedule: PaySchedule | None = None,
    hourly_rate: Decimal | None = None,
    monthly_salary: Decimal | None = None,
    pay_method: str = PayProfile.PayMethod.DIRECT_DEPOSIT,
    iban: str = "",
    bic: str = "",
    account_holder: str = "",
    church_member: bool = False,
    deductions_exempt: bool = False,
    user=None,
) -> PayProfile:
    """A new pay profile. Its first bank details are recorded as a change from nothing."""
    hourly_rate, monthly_salary = pay_terms_clean(
        hourly_rate=hourly_rate, monthly_salary=monthly_salary
    )
    bank = bank_details_clean(
        iban=iban, bic=bic, account_holder=account_holder, pay_method=pay_method
    )
    if PayProfile.objects.filter(employee=employee).exists():
        raise ValidationError({"employee": _("This employee already has a pay profile.")})
    profile = PayProfile(
        employee=employee,
        schedule=schedule or default_schedule(),
        hourly_rate=hourly_rate,
        monthly_salary=monthly_salary,
        pay_method=pay_method,
        iban=bank.iban,
        bic=bank.bic,
        account_holder=bank.account_holder,
        church_member=church_member,
        deductions_exempt=deductions_exempt,
    )
    profile.full_clean()
    profile.save()
    if bank.iban or bank.bic:
        BankDetailsChange.objects.create(
            profile=profile, new_iban=bank.iban, new_bic=bank.bic, changed_by=user
        )
    return profile


def _set_bank_details(profile: PayProfile, bank: BankDetails, user) -> list[str]:
    """Apply normalised details to a locked profile; record the change. Returns the fields
    changed (for ``update_fields``)."""
    changed = []
    if (profile.iban, profile.bic) != (bank.iban, bank.bic):
        BankDetailsChange.objects.create(
            profile=profile,
            old_iban=profile.iban,
            new_iban=bank.iban,
            old_bic=profile.bic,
            new_bic=bank.bic,
            changed_by=user,
        )
        profile.iban, profile.bic = bank.iban, bank.bic
        changed += ["iban", "bic"]
    if profile.account_holder != bank.account_holder:
        profile.account_holder = bank.account_holder
        changed.append("account_holder")
    return changed


@transaction.atomic
def pay_profile_set_bank_details(
    *, profile: PayProfile, iban: str, bic: str, account_holder: str, user
) -> PayProfile:
    """Change bank details under a row lock. A real change of IBAN or BIC leaves a history row
    (old and new, who, when); saving the same details again records nothing."""
    profile = PayProfile.objects.select_for_update().get(pk=profile.pk)
    bank = bank_details_clean(
        iban=iban, bic=bic, account_holder=account_holder, pay_method=profile.pay_method
    )
    changed = _set_bank_details(profile, bank, user)
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    return profile


@transaction.atomic
def pay_profile_update(
    *,
    profile: PayProfile,
    schedule: PaySchedule,
    hourly_rate: Decimal | None,
    monthly_salary: Decimal | None,
    pay_method: str,
    iban: str,
    bic: str,
    account_holder: str,
    church_member: bool,
    deductions_exempt: bool,
    user,
) -> PayProfile:
    """Change a whole profile (the admin form): pay terms saved as given, bank details through
    the same rule as ``pay_profile_set_bank_details`` so their history is always kept."""
    profile = PayProfile.objects.select_for_update().get(pk=profile.pk)
    hourly_rate, monthly_salary = pay_terms_clean(
        hourly_rate=hourly_rate, monthly_salary=monthly_salary
    )
    bank = bank_details_clean(
        iban=iban, bic=bic, account_holder=account_holder, pay_method=pay_method
    )
    changed = []
    for name, value in (
        ("schedule", schedule),
        ("hourly_rate", hourly_rate),
        ("monthly_salary", monthly_salary),
        ("pay_method", pay_method),
        ("church_member", church_member),
        ("deductions_exempt", deductions_exempt),
    ):
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    changed += _set_bank_details(profile, bank, user)
    if changed:
        profile.full_clean()
        profile.save(update_fields=[*changed, "updated_at"])
    return profile
