"""Forms of payroll: they parse input; the services check the rules."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backoffice.imports import upload_size_check
from payroll.models import OffCycleItem, PayProfile, PayrollSettings
from payroll.selectors import employee_by_typed_number
from payroll.services.hours import cell_key
from payroll.services.offcycle import MAX_ENTRIES as OFFCYCLE_MAX_ROWS
from payroll.services.profiles import bank_details_clean, pay_terms_clean

# Weeks and months in the URL stay within these years (and far from date's limits).
MIN_YEAR, MAX_YEAR = 1900, 2999
CELL_NAME = re.compile(r"^h-(\d{1,18})-(\d{4}-\d{2}-\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def iso_week_parse(value: str | None) -> datetime.date | None:
    """``2026-W10`` as the Monday of that ISO week; None if it is not a week."""
    match = _WEEK.match((value or "").strip())
    if not match or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        return None
    try:
        return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def iso_week_format(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def month_parse(value: str | None) -> datetime.date | None:
    """``2026-03`` as the first day of that month; None if it is not a month."""
    match = _MONTH.match((value or "").strip())
    if not match or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def cell_name(employee_id: int, day: datetime.date) -> str:
    """The name of a grid input."""
    return f"h-{employee_id}-{day.isoformat()}"


def hours_grid_parse(data) -> tuple[dict[int, dict[datetime.date, Decimal | None]], dict]:
    """The grid's POST as ``{employee id: {day: hours or None}}``; a value that is not a number
    is an error keyed like the service's (``cell_key``). Decimal comma or point."""
    rows: dict[int, dict[datetime.date, Decimal | None]] = {}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        match = CELL_NAME.match(name)
        if not match:
            continue
        try:
            day = datetime.date.fromisoformat(match[2])
        except ValueError:
            continue
        employee_id = int(match[1])
        text = (value or "").strip().replace(" ", "")
        hours = None
        if text:
            try:
                hours = Decimal(text.replace(",", "."))
            except InvalidOperation:
                errors[cell_key(employee_id, day)] = [
                    str(_("“%(value)s” is not a number of hours.") % {"value": value[:20]})
                ]
                continue
            if not hours.is_finite():
                errors[cell_key(employee_id, day)] = [
                    str(_("“%(value)s” is not a number of hours.") % {"value": value[:20]})
                ]
                continue
        rows.setdefault(employee_id, {})[day] = hours
    return rows, errors


