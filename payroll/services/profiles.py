"""Pay profiles: rate or salary, pay method, bank details.

Four eyes: what decides where pay goes and how much (``SENSITIVE_FIELDS``: IBAN, BIC, account
holder, pay method, salary, hourly rate, exemption from deductions) changes only through a
``PayProfileChange`` that one person asks for and a second person with
``payroll.approve_payprofilechange`` approves; until then the profile keeps its approved values
and payday pays those. A new profile is paid only once approved. Nobody changes, asks for a
change of, or approves their own profile; staff may ask for new bank details of their own
(self-service), which payroll approves like any other. Every applied IBAN or BIC change is a
``BankDetailsChange`` (old and new, who asked, who approved, when).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

from backoffice.services import notify
from backoffice.stored_text import stored, stored_label
from hr.models import Employee
from payroll.models import BankDetailsChange, PayProfile, PayProfileChange, PaySchedule
from payroll.models.profiles import BANK_FIELDS, SENSITIVE_FIELDS
from payroll.services.approvals import (
    approvers,
    decision_check,
    decision_record,
    note_clean,
    user_name,
    value_from_json,
    value_to_json,
    when,
    withdrawal_record,
)
from payroll.services.schedules import default_schedule

APPROVE_PERMISSION = "payroll.approve_payprofilechange"


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


# --- Four eyes -----------------------------------------------------------------------------------


def _field(name: str):
    return PayProfile._meta.get_field(name)


def _snapshot(profile: PayProfile, names) -> dict:
    return {name: value_to_json(_field(name), getattr(profile, name)) for name in names}


def field_labels(names) -> str:
    """``IBAN, monthly salary``: the fields of a change, in the profile's order."""
    return ", ".join(str(_field(n).verbose_name) for n in SENSITIVE_FIELDS if n in names)


def field_label_texts(names) -> list:
    """The fields of a change for a stored message: translated for each reader."""
    return [stored_label(_field(n).verbose_name) for n in SENSITIVE_FIELDS if n in names]


def profile_is_own(*, profile: PayProfile, user) -> bool:
    """Is this the user's own pay profile (the employee record linked to their login)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return profile.employee.user_id is not None and profile.employee.user_id == user.pk


def _own_refusal() -> ValidationError:
    return ValidationError(
        _(
            "This is your own pay profile: a second person changes and approves it. New bank "
            "details of your own you can ask for on the page “My bank details”."
        )
    )


def pay_profile_change_pending(*, profile: PayProfile) -> PayProfileChange | None:
    return (
        PayProfileChange.objects.filter(profile=profile, status=PayProfileChange.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def _refuse_if_pending(profile: PayProfile) -> None:
    pending = pay_profile_change_pending(profile=profile)
    if pending is not None:
        raise ValidationError(
            _(
                "A change of this pay profile asked for by %(user)s on %(when)s waits for "
                "approval. Wait for the decision, or withdraw that request (only who asked "
                "can) and ask again."
            )
            % {"user": user_name(pending.requested_by), "when": when(pending.requested_at)}
        )


def _clean_values(profile: PayProfile, fields: dict) -> dict:
    """The profile's sensitive values with ``fields`` applied, checked and normalised as a
    whole (pay terms, bank details, the model's limits). Raises ValidationError by field."""
    values = {name: getattr(profile, name) for name in SENSITIVE_FIELDS}
    values.update(fields)
    if values["pay_method"] not in PayProfile.PayMethod.values:
        raise ValidationError({"pay_method": _("Choose a pay method.")})
    hourly_rate, monthly_salary = pay_terms_clean(
        hourly_rate=values["hourly_rate"], monthly_salary=values["monthly_salary"]
    )
    bank = bank_details_clean(
        iban=values["iban"],
        bic=values["bic"],
        account_holder=values["account_holder"],
        pay_method=values["pay_method"],
    )
    values.update(
        hourly_rate=hourly_rate,
        monthly_salary=monthly_salary,
        iban=bank.iban,
        bic=bank.bic,
        account_holder=bank.account_holder,
        deductions_exempt=bool(values["deductions_exempt"]),
    )
    candidate = copy.copy(profile)
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["employee", "schedule", "approved_by"])
    return values


def _diff(profile: PayProfile, values: dict) -> list[str]:
    return [name for name in SENSITIVE_FIELDS if getattr(profile, name) != values[name]]


def _request_link(change: PayProfileChange) -> str:
    return reverse("admin:payroll_payprofile_change", args=[change.profile_id])


def _approvers_notify(change: PayProfileChange, profile: PayProfile) -> None:
    """Tell the people who may approve (not the requester, not the profile's employee)."""
    users = approvers(
        codename="approve_payprofilechange",
        exclude=[change.requested_by_id, profile.employee.user_id],
    )
    if not users:
        return
    if change.kind == PayProfileChange.Kind.CREATE:
        message = gettext_noop("The new pay profile of %(employee)s waits for your approval")
    else:
        message = gettext_noop("A change of %(employee)s's pay profile waits for your approval")
    subject = stored(message, employee=str(profile.employee))
    body = stored(
        gettext_noop("Asked for by %(user)s: %(fields)s."),
        user=user_name(change.requested_by),
        fields=field_label_texts(change.changes),
    )
    notify(users=users, subject=subject, body=body, link=_request_link(change))


