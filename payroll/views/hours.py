"""Views of payroll: hours. The week grid and the import for clerks, approval for department
heads, "my hours" for everyone with an employee record. Rules live in
``payroll.services.hours``; these views parse input and render."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from backoffice.pagination import page_number_from
from hr.selectors import employee_for_user
from payroll import selectors
from payroll.forms import (
    HoursImportForm,
    cell_name,
    hours_grid_parse,
    iso_week_format,
    iso_week_parse,
    month_parse,
)
from payroll.models import TimeEntry
from payroll.services import hours as services

GRID_PAGE_SIZE = 100
MAX_MESSAGES = 50
ZERO_HOURS = Decimal(0)


def _hours_input(value: Decimal | None) -> str:
    """Hours as typed into a cell: ``7,5`` in German, ``7.5`` in English, no trailing zeros."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _hours_text(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def _week(request) -> datetime.date:
    return iso_week_parse(request.GET.get("week")) or services.week_monday(timezone.localdate())


def _week_nav(week_start: datetime.date) -> dict:
    return {
        "week": iso_week_format(week_start),
        "previous_week": iso_week_format(week_start - datetime.timedelta(days=7)),
        "next_week": iso_week_format(week_start + datetime.timedelta(days=7)),
        "this_week": iso_week_format(services.week_monday(timezone.localdate())),
        "week_end": week_start + datetime.timedelta(days=6),
    }


def _employed(employee, day: datetime.date) -> bool:
    return employee.hire_date <= day and (
        employee.termination_date is None or day <= employee.termination_date
    )


def _grid_rows(data: dict, days: list[datetime.date], posted=None, errors=None) -> tuple:
    """Rows of cells for the template, and the totals per day and overall (saved hours)."""
    errors = errors or {}
    rows = []
    day_totals = [ZERO_HOURS for _day in days]
    for row_index, employee in enumerate(data["employees"]):
        cells, total = [], ZERO_HOURS
        for col, day in enumerate(days):
            entry = data["entries"].get((employee.pk, day))
            name = cell_name(employee.pk, day)
            hours = entry.hours if entry else None
            if hours is not None:
                total += hours
                day_totals[col] += hours
            locked = selectors.day_is_locked(data["paid"], employee.pk, day)
            cells.append(
                {
                    "name": name,
                    # After a refused save the typed values stay; locked cells are not posted.
                    "value": posted[name]
                    if posted is not None and name in posted
                    else _hours_input(hours),
                    "status": entry.status if entry else "",
                    "locked": locked,
                    "employed": _employed(employee, day),
                    "errors": errors.get(services.cell_key(employee.pk, day), []),
                    "col": col,
                    "label": f"{employee.last_name}, {employee.first_name}, "
                    f"{services.day_label(day)}",
                }
            )
        rows.append({"employee": employee, "cells": cells, "total": total, "index": row_index})
    return rows, day_totals


def _grid_url(department_code: str, week: str, page: int = 1) -> str:
    query = {"department": department_code, "week": week}
    if page > 1:
        query["page"] = page
    return f"{reverse('payroll:hours_grid')}?{urlencode(query)}"


def _warnings_add(request, warnings: list[str]) -> None:
    for text in warnings[:MAX_MESSAGES]:
        messages.warning(request, text)
    if len(warnings) > MAX_MESSAGES:
        messages.warning(
            request,
            _("… and %(count)d more warnings.") % {"count": len(warnings) - MAX_MESSAGES},
        )


def _saved_message(request, result: services.HoursResult) -> None:
    if not result.changed:
        messages.info(request, _("Nothing changed."))
        return
    messages.success(
        request,
        _("Hours saved: %(created)d new, %(updated)d changed, %(deleted)d cleared.")
        % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
    )
    if result.reset:
        messages.info(
            request,
            ngettext(
                "%(count)d approved entry changed; it needs approval again.",
                "%(count)d approved entries changed; they need approval again.",
                result.reset,
            )
            % {"count": result.reset},
        )


