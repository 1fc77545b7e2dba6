from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backoffice.pagination import page_number_from
from hr import selectors

PAGE_SIZE = 50


@login_required
@require_GET
def my_profile(request):
    employee = selectors.employee_for_user(user=request.user)
    return render(request, "hr/my_profile.html", {"employee": employee})


@login_required
@require_GET
def employee_list(request):
    if not selectors.employee_may_list(user=request.user):
        raise PermissionDenied
    search = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:20]
    qs = selectors.employee_list(user=request.user, search=search, department=department)
    # Bounded pagination: no COUNT(*) over the whole table, only "is there a next page".
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    return render(
        request,
        "hr/employee_list.html",
        {
            "employees": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "search": search,
            "department": department,
            "departments": selectors.department_list_for(user=request.user).only("code", "name"),
        },
    )


@login_required
@require_GET
def employee_detail(request, pk: int):
    employee = selectors.employee_detail(user=request.user, pk=pk)
    if employee is None:
        raise Http404
    return render(request, "hr/employee_detail.html", {"employee": employee})