def _requester_notify(change: PayProfileChange, profile: PayProfile) -> None:
    """Tell the requester the decision; when bank details or pay changed, also the employee
    (an unexpected change of their account is how they notice fraud)."""
    employee = str(profile.employee)
    link = reverse("payroll:my_bank_details") if change.via_self_service else _request_link(change)
    if change.status == PayProfileChange.Status.APPROVED:
        subject = stored(
            gettext_noop("Your change of %(employee)s's pay profile was approved"),
            employee=employee,
        )
        body = stored(
            gettext_noop("Approved by %(user)s: %(fields)s."),
            user=user_name(change.decided_by),
            fields=field_label_texts(change.changes),
        )
    else:
        subject = stored(
            gettext_noop("Your change of %(employee)s's pay profile was refused"),
            employee=employee,
        )
        body = stored(
            gettext_noop("Refused by %(user)s: %(reason)s"),
            user=user_name(change.decided_by),
            reason=change.decision_note,
        )
    notify(users=[change.requested_by], subject=subject, body=body, link=link)
    subject_user = profile.employee.user
    if (
        change.status == PayProfileChange.Status.APPROVED
        and change.kind == PayProfileChange.Kind.CHANGE
        and subject_user is not None
        and subject_user.pk != change.requested_by_id
    ):
        notify(
            users=[subject_user],
            subject=stored(
                gettext_noop("Your pay profile was changed: %(fields)s"),
                fields=field_label_texts(change.changes),
            ),
            body=stored(gettext_noop("If you did not expect this, tell payroll at once.")),
            link=reverse("payroll:my_bank_details"),
        )


@transaction.atomic
def pay_profile_create(
    *,
    employee: Employee,
    user,
    schedule: PaySchedule | None = None,
    hourly_rate: Decimal | None = None,
    monthly_salary: Decimal | None = None,
    pay_method: str = PayProfile.PayMethod.DIRECT_DEPOSIT,
    iban: str = "",
    bic: str = "",
    account_holder: str = "",
    church_member: bool = False,
    deductions_exempt: bool = False,
) -> PayProfile:
    """A new pay profile with its values, not paid until a second person approves it (a
    waiting ``PayProfileChange`` of kind "create"). Nobody creates their own."""
    if not user.has_perm("payroll.add_payprofile"):
        raise PermissionDenied(_("You may not create pay profiles."))
    if employee.user_id is not None and employee.user_id == user.pk:
        raise ValidationError({"employee": _own_refusal().messages})
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
    change = PayProfileChange(
        profile=profile,
        kind=PayProfileChange.Kind.CREATE,
        changes=_snapshot(profile, SENSITIVE_FIELDS),
        requested_by=user,
    )
    change.full_clean()
    change.save()
    _approvers_notify(change, profile)
    return profile


@transaction.atomic
def pay_profile_update(
    *, profile: PayProfile, user, schedule: PaySchedule, church_member: bool
) -> PayProfile:
    """Change what does not need a second person (pay schedule, church tax), at once; never on
    one's own profile."""
    if not user.has_perm("payroll.change_payprofile"):
        raise PermissionDenied(_("You may not change pay profiles."))
    profile = PayProfile.objects.select_for_update().select_related("employee").get(pk=profile.pk)
    if profile_is_own(profile=profile, user=user):
        raise _own_refusal()
    changed = []
    for name, value in (("schedule", schedule), ("church_member", church_member)):
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    if changed:
        profile.full_clean()
        profile.save(update_fields=[*changed, "updated_at"])
    return profile


@transaction.atomic
def pay_profile_change_request(
    *, profile: PayProfile, user, via_self_service: bool = False, **fields
) -> PayProfileChange:
    """Ask for a change of sensitive fields (any of ``SENSITIVE_FIELDS``; those not given keep
    their values). The profile keeps its values until a second person approves; the people who
    may approve are told. Refused: one's own profile (except one's own bank details through
    self-service), a profile with a change waiting already, and a request that changes nothing.

    A profile not yet approved is not paid: its values change at once and the whole profile
    waits for approval again (kind "create")."""
    unknown = set(fields) - set(SENSITIVE_FIELDS)
    if unknown:
        raise TypeError(f"not a field that needs approval: {', '.join(sorted(unknown))}")
    profile = PayProfile.objects.select_for_update().select_related("employee").get(pk=profile.pk)
    own = profile_is_own(profile=profile, user=user)
    if via_self_service:
        if not own:
            raise PermissionDenied(_("Only the employee asks for their own new bank details."))
        if set(fields) - set(BANK_FIELDS):
            raise ValidationError(_("From your profile you may ask only for new bank details."))
        if not profile.is_approved:
            raise ValidationError(
                _("Your pay profile is still being set up; ask payroll to correct it.")
            )
    else:
        if not user.has_perm("payroll.change_payprofile"):
            raise PermissionDenied(_("You may not change pay profiles."))
        if own:
            raise _own_refusal()
    _refuse_if_pending(profile)
    values = _clean_values(profile, fields)
    changed = _diff(profile, values)
    if profile.is_approved:
        if not changed:
            raise ValidationError(_("Nothing changes: the profile has these values already."))
        change = PayProfileChange(
            profile=profile,
            kind=PayProfileChange.Kind.CHANGE,
            changes={name: value_to_json(_field(name), values[name]) for name in changed},
            previous=_snapshot(profile, changed),
        )
    else:
        for name in changed:
            setattr(profile, name, values[name])
        if changed:
            profile.save(update_fields=[*changed, "updated_at"])
        change = PayProfileChange(
            profile=profile,
            kind=PayProfileChange.Kind.CREATE,
            changes=_snapshot(profile, SENSITIVE_FIELDS),
        )
    change.requested_by = user
    change.via_self_service = via_self_service
    change.full_clean()
    change.save()
    _approvers_notify(change, profile)
    return change


