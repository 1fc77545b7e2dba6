"""Absence pages: my leave and balance (with the request form), one absence, requests to
decide, recording sick days, and the team calendar. Thin: parse, call one service or selector,
render. Somebody else's absence is not found (404)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.money import format_quantity
from backoffice.pagination import page_number_from
from hr.forms_absences import (
    AbsenceRequestForm,
    DecisionForm,
    SickRecordForm,
    month_parse,
    year_parse,
)
from hr.models import Absence
from hr.selectors import absences as selectors
from hr.services import absences as services

APPROVALS_LIMIT = 200


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def absence_mine(request):
    """The user's vacation balance for a year, their absences of that year and a form to ask
    for leave."""
    employee = selectors.employee_for_balance(user=request.user)
    if employee is None:
        raise Http404
    today = timezone.localdate()
    year = year_parse(request.GET.get("year"), today.year)
    form = AbsenceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            absence = services.absence_request(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request for %(days)s working days waits for your head's decision.")
                % {"days": format_quantity(absence.days)},
            )
            return redirect("hr:absence_mine")
    absences = list(
        selectors.my_absences(user=request.user).filter(
            start_date__year__lte=year, end_date__year__gte=year
        )[:200]
    )
    return render(
        request,
        "hr/absences/mine.html",
        {
            "employee": employee,
            "balance": selectors.vacation_balance(employee=employee, year=year, today=today),
            "year": year,
            "absences": absences,
            "form": form,
            "today": today,
        },
    )


@login_required
@require_GET
def absence_detail(request, pk: int):
    absence = selectors.absence_detail(user=request.user, pk=pk)
    if absence is None:
        raise Http404
    may_decide = selectors.absence_may_decide(user=request.user, absence=absence)
    own = absence.employee.user_id == request.user.pk
    return render(
        request,
        "hr/absences/detail.html",
        {
            "absence": absence,
            "may_decide": may_decide and absence.status == Absence.Status.REQUESTED,
            "may_cancel": absence.status in Absence.ACTIVE
            and (may_decide or (own and absence.kind != Absence.Kind.SICK)),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def absence_decide(request, pk: int):
    if selectors.absence_detail(user=request.user, pk=pk) is None:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("hr:absence_detail", pk=pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        absence = services.absence_decide(
            user=request.user, absence_id=pk, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hr:absence_detail", pk=pk)
    messages.success(
        request,
        (
            _("Approved: %(absence)s of %(name)s.")
            if approve
            else _("Refused: %(absence)s of %(name)s.")
        )
        % {"absence": absence, "name": absence.employee.full_name},
    )
    return redirect("hr:absence_approvals")


@login_required
@require_POST
def absence_cancel(request, pk: int):
    absence = selectors.absence_detail(user=request.user, pk=pk)
    if absence is None:
        raise Http404
    try:
        services.absence_cancel(user=request.user, absence_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hr:absence_detail", pk=pk)
    messages.success(request, _("Cancelled: %(absence)s.") % {"absence": absence})
    if absence.employee.user_id == request.user.pk:
        return redirect("hr:absence_mine")
    return redirect("hr:absence_detail", pk=pk)


@login_required
@require_GET
def absence_approvals(request):
    if not selectors.absence_may_record(user=request.user):
        raise PermissionDenied
    rows = list(selectors.absences_to_decide(user=request.user)[: APPROVALS_LIMIT + 1])
    return render(
        request,
        "hr/absences/approvals.html",
        {"absences": rows[:APPROVALS_LIMIT], "more": len(rows) > APPROVALS_LIMIT},
    )


@login_required
@require_http_methods(["GET", "POST"])
def absence_sick_record(request):
    if not selectors.absence_may_record(user=request.user):
        raise PermissionDenied
    form = SickRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        employee = selectors.employee_for_absence_record(
            user=request.user, personnel_number=data.pop("personnel_number")
        )
        if employee is None:
            form.add_error(
                "personnel_number", _("No employee with this number whose absences you record.")
            )
        else:
            try:
                absence = services.absence_record_sick(
                    user=request.user, employee_id=employee.pk, **data
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Recorded: %(days)s sick days of %(name)s.")
                    % {"days": format_quantity(absence.days), "name": employee.full_name},
                )
                return redirect("hr:absence_detail", pk=absence.pk)
    return render(request, "hr/absences/sick_record.html", {"form": form})


@login_required
@require_GET
def absence_calendar(request):
    departments = list(
        selectors.calendar_departments_for(user=request.user).select_related("head")[:500]
    )
    if not departments:
        raise Http404
    code = request.GET.get("department", "").strip()[:20]
    department = next((d for d in departments if d.code == code), None)
    if department is None:
        own = selectors.employee_for_balance(user=request.user)
        department = next(
            (d for d in departments if own and d.pk == own.department_id), departments[0]
        )
    today = timezone.localdate()
    month = month_parse(request.GET.get("month")) or today.replace(day=1)
    page = page_number_from(request)
    cal = selectors.team_calendar(user=request.user, department=department, month=month, page=page)
    previous = (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return render(
        request,
        "hr/absences/calendar.html",
        {
            "cal": cal,
            "departments": departments,
            "previous": previous,
            "following": following,
            "page_number": page,
        },
    )