class HoursImportForm(forms.Form):
    file = forms.FileField(
        label=_("Hours file"),
        help_text=_(
            "CSV with the columns personnel_number;date;hours and optionally start;end "
            "(semicolon or comma separated, decimal comma or point, UTF-8)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        upload_size_check(upload)  # IMPORT_MAX_UPLOAD_BYTES, as every import
        return upload


class PayProfileAdminForm(forms.ModelForm):
    """The admin's pay profile form. Bank details and pay terms are checked by the profile
    services' rules; the admin saves through those services (history of bank changes)."""

    class Meta:
        model = PayProfile
        fields = [
            "employee",
            "schedule",
            "hourly_rate",
            "monthly_salary",
            "pay_method",
            "iban",
            "bic",
            "account_holder",
            "church_member",
            "deductions_exempt",
        ]
        help_texts = {
            "iban": _("Spaces are removed and letters upper-cased; every change is recorded."),
            "bic": _("Left empty, it is taken from the IBAN's bank where that is known."),
        }

    def clean(self):
        data = super().clean()
        # While a change waits, the fields it covers are read-only and not in the form.
        if {"hourly_rate", "monthly_salary"} <= set(self.fields):
            try:
                pay_terms_clean(
                    hourly_rate=data.get("hourly_rate"), monthly_salary=data.get("monthly_salary")
                )
            except ValidationError as exc:
                self._add_service_errors(exc)
        if {"iban", "bic", "account_holder", "pay_method"} <= set(self.fields):
            try:
                bank = bank_details_clean(
                    iban=data.get("iban"),
                    bic=data.get("bic"),
                    account_holder=data.get("account_holder"),
                    pay_method=data.get("pay_method") or "",
                )
            except ValidationError as exc:
                self._add_service_errors(exc)
            else:
                data.update(iban=bank.iban, bic=bank.bic, account_holder=bank.account_holder)
        return data

    def _add_service_errors(self, exc: ValidationError) -> None:
        for name, messages in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class PayrollSettingsAdminForm(forms.ModelForm):
    """The payroll settings. The paying account is checked like any bank details; saving a new
    one asks for a second person's approval (``company_account_change_request``)."""

    document_language = forms.ChoiceField(
        label=_("language of payslips and cheques"),
        choices=[("", _("the site's language"))] + list(settings.LANGUAGES),
        required=False,
        help_text=_("For employees without a login or who never chose a language."),
    )

    class Meta:
        model = PayrollSettings
        fields = [
            "minimum_wage",
            "overtime_weekly_threshold",
            "overtime_premium",
            "second_approver_required",
            "large_change_percent",
            "absence_pay_reference_weeks",
            "wage_expense_account",
            "salary_expense_account",
            "net_pay_account",
            "bank_account",
            "company_name",
            "company_street",
            "company_postal_code",
            "company_city",
            "document_language",
        ]

    # The paying bank account's IBAN and BIC are kept by accounting (shown on its bank accounts
    # page); entered here, they become a request a second person approves.
    company_iban = forms.CharField(label=_("company IBAN"), max_length=42, required=False)
    company_bic = forms.CharField(label=_("company BIC"), max_length=15, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("company_iban", "company_bic"):
            if name in self.fields and self.instance.pk:
                self.fields[name].initial = getattr(self.instance, name)

    def clean(self):
        data = super().clean()
        if {"company_iban", "company_bic", "company_name"} <= set(self.fields):
            try:
                bank = bank_details_clean(
                    iban=data.get("company_iban"),
                    bic=data.get("company_bic"),
                    account_holder=data.get("company_name"),
                    pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT,
                )
            except ValidationError as exc:
                names = {"iban": "company_iban", "bic": "company_bic"}
                for name, messages in exc.message_dict.items():
                    self.add_error(names.get(name, "company_name"), messages)
            else:
                data.update(company_iban=bank.iban, company_bic=bank.bic)
        return data


class BankDetailsRequestForm(forms.Form):
    """Staff asking for new bank details of their own; payroll approves them."""

    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(
        label=_("BIC"),
        max_length=15,
        required=False,
        help_text=_("Left empty, it is taken from the IBAN's bank where that is known."),
    )
    account_holder = forms.CharField(label=_("Account holder"), max_length=70)


class RefusalForm(forms.Form):
    """Why a requested change is refused (the requester is told)."""

    note = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
    )


class OffCycleRowForm(forms.Form):
    """One row of the off-cycle page: whom (a personnel number, or the autocomplete's
    "Name (number)"), why, how much, and the payslip's text. The service checks the rules."""

    employee = forms.CharField(label=_("Employee"), max_length=140, required=False)
    kind = forms.ChoiceField(label=_("Reason"), choices=OffCycleItem.Kind.choices)
    amount = forms.DecimalField(label=_("Amount"), required=False, localize=True)
    text = forms.CharField(label=_("Text on the payslip"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        typed = (data.get("employee") or "").strip()
        data["employee_obj"] = None
        if typed:
            employee = employee_by_typed_number(text=typed)
            if employee is None:
                self.add_error(
                    "employee",
                    _("No employee has the personnel number %(number)s.") % {"number": typed},
                )
            data["employee_obj"] = employee
        elif data.get("amount") or (data.get("text") or "").strip():
            self.add_error("employee", _("Name the employee of this row."))
        return data


def offcycle_formset_class(*, rows: int):
    """The page's rows: ``rows`` empty ones to start with, never more than the service takes
    (a forged TOTAL_FORMS is capped)."""
    return forms.formset_factory(
        OffCycleRowForm,
        extra=max(1, min(rows, OFFCYCLE_MAX_ROWS)),
        max_num=OFFCYCLE_MAX_ROWS,
        absolute_max=OFFCYCLE_MAX_ROWS,
        validate_max=True,
    )
