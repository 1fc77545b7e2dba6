"""The labour-law compliance dashboard: counts per registered check as a bar chart, and the
first items of each check linked to their records; one page per check lists all of them."""

from __future__ import annotations

from itertools import islice

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from backoffice.pagination import page_number_from
from hr.registry import compliance_checks
from hr.selectors.compliance import compliance_summary

ITEMS_ON_DASHBOARD = 5
PAGE_SIZE = 50
BAR_WIDTH = 400  # the chart's longest bar, in SVG units
BAR_HEIGHT = 22


def compliance_may_view(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "hr.view_compliance_dashboard"
    )


@login_required
@require_GET
def compliance_dashboard(request):
    if not compliance_may_view(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    checks = {check.code: check for check in compliance_checks()}
    summary = compliance_summary(
        today=today, items=ITEMS_ON_DASHBOARD, fresh=request.GET.get("fresh") == "1"
    )
    rows = [
        {"check": checks[row["code"]], "count": row["count"], "items": row["items"]}
        for row in summary["rows"]
        if row["code"] in checks
    ]
    largest = max((row["count"] for row in rows), default=0) or 1
    for index, row in enumerate(rows):
        row["bar"] = round(BAR_WIDTH * row["count"] / largest) if row["count"] else 0
        row["y"] = index * (BAR_HEIGHT + 8)
    return render(
        request,
        "hr/compliance/dashboard.html",
        {
            "rows": rows,
            "today": today,
            "counted_at": summary["counted_at"],
            "chart_height": len(rows) * (BAR_HEIGHT + 8),
            "bar_height": BAR_HEIGHT,
            "bar_max": BAR_WIDTH,
            "total": sum(row["count"] for row in rows),
        },
    )


@login_required
@require_GET
def compliance_check(request, code: str):
    if not compliance_may_view(request.user):
        raise PermissionDenied
    check = next((c for c in compliance_checks() if c.code == code), None)
    if check is None:
        raise Http404
    today = timezone.localdate()
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    items = list(islice(check.run(today), offset, offset + PAGE_SIZE + 1))
    return render(
        request,
        "hr/compliance/check.html",
        {
            "check": check,
            "items": items[:PAGE_SIZE],
            "has_next": len(items) > PAGE_SIZE,
            "page_number": page_number,
        },
    )
