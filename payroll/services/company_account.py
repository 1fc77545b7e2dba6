"""The company's paying account (name, IBAN, BIC in the payroll settings), the debtor of every
SEPA file payday writes. Like an employee's bank details, it changes only when a second
person with ``payroll.approve_companyaccountchange`` approves a request; the settings always
hold the approved account, so payday pays from it and from nothing else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounting.services import bank_account_details_set
from backoffice.services import notify
from backoffice.stored_text import stored, stored_label
from payroll.models import CompanyAccountChange, PayProfile, PayrollSettings
from payroll.models.config import COMPANY_ACCOUNT_FIELDS, COMPANY_BANK_FIELDS, company_account_field
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
from payroll.services.payday import payroll_settings
from payroll.services.profiles import bank_details_clean

APPROVE_PERMISSION = "payroll.approve_companyaccountchange"


def _field(name: str):
    return company_account_field(name)


def company_account_change_pending() -> CompanyAccountChange | None:
    return (
        CompanyAccountChange.objects.filter(status=CompanyAccountChange.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def _link() -> str:
    return reverse("admin:payroll_companyaccountchange_changelist")


def _locked_settings() -> PayrollSettings:
    return PayrollSettings.objects.select_for_update().get(pk=payroll_settings().pk)


@transaction.atomic
def company_account_change_request(
    *, user, company_name: str, company_iban: str, company_bic: str
) -> CompanyAccountChange:
    """Ask for a new paying account. The settings keep the approved one until a second person
    approves; refused when one waits already or nothing changes."""
    if not user.has_perm("payroll.change_payrollsettings"):
        raise PermissionDenied(_("You may not change the payroll settings."))
    settings = _locked_settings()
    pending = company_account_change_pending()
    if pending is not None:
        raise ValidationError(
            _(
                "A change of the company account asked for by %(user)s on %(when)s waits for "
                "approval. Wait for the decision, or withdraw that request (only who asked "
                "can) and ask again."
            )
            % {"user": user_name(pending.requested_by), "when": when(pending.requested_at)}
        )
    name = " ".join((company_name or "").split())
    if not name:
        raise ValidationError({"company_name": _("Give the company's name.")})
    try:
        bank = bank_details_clean(
            iban=company_iban,
            bic=company_bic,
            account_holder=name,
            pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT,
        )
    except ValidationError as exc:
        renamed = {
            {"iban": "company_iban", "bic": "company_bic", "account_holder": "company_name"}.get(
                key, key
            ): messages
            for key, messages in exc.message_dict.items()
        }
        raise ValidationError(renamed) from exc
    values = {"company_name": name, "company_iban": bank.iban, "company_bic": bank.bic}
    changed = [n for n in COMPANY_ACCOUNT_FIELDS if getattr(settings, n) != values[n]]
    if not changed:
        raise ValidationError(_("Nothing changes: this is the company account already."))
    change = CompanyAccountChange(
        changes={n: value_to_json(_field(n), values[n]) for n in changed},
        previous={n: value_to_json(_field(n), getattr(settings, n)) for n in changed},
        requested_by=user,
    )
    change.full_clean()
    change.save()
    users = approvers(codename="approve_companyaccountchange", exclude=[user.pk])
    if users:
        notify(
            users=users,
            subject=stored(
                gettext_noop("A change of the company's paying account waits for your approval")
            ),
            body=stored(
                gettext_noop("Asked for by %(user)s: %(fields)s."),
                user=user_name(user),
                fields=[
                    stored_label(_field(n).verbose_name)
                    for n in COMPANY_ACCOUNT_FIELDS
                    if n in changed
                ],
            ),
            link=_link(),
        )
    return change


def _locked(change: CompanyAccountChange) -> tuple[PayrollSettings, CompanyAccountChange]:
    settings = _locked_settings()
    change = (
        CompanyAccountChange.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .get(pk=change.pk)
    )
    return settings, change


def _tell_requester(change: CompanyAccountChange) -> None:
    if change.status == CompanyAccountChange.Status.APPROVED:
        subject = stored(gettext_noop("Your change of the company account was approved"))
        body = stored(gettext_noop("Approved by %(user)s."), user=user_name(change.decided_by))
    else:
        subject = stored(gettext_noop("Your change of the company account was refused"))
        body = stored(
            gettext_noop("Refused by %(user)s: %(reason)s"),
            user=user_name(change.decided_by),
            reason=change.decision_note,
        )
    notify(users=[change.requested_by], subject=subject, body=body, link=_link())


@transaction.atomic
def company_account_change_approve(*, change: CompanyAccountChange, user) -> CompanyAccountChange:
    """A second person approves: payday pays from the new account from now on."""
    settings, change = _locked(change)
    decision_check(change=change, user=user, permission=APPROVE_PERMISSION)
    current = {n: value_to_json(_field(n), getattr(settings, n)) for n in change.previous}
    if current != change.previous:
        raise ValidationError(
            _(
                "The company account has changed since this change was asked for; refuse it "
                "and ask again."
            )
        )
    values = {n: value_from_json(_field(n), v) for n, v in change.changes.items()}
    if "company_name" in values:
        settings.company_name = values["company_name"]
        settings.full_clean()
        settings.save(update_fields=["company_name", "updated_at"])
    if COMPANY_BANK_FIELDS.keys() & values.keys():
        # The IBAN and BIC live with the paying bank account in accounting.
        if settings.bank_account is None:
            raise ValidationError(_("Choose the paying bank account in the payroll settings."))
        bank_account_details_set(
            account=settings.bank_account,
            iban=values.get("company_iban", settings.company_iban) or "",
            bic=values.get("company_bic", settings.company_bic) or "",
        )
    decision_record(change=change, user=user, status=CompanyAccountChange.Status.APPROVED)
    _tell_requester(change)
    return change


@transaction.atomic
def company_account_change_refuse(
    *, change: CompanyAccountChange, user, note: str
) -> CompanyAccountChange:
    _settings, change = _locked(change)
    decision_check(change=change, user=user, permission=APPROVE_PERMISSION)
    decision_record(
        change=change,
        user=user,
        status=CompanyAccountChange.Status.REFUSED,
        note=note_clean(note),
    )
    _tell_requester(change)
    return change


@transaction.atomic
def company_account_change_withdraw(*, change: CompanyAccountChange, user) -> CompanyAccountChange:
    _settings, change = _locked(change)
    withdrawal_record(change=change, user=user)
    return change
