"""Views of payroll: reports (payroll register, year-to-date totals per employee).

Each report is a page in the browser and a CSV download of the same rows (``?format=csv``,
``&dialect=excel-de`` for Excel in German), streamed by ``backoffice.csv_export``. Every page and
download needs payroll.export_payroll_reports (payroll clerks, accountants, auditors); everyone
else gets 403.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.reporting import csv_for_request, filter_query, report_view, wants_csv
from payroll import reports

PAGE_SIZE = 100
REPORTS_PERMISSION = "payroll.export_payroll_reports"


reports_view = report_view(REPORTS_PERMISSION)


def _bind(form_class, request):
    return form_class({k: v for k, v in request.GET.items() if v != ""})


# --- Forms: parse the filters; bad input is a message on the page, never a 500 ---------------


class RegisterForm(forms.Form):
    """One paid run, or a period (all its paid runs); neither means the latest paid run."""

    run = forms.ModelChoiceField(
        label=_("Payroll run"), queryset=None, required=False, empty_label=_("Latest paid run")
    )
    period = forms.ModelChoiceField(
        label=_("or pay period"), queryset=None, required=False, empty_label="—"
    )
    after = forms.CharField(label=_("Page"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = reports.paid_runs()
        self.fields["period"].queryset = reports.periods_with_paid_runs()

    def clean_after(self) -> tuple[str, int] | None:
        value = self.cleaned_data["after"]
        if not value:
            return None
        number, _sep, pk = value.rpartition(",")
        try:
            return number, int(pk)
        except ValueError:
            raise forms.ValidationError(_("This page link is broken; start again.")) from None

    def clean(self):
        data = super().clean()
        if data.get("run") and data.get("period"):
            self.add_error("period", _("Choose a run or a period, not both."))
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    after = forms.CharField(label=_("Page"), required=False, widget=forms.HiddenInput)


# --- The start page ----------------------------------------------------------------------------


@reports_view
def index(request):
    links = [
        {
            "url_name": "payroll:payroll_register",
            "title": _("Payroll register"),
            "description": _(
                "Every payslip of a paid run: gross pay, each deduction, net pay, employer "
                "contributions and pay method, with totals."
            ),
        },
        {
            "url_name": "payroll:ytd_totals",
            "title": _("Year-to-date totals"),
            "description": _("Per employee, the totals of the payslips paid in a year."),
        },
    ]
    return render(request, "payroll/reports/index.html", {"links": links})


# --- Payroll register --------------------------------------------------------------------------


@reports_view
def payroll_register(request):
    form = _bind(RegisterForm, request)
    if not form.is_valid():
        return render(request, "payroll/reports/register.html", {"form": form}, status=400)
    data = form.cleaned_data
    run, period = data["run"], data["period"]
    if run is None and period is None:
        run = reports.latest_paid_run()
        if run is None:
            return render(request, "payroll/reports/register.html", {"form": form, "empty": True})
    run_ids = reports.register_run_ids(run=run, period=period)
    filters = {"run": run.pk if run else "", "period": period.pk if period else ""}
    totals = reports.register_totals(run_ids=run_ids)
    subject = run.period if run is not None else period
    if wants_csv(request):
        return csv_for_request(
            request,
            rows=reports.register_csv_rows(run_ids=run_ids, totals=totals),
            header=reports.register_header(totals),
            filename=f"payroll-register-{subject.start:%Y-%m-%d}.csv",
        )
    rows, next_key = reports.register_page(
        run_ids=run_ids, totals=totals, after=data["after"], limit=PAGE_SIZE
    )
    return render(
        request,
        "payroll/reports/register.html",
        {
            "form": form,
            "run": run,
            "period": period,
            "rows": rows,
            "totals": totals,
            "query": filter_query(filters),
            "first_page": data["after"] is not None,
            "next_query": filter_query({**filters, "after": f"{next_key[0]},{next_key[1]}"})
            if next_key
            else "",
        },
    )


# --- Year-to-date totals -------------------------------------------------------------------------


@reports_view
def ytd_totals(request):
    form = YearForm(
        {"year": timezone.localdate().year, **{k: v for k, v in request.GET.items() if v != ""}}
    )
    if not form.is_valid():
        return render(request, "payroll/reports/ytd.html", {"form": form}, status=400)
    year, after = form.cleaned_data["year"], form.cleaned_data["after"] or None
    totals = reports.ytd_totals(year=year)
    if wants_csv(request):
        return csv_for_request(
            request,
            rows=reports.ytd_csv_rows(year=year, totals=totals),
            header=reports.YTD_HEADER,
            filename=f"payroll-ytd-{year}.csv",
        )
    rows, next_after = reports.ytd_page(year=year, after=after, limit=PAGE_SIZE)
    filters = {"year": year}
    return render(
        request,
        "payroll/reports/ytd.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "totals": totals,
            "query": filter_query(filters),
            "first_page": after is not None,
            "next_query": filter_query({**filters, "after": next_after}) if next_after else "",
        },
    )


urlpatterns = [
    path("reports/", index, name="reports"),
    path("reports/register/", payroll_register, name="payroll_register"),
    path("reports/ytd/", ytd_totals, name="ytd_totals"),
]