@login_required
@permission_required("payroll.add_timeentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def hours_grid(request):
    """One department's week, employees by rows and days by columns; one page of at most
    100 employees."""
    departments = list(selectors.hours_departments(user=request.user).only("id", "code", "name"))
    code = request.GET.get("department", "").strip()[:20]
    week_start = _week(request)
    context = {"departments": departments, "department": None, **_week_nav(week_start)}
    if not code:
        return render(request, "payroll/hours/grid.html", context)
    department = next((d for d in departments if d.code == code), None)
    if department is None:
        raise Http404
    page_number = page_number_from(request)
    data = selectors.hours_week(
        department=department,
        week_start=week_start,
        offset=(page_number - 1) * GRID_PAGE_SIZE,
        limit=GRID_PAGE_SIZE,
    )
    days = [week_start + datetime.timedelta(days=i) for i in range(7)]
    posted, errors = None, {}
    if request.method == "POST":
        rows, errors = hours_grid_parse(request.POST)
        if not errors:
            try:
                result = services.time_entries_save(
                    department=department, week_start=week_start, rows=rows, user=request.user
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                _saved_message(request, result)
                _warnings_add(request, result.warnings)
                return redirect(_grid_url(code, iso_week_format(week_start), page_number))
        posted = {k: v for k, v in request.POST.items() if k.startswith("h-")}
    grid_rows, day_totals = _grid_rows(data, days, posted=posted, errors=errors)
    general_errors = list(errors.get(NON_FIELD_ERRORS, []))
    cell_errors = sum(len(v) for k, v in errors.items() if k != NON_FIELD_ERRORS)
    context.update(
        {
            "department": department,
            "days": days,
            "rows": grid_rows,
            "day_totals": day_totals,
            "grand_total": sum(day_totals, ZERO_HOURS),
            "general_errors": general_errors,
            "cell_errors": cell_errors,
            "page_number": page_number,
            "has_next": data["has_next"],
            "form_action": _grid_url(code, iso_week_format(week_start), page_number),
        }
    )
    return render(request, "payroll/hours/grid.html", context)


@login_required
@permission_required("payroll.add_timeentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def hours_import(request):
    form = HoursImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.hours_import(file=form.cleaned_data["file"], user=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            _saved_message(request, result)
            _warnings_add(request, result.warnings)
            return redirect("payroll:hours_import")
    return render(
        request,
        "payroll/hours/import.html",
        {
            "form": form,
            "errors": errors[:MAX_MESSAGES],
            "more_errors": max(0, len(errors) - MAX_MESSAGES),
        },
    )


@login_required
@permission_required("payroll.approve_timeentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def hours_approve(request):
    """A department head's week of their department's hours, and the button approving every
    entered entry of it. Departments they do not head are not found."""
    departments = list(selectors.hours_departments_to_approve(user=request.user))
    if not departments:
        raise PermissionDenied
    code = request.GET.get("department", "").strip()[:20] or departments[0].code
    department = next((d for d in departments if d.code == code), None)
    if department is None:
        raise Http404
    week_start = _week(request)
    if request.method == "POST":
        count = services.time_entries_approve(
            department=department, week_start=week_start, user=request.user
        )
        if count:
            messages.success(
                request,
                ngettext("%(count)d entry approved.", "%(count)d entries approved.", count)
                % {"count": count},
            )
        else:
            messages.info(request, _("There were no entered hours to approve."))
        query = urlencode({"department": code, "week": iso_week_format(week_start)})
        return redirect(f"{reverse('payroll:hours_approve')}?{query}")
    page_number = page_number_from(request)
    data = selectors.hours_week(
        department=department,
        week_start=week_start,
        offset=(page_number - 1) * GRID_PAGE_SIZE,
        limit=GRID_PAGE_SIZE,
    )
    days = [week_start + datetime.timedelta(days=i) for i in range(7)]
    rows, day_totals = _grid_rows(data, days)
    for row in rows:
        for cell in row["cells"]:
            entry = data["entries"].get((row["employee"].pk, days[cell["col"]]))
            cell["text"] = _hours_text(entry.hours) if entry else ""
    entered = sum(1 for e in data["entries"].values() if e.status == TimeEntry.Status.ENTERED)
    return render(
        request,
        "payroll/hours/approve.html",
        {
            "departments": departments,
            "department": department,
            "days": days,
            "rows": rows,
            "day_totals": day_totals,
            "grand_total": sum(day_totals, ZERO_HOURS),
            "entered": entered,
            "page_number": page_number,
            "has_next": data["has_next"],
            **_week_nav(week_start),
        },
    )


@login_required
@require_http_methods(["GET"])
def my_hours(request):
    """The logged-in user's own hours, one month at a time."""
    employee = employee_for_user(user=request.user)
    today = timezone.localdate()
    first = month_parse(request.GET.get("month")) or today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    last = following - datetime.timedelta(days=1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    entries = list(selectors.my_hours(user=request.user, start=first, end=last))
    return render(
        request,
        "payroll/hours/my_hours.html",
        {
            "employee": employee,
            "entries": entries,
            "total": sum((e.hours for e in entries), ZERO_HOURS),
            "month": first,
            "previous_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}",
        },
    )


urlpatterns = [
    path("hours/", hours_grid, name="hours_grid"),
    path("hours/import/", hours_import, name="hours_import"),
    path("hours/approve/", hours_approve, name="hours_approve"),
    path("my/hours/", my_hours, name="my_hours"),
]