@transaction.atomic
def pay_profile_save(
    *, profile: PayProfile, user, schedule: PaySchedule, church_member: bool, **fields
) -> PayProfileChange | None:
    """The admin's whole-profile save: schedule and church tax at once, sensitive fields as a
    request for approval (returned; None when they did not change). All or nothing."""
    profile = pay_profile_update(
        profile=profile, user=user, schedule=schedule, church_member=church_member
    )
    values = _clean_values(profile, fields)
    unchanged = not _diff(profile, values)
    # A profile not yet approved and not waiting is sent for approval again by any save.
    if unchanged and (
        profile.is_approved or pay_profile_change_pending(profile=profile) is not None
    ):
        return None
    return pay_profile_change_request(profile=profile, user=user, **fields)


def _refuse_if_stale(profile: PayProfile, expected: dict) -> None:
    """The profile must still hold the values the request was made against."""
    if _snapshot(profile, expected) != expected:
        raise ValidationError(
            _(
                "The pay profile has changed since this change was asked for; refuse it and "
                "ask again."
            )
        )


def _locked(change: PayProfileChange) -> tuple[PayProfile, PayProfileChange]:
    """Lock the profile, then the change (the order every writer here follows)."""
    profile_id = PayProfileChange.objects.values_list("profile_id", flat=True).get(pk=change.pk)
    profile = PayProfile.objects.select_for_update().select_related("employee").get(pk=profile_id)
    change = (
        PayProfileChange.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .get(pk=change.pk)
    )
    return profile, change


def _decision_check(profile: PayProfile, change: PayProfileChange, user) -> None:
    decision_check(change=change, user=user, permission=APPROVE_PERMISSION)
    if profile_is_own(profile=profile, user=user):
        raise ValidationError(
            _("This is your own pay profile: somebody else approves or refuses its changes.")
        )


@transaction.atomic
def pay_profile_change_approve(*, change: PayProfileChange, user) -> PayProfileChange:
    """A second person approves: the values take effect (a new profile is paid from now on),
    an IBAN or BIC change is written to the bank details history, the requester is told."""
    profile, change = _locked(change)
    _decision_check(profile, change, user)
    now = timezone.now()
    old_iban, old_bic = profile.iban, profile.bic
    if change.kind == PayProfileChange.Kind.CREATE:
        _refuse_if_stale(profile, change.changes)
        old_iban = old_bic = ""
        profile.approved_at, profile.approved_by = now, user
        profile.save(update_fields=["approved_at", "approved_by", "updated_at"])
    else:
        _refuse_if_stale(profile, change.previous)
        for name, value in change.changes.items():
            setattr(profile, name, value_from_json(_field(name), value))
        profile.full_clean()
        profile.save(update_fields=[*change.changes, "updated_at"])
    if (old_iban, old_bic) != (profile.iban, profile.bic):
        BankDetailsChange.objects.create(
            profile=profile,
            old_iban=old_iban,
            new_iban=profile.iban,
            old_bic=old_bic,
            new_bic=profile.bic,
            changed_by=user,
            requested_by=change.requested_by,
            change_request=change,
        )
    decision_record(change=change, user=user, status=PayProfileChange.Status.APPROVED)
    _requester_notify(change, profile)
    return change


@transaction.atomic
def pay_profile_change_refuse(*, change: PayProfileChange, user, note: str) -> PayProfileChange:
    """A second person refuses, saying why: nothing changes; the requester is told."""
    profile, change = _locked(change)
    _decision_check(profile, change, user)
    decision_record(
        change=change, user=user, status=PayProfileChange.Status.REFUSED, note=note_clean(note)
    )
    _requester_notify(change, profile)
    return change


@transaction.atomic
def pay_profile_change_withdraw(*, change: PayProfileChange, user) -> PayProfileChange:
    """The requester takes their waiting request back; nothing changes."""
    _profile, change = _locked(change)
    withdrawal_record(change=change, user=user)
    return change
