"""Views of accounting: the budget dashboard.

Budget, actual and committed spend per department as a bar chart, and every budget as a table
row flagged from 80 % and again from 100 %. Needs accounting.view_budget: accountants and
auditors see every department; department heads only the departments they head. Others get
403. The budget check's notifications link here (``accounting:budget_dashboard``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounting import reports
from accounting.charts import ChartRow, Series, stacked_bar_chart
from accounting.views.reports import YearForm
from backoffice.money import format_money

ACTUAL_FILL = "#0b5cad"
COMMITTED_FILL = "#e69f00"
BUDGET_FILL = "#9aa5b1"


@login_required
@require_GET
def budget_dashboard(request):
    if not request.user.has_perm("accounting.view_budget"):
        raise PermissionDenied
    scope = reports.budget_scope(user=request.user)
    form = YearForm({k: v for k, v in request.GET.items() if k == "year" and v})
    context = {"form": form, "all_departments": scope is None, "heads_none": scope == set()}
    if not form.is_valid():
        status = 200 if form.no_fiscal_year else 400
        return render(request, "accounting/budgets/dashboard.html", context, status=status)
    fiscal_year = form.fiscal_year()
    statuses, departments = reports.budget_dashboard(fiscal_year=fiscal_year, department_ids=scope)
    context.update(
        fiscal_year=fiscal_year,
        chart=_chart(departments, year=fiscal_year.year) if departments else "",
        departments=[{"totals": d, "level": reports.budget_level(d.percent)} for d in departments],
        rows=[
            {
                "status": s,
                "target": reports.budget_target(s),
                "level": reports.budget_level(s.percent),
            }
            for s in statuses
        ],
    )
    return render(request, "accounting/budgets/dashboard.html", context)


def _chart(departments: list[reports.DepartmentBudget], *, year: int):
    return stacked_bar_chart(
        rows=[
            ChartRow(
                label=f"{d.code} · {d.name}",
                title=_(
                    "%(department)s: budget %(budget)s, actual %(actual)s, "
                    "committed %(committed)s (%(percent)d %%)"
                )
                % {
                    "department": f"{d.code} · {d.name}",
                    "budget": format_money(d.budget),
                    "actual": format_money(d.actual),
                    "committed": format_money(d.committed),
                    "percent": d.percent,
                },
                reference=d.budget,
                parts=(d.actual, d.committed),
                value_text=f"{d.percent} %",
            )
            for d in departments
        ],
        reference=Series(_("Budget"), BUDGET_FILL),
        parts=(Series(_("Actual"), ACTUAL_FILL), Series(_("Committed"), COMMITTED_FILL)),
        title=_("Budget, actual and committed spend per department, %(year)d") % {"year": year},
        format_value=_whole_euros,
    )


def _whole_euros(value: Decimal) -> str:
    """Axis labels: whole euros (1.234 € in German, €1,234 in English), enough for a scale."""
    number = formats.number_format(
        value.quantize(Decimal(1), rounding=ROUND_HALF_UP), 0, use_l10n=True, force_grouping=True
    )
    if (translation.get_language() or "de").startswith("de"):
        return f"{number}\u00a0€"
    return f"€{number}"


urlpatterns = [
    path("budgets/", budget_dashboard, name="budget_dashboard"),
]
