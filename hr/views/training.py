"""Training pages: who is overdue or expiring (HR: everyone, heads: their department), the
sessions with their enrolments (HR records attendance and completion), and my trainings."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.pagination import page_number_from
from hr.forms_training import EnrolForm, EnrolmentStatusForm
from hr.models import Employee, Enrolment
from hr.selectors import department_list_for, employee_for_user
from hr.selectors import training as selectors
from hr.services import training as services

PAGE_SIZE = 50


@login_required
@require_GET
def training_due(request):
    if not selectors.training_may_list(user=request.user):
        raise PermissionDenied
    which = request.GET.get("which", "")
    if which not in (selectors.OVERDUE, selectors.EXPIRING):
        which = ""
    search = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:20]
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    today = timezone.localdate()
    rows = list(
        selectors.requirements_due_for(
            user=request.user, today=today, which=which, department=department, search=search
        )[offset : offset + PAGE_SIZE + 1]
    )
    return render(
        request,
        "hr/training/due.html",
        {
            "rows": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "which": which,
            "search": search,
            "department": department,
            "departments": department_list_for(user=request.user).only("code", "name"),
            "horizon": selectors.expiring_horizon(today),
        },
    )


@login_required
@require_GET
def my_trainings(request):
    employee = employee_for_user(user=request.user)
    data = (
        selectors.my_trainings(employee=employee, today=timezone.localdate())
        if employee
        else {"requirements": [], "enrolments": []}
    )
    return render(request, "hr/training/mine.html", {"employee": employee, **data})


@login_required
@require_GET
def training_sessions(request):
    if not selectors.training_may_manage(user=request.user):
        raise PermissionDenied
    since = timezone.now() - datetime.timedelta(days=90)
    sessions = list(selectors.session_list(since=since)[:200])
    return render(request, "hr/training/sessions.html", {"sessions": sessions})


def _session_or_404(pk: int):
    session = selectors.session_detail(pk=pk)
    if session is None:
        raise Http404
    return session


@login_required
@require_GET
def training_session_detail(request, pk: int):
    if not selectors.training_may_manage(user=request.user):
        raise PermissionDenied
    session = _session_or_404(pk)
    return render(
        request,
        "hr/training/session.html",
        {
            "session": session,
            "enrolments": list(selectors.session_enrolments(session=session)),
            "enrol_form": EnrolForm(),
            "statuses": Enrolment.Status.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def training_enrol(request, pk: int):
    if not selectors.training_may_manage(user=request.user):
        raise PermissionDenied
    session = _session_or_404(pk)
    form = EnrolForm(request.POST)
    employee = None
    if form.is_valid():
        employee = Employee.objects.filter(
            personnel_number=form.cleaned_data["personnel_number"]
        ).first()
    if employee is None:
        messages.error(request, _("No employee with this personnel number."))
        return redirect("hr:training_session_detail", pk=pk)
    try:
        services.enrolment_create(session=session, employee=employee, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is enrolled.") % {"name": employee.full_name})
    return redirect("hr:training_session_detail", pk=pk)


@login_required
@require_POST
def training_enrolment_status(request, pk: int):
    if not selectors.training_may_manage(user=request.user):
        raise PermissionDenied
    enrolment = Enrolment.objects.filter(pk=pk).only("pk", "session_id").first()
    if enrolment is None:
        raise Http404
    form = EnrolmentStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and a valid date."))
    else:
        try:
            services.enrolment_status_set(
                enrolment_id=enrolment.pk,
                status=form.cleaned_data["status"],
                certificate_date=form.cleaned_data["certificate_date"],
                user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The enrolment was updated."))
    return redirect("hr:training_session_detail", pk=enrolment.session_id)
