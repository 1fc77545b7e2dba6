"""Views of accounting: the start page and the reports for accountants and auditors.

Every report is a page in the browser and a CSV download of the same rows (``?format=csv``,
``&dialect=excel-de`` for Excel in German), streamed by ``backoffice.csv_export``. Reports need
accounting.export_reports (accountants and auditors); everyone else gets 403.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounting import reports
from accounting.models import Account, FiscalYear, Payment
from backoffice.reporting import (
    csv_copy_for_request,
    csv_for_request,
    filter_query,
    report_view,
    wants_csv,
)
from hr.models import Department

PAGE_SIZE = 100
REPORTS_PERMISSION = "accounting.export_reports"


reports_view = report_view(REPORTS_PERMISSION)


# --- Forms: parse the filters; bad input is a message on the page, never a 500 ---------------


MONTH_CHOICES = [(m, f"{m:02d}") for m in range(1, 13)]


class YearForm(forms.Form):
    """The fiscal year; without one in the query, the current year (or the latest opened)."""

    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)

    def __init__(self, data, *args, **kwargs):
        years = list(FiscalYear.objects.order_by("-year").values_list("year", flat=True))
        if not data.get("year") and years:
            current = timezone.localdate().year
            data = {**data, "year": current if current in years else years[0]}
        super().__init__(data, *args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.no_fiscal_year = not years

    def fiscal_year(self) -> FiscalYear:
        return FiscalYear.objects.get(year=self.cleaned_data["year"])


class KeysetForm(forms.Form):
    """``after=<date>,<id>``: where the next page starts."""

    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_after(self) -> tuple[datetime.date, int] | None:
        value = self.cleaned_data["after"]
        if not value:
            return None
        try:
            day, pk = value.split(",")
            return datetime.date.fromisoformat(day), int(pk)
        except ValueError:
            raise forms.ValidationError(_("This page link is broken; start again.")) from None


class TrialBalanceForm(YearForm):
    month = forms.TypedChoiceField(
        label=_("Up to month"), choices=MONTH_CHOICES, coerce=int, required=False
    )


class GeneralLedgerForm(KeysetForm, YearForm):
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[("", _("Whole year")), *MONTH_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.order_by("number"),
        to_field_name="number",
        required=False,
        empty_label=_("All accounts"),
    )
    department = forms.ModelChoiceField(
        label=_("Cost center"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All cost centers"),
    )


class PaymentsForm(KeysetForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Payment.Status.choices], required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("All")), *Payment.Direction.choices], required=False
    )
    date_from = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end lies before the start."))
        return data


def _bind(form_class, request, **defaults):
    """A form bound to the query string, with ``defaults`` where a value is missing."""
    return form_class({**defaults, **{k: v for k, v in request.GET.items() if v != ""}})


def _status(form) -> int:
    """200 for a valid form and for a ledger without any fiscal year yet (the page says so);
    400 for filters that do not make sense."""
    return 200 if form.is_valid() or getattr(form, "no_fiscal_year", False) else 400


# --- The start page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexLink:
    url_name: str
    title: Any
    description: Any
    visible: Callable[[Any], bool]
    section: Any


def _has(*perms: str) -> Callable[[Any], bool]:
    return lambda user: user.has_perms(perms)


_REPORTS = _("Reports")
_WORK = _("Work")
INDEX_LINKS = (
    IndexLink(
        "accounting:budget_dashboard",
        _("Budgets"),
        _("Budget, actual and committed spend per department, as a chart and a table."),
        _has("accounting.view_budget"),
        _WORK,
    ),
    IndexLink(
        "accounting:payment_list",
        _("Payments"),
        _("Payments to make and to receive; approval by a second person."),
        _has("accounting.view_payment"),
        _WORK,
    ),
    IndexLink(
        "accounting:bank_balances",
        _("Bank balances"),
        _("The ledger balance of every bank account."),
        _has("accounting.view_payment", "accounting.view_bankstatement"),
        _WORK,
    ),
    IndexLink(
        "accounting:statement_list",
        _("Bank statements"),
        _("Import statements and match their lines to payments."),
        _has("accounting.view_bankstatement"),
        _WORK,
    ),
    IndexLink(
        "accounting:finding_list",
        _("Audit findings"),
        _("What the audit checks found, and what was done about it."),
        _has("accounting.view_finding"),
        _WORK,
    ),
    IndexLink(
        "accounting:ledger_verify",
        _("Verify the ledger"),
        _("Recompute the hash chain of all posted entries."),
        _has("accounting.run_audit"),
        _WORK,
    ),
    IndexLink(
        "accounting:trial_balance",
        _("Trial balance"),
        _("Debit and credit per account for a year up to a month."),
        _has(REPORTS_PERMISSION),
        _REPORTS,
    ),
    IndexLink(
        "accounting:general_ledger",
        _("General ledger"),
        _("Every posted line, by period, account and cost center."),
        _has(REPORTS_PERMISSION),
        _REPORTS,
    ),
    IndexLink(
        "accounting:budget_vs_actual",
        _("Budget versus actual"),
        _("Every budget of a year against what was posted and committed."),
        _has(REPORTS_PERMISSION),
        _REPORTS,
    ),
    IndexLink(
        "accounting:payments_register",
        _("Payments register"),
        _("Payments by status, direction and due date."),
        _has(REPORTS_PERMISSION),
        _REPORTS,
    ),
    IndexLink(
        "accounting:findings_report",
        _("Open findings"),
        _("Audit findings not yet resolved."),
        _has(REPORTS_PERMISSION),
        _REPORTS,
    ),
)


@login_required
@require_GET
def index(request):
    """The accounting start page: the pages and reports this user may open; 403 when none."""
    sections: dict[str, list[dict]] = {}
    for link in INDEX_LINKS:
        if not link.visible(request.user):
            continue
        sections.setdefault(link.section, []).append(
            {"url": reverse(link.url_name), "title": link.title, "description": link.description}
        )
    if not sections:
        raise PermissionDenied
    return render(request, "accounting/index.html", {"sections": list(sections.items())})


# --- Trial balance -----------------------------------------------------------------------------


@reports_view
def trial_balance(request):
    today = timezone.localdate()
    form = _bind(TrialBalanceForm, request, month=today.month)
    report = None
    if form.is_valid():
        fiscal_year = form.fiscal_year()
        month = form.cleaned_data["month"] or 12
        report = reports.trial_balance_report(fiscal_year=fiscal_year, month_to=month)
        if wants_csv(request):
            return csv_for_request(
                request,
                rows=reports.trial_balance_csv_rows(report),
                header=reports.TRIAL_BALANCE_HEADER,
                filename=f"trial-balance-{fiscal_year.year}-{month:02d}.csv",
            )
        query = filter_query({"year": fiscal_year.year, "month": month})
    else:
        query = ""
    return render(
        request,
        "accounting/reports/trial_balance.html",
        {"form": form, "report": report, "query": query},
        status=_status(form),
    )


# --- General ledger ----------------------------------------------------------------------------


@reports_view
def general_ledger(request):
    form = _bind(GeneralLedgerForm, request)
    if not form.is_valid():
        return render(
            request, "accounting/reports/general_ledger.html", {"form": form}, status=_status(form)
        )
    data = form.cleaned_data
    ledger_filter = reports.LedgerFilter(
        fiscal_year=form.fiscal_year(),
        month=data["month"],
        account=data["account"],
        department=data["department"],
    )
    filters = {
        "year": ledger_filter.fiscal_year.year,
        "month": data["month"],
        "account": data["account"].number if data["account"] else "",
        "department": data["department"].code if data["department"] else "",
    }
    if wants_csv(request):
        period = f"{filters['year']}" + (f"-{data['month']:02d}" if data["month"] else "")
        return csv_copy_for_request(
            request,
            queryset_for=lambda dialect: reports.general_ledger_csv(
                ledger_filter=ledger_filter, dialect=dialect
            ),
            header=reports.GENERAL_LEDGER_HEADER,
            filename=f"general-ledger-{period}.csv",
        )
    lines, next_key = reports.general_ledger_page(
        ledger_filter=ledger_filter, after=data["after"], limit=PAGE_SIZE
    )
    debit, credit = reports.general_ledger_totals(ledger_filter=ledger_filter)
    query = filter_query(filters)
    return render(
        request,
        "accounting/reports/general_ledger.html",
        {
            "form": form,
            "lines": lines,
            "debit": debit,
            "credit": credit,
            "query": query,
            "first_page": data["after"] is not None,
            "next_query": filter_query(
                {**filters, "after": f"{next_key[0].isoformat()},{next_key[1]}"}
            )
            if next_key
            else "",
        },
    )


# --- Budget versus actual ----------------------------------------------------------------------


@reports_view
def budget_vs_actual(request):
    form = _bind(YearForm, request)
    if not form.is_valid():
        return render(
            request,
            "accounting/reports/budget_vs_actual.html",
            {"form": form},
            status=_status(form),
        )
    fiscal_year = form.fiscal_year()
    statuses, _departments = reports.budget_dashboard(fiscal_year=fiscal_year, department_ids=None)
    if wants_csv(request):
        return csv_for_request(
            request,
            rows=reports.budget_vs_actual_csv_rows(statuses),
            header=reports.BUDGET_VS_ACTUAL_HEADER,
            filename=f"budget-vs-actual-{fiscal_year.year}.csv",
        )
    return render(
        request,
        "accounting/reports/budget_vs_actual.html",
        {
            "form": form,
            "rows": [
                {
                    "status": s,
                    "target": reports.budget_target(s),
                    "level": reports.budget_level(s.percent),
                }
                for s in statuses
            ],
            "query": filter_query({"year": fiscal_year.year}),
        },
    )


# --- Payments register -------------------------------------------------------------------------


@reports_view
def payments_register(request):
    form = _bind(PaymentsForm, request)
    if not form.is_valid():
        return render(
            request,
            "accounting/reports/payments_register.html",
            {"form": form},
            status=_status(form),
        )
    data = form.cleaned_data
    payment_filter = reports.PaymentFilter(
        status=data["status"],
        direction=data["direction"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    filters = {
        "status": data["status"],
        "direction": data["direction"],
        "date_from": data["date_from"].isoformat() if data["date_from"] else "",
        "date_to": data["date_to"].isoformat() if data["date_to"] else "",
    }
    if wants_csv(request):
        return csv_for_request(
            request,
            rows=reports.payments_csv_rows(payment_filter=payment_filter),
            header=reports.PAYMENTS_HEADER,
            filename=f"payments-{timezone.localdate().isoformat()}.csv",
        )
    payments, next_key = reports.payments_page(
        payment_filter=payment_filter, after=data["after"], limit=PAGE_SIZE
    )
    return render(
        request,
        "accounting/reports/payments_register.html",
        {
            "form": form,
            "payments": payments,
            "query": filter_query(filters),
            "first_page": data["after"] is not None,
            "next_query": filter_query(
                {**filters, "after": f"{next_key[0].isoformat()},{next_key[1]}"}
            )
            if next_key
            else "",
        },
    )


# --- Open findings -----------------------------------------------------------------------------


@reports_view
def findings_report(request):
    if wants_csv(request):
        return csv_for_request(
            request,
            rows=reports.findings_csv_rows(),
            header=reports.FINDINGS_HEADER,
            filename=f"open-findings-{timezone.localdate().isoformat()}.csv",
        )
    try:
        before = int(request.GET["before"]) if request.GET.get("before") else None
    except ValueError:
        before = None
    findings, next_key = reports.findings_page(before=before, limit=PAGE_SIZE)
    return render(
        request,
        "accounting/reports/findings.html",
        {
            "findings": findings,
            "first_page": before is not None,
            "next_query": filter_query({"before": next_key}) if next_key else "",
            "may_open": request.user.has_perm("accounting.view_finding"),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("reports/trial-balance/", trial_balance, name="trial_balance"),
    path("reports/general-ledger/", general_ledger, name="general_ledger"),
    path("reports/budget-vs-actual/", budget_vs_actual, name="budget_vs_actual"),
    path("reports/payments/", payments_register, name="payments_register"),
    path("reports/findings/", findings_report, name="findings_report"),
]
