"""Pages of the lifecycle: hire, checklists, transfer, terminate; and the org chart.

Who may act is asked of ``hr.selectors.lifecycle``; an employee the user may not see at all is
not found (404), one they see but may not manage is forbidden (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.pagination import page_number_from
from backoffice.stored_text import format_date
from hr.forms_lifecycle import ChecklistItemForm, HireForm, TerminateForm, TransferForm
from hr.models import Checklist, Department, Termination
from hr.selectors import lifecycle as selectors
from hr.services import lifecycle as services

PAGE_SIZE = 50

ORG_PAGE_SIZE = 200


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_employee(request, pk: int):
    employee = selectors.employee_for_lifecycle(user=request.user, pk=pk)
    if employee is None:
        raise Http404
    if not selectors.employment_may_manage(user=request.user, employee=employee):
        raise PermissionDenied
    return employee


@login_required
@require_GET
def checklist_list(request):
    """Open onboarding and offboarding checklists the user works on, with their progress."""
    if not selectors.checklist_may_list(user=request.user):
        raise PermissionDenied
    qs = selectors.checklists_open_for(user=request.user).order_by("-created_at", "-pk")
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    return render(
        request,
        "hr/lifecycle/checklist_list.html",
        {
            "checklists": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "may_hire": selectors.employment_may_hire(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hire(request):
    departments = selectors.employment_departments_for(user=request.user)
    if not departments.exists():
        raise PermissionDenied
    form = HireForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employment_hire(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is hired. Their login is %(username)s; a mail to set the password "
                    "is on its way."
                )
                % {"name": employee.full_name, "username": employee.user.username},
            )
            return redirect("hr:checklist", pk=employee.checklists.get().pk)
    return render(request, "hr/lifecycle/hire.html", {"form": form})


@login_required
@require_GET
def checklist(request, pk: int):
    found = selectors.checklist_detail(user=request.user, pk=pk)
    if found is None:
        raise Http404
    services.checklist_autocomplete(checklist=found)
    items = selectors.checklist_items_of(checklist=found)
    manages = selectors.employment_may_manage(user=request.user, employee=found.employee)
    rows = [
        (item, selectors.checklist_item_may_tick(user=request.user, item=item, manages=manages))
        for item in items
    ]
    done = sum(1 for item in items if item.is_done)
    return render(
        request,
        "hr/lifecycle/checklist.html",
        {
            "checklist": found,
            "employee": found.employee,
            "rows": rows,
            "done": done,
            "total": len(items),
            "percent": round(100 * done / len(items)) if items else 100,
            "manages": manages,
        },
    )


@login_required
@require_POST
def checklist_item_tick(request, pk: int, item_pk: int):
    item, may_tick = selectors.checklist_item_for(
        user=request.user, checklist_pk=pk, item_pk=item_pk
    )
    if item is None:
        raise Http404
    if not may_tick:
        raise PermissionDenied
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        services.checklist_item_tick(
            item=item,
            user=request.user,
            done=form.cleaned_data["done"],
            note=form.cleaned_data["note"],
        )
    return redirect("hr:checklist", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def employee_transfer(request, pk: int):
    employee = _managed_employee(request, pk)
    form = TransferForm(
        request.POST or None,
        departments=selectors.employment_departments_for(user=request.user),
        initial={"department": employee.department_id, "position": employee.position_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.employment_transfer(
                employee=employee, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            if change.applied_at:
                messages.success(request, _("The transfer is in effect."))
            else:
                messages.success(
                    request,
                    _("The transfer takes effect on %(day)s.")
                    % {"day": format_date(change.valid_from)},
                )
            return redirect("hr:employee_transfer", pk=employee.pk)
    return render(
        request,
        "hr/lifecycle/transfer.html",
        {
            "employee": employee,
            "form": form,
            "changes": selectors.employment_changes_of(employee=employee)[:100],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_terminate(request, pk: int):
    employee = _managed_employee(request, pk)
    termination = Termination.objects.filter(employee=employee).select_related("created_by").first()
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and termination is None and form.is_valid():
        try:
            services.employment_terminate(employee=employee, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request, _("The termination is recorded; the offboarding checklist is open.")
            )
            return redirect(
                "hr:checklist",
                pk=employee.checklists.get(kind=Checklist.Kind.OFFBOARDING).pk,
            )
    return render(
        request,
        "hr/lifecycle/terminate.html",
        {"employee": employee, "form": form, "termination": termination},
    )


@login_required
@require_GET
def org_chart(request):
    """Departments as a tree with their heads and headcounts; people load per department."""
    search = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "hr/lifecycle/org_chart.html",
        {
            "departments": selectors.org_departments(),
            "search": search,
            "found": selectors.org_search(search=search) if search else None,
            "search_limit": selectors.ORG_SEARCH_LIMIT,
        },
    )


@login_required
@require_GET
def org_department(request, pk: int):
    department = get_object_or_404(Department.objects.select_related("head", "parent"), pk=pk)
    # The tree is built whole (two queries); a page shows ORG_PAGE_SIZE of its rows, so a
    # department of a thousand people stays readable and quick.
    people = selectors.org_department_people(department=department)
    page_number = page_number_from(request)
    offset = (page_number - 1) * ORG_PAGE_SIZE
    return render(
        request,
        "hr/lifecycle/org_department.html",
        {
            "department": department,
            "people": people[offset : offset + ORG_PAGE_SIZE],
            "total": len(people),
            "page_number": page_number,
            "has_previous": page_number > 1,
            "has_next": offset + ORG_PAGE_SIZE < len(people),
        },
    )
