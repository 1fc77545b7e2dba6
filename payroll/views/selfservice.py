"""Staff self-service: my payslips (published ones only) and their PDFs. Anybody else's
payslip, or one not yet published, is not found (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from backoffice.pagination import page_number_from
from hr.selectors import employee_for_user
from payroll.models import Payslip
from payroll.services.publish import payslip_pdf_bytes

PAGE_SIZE = 24


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _my_payslips(user):
    employee = employee_for_user(user=user)
    if employee is None:
        return Payslip.objects.none()
    return Payslip.objects.filter(employee=employee, published_at__isnull=False).select_related(
        "run__period", "employee"
    )


@login_required
@require_GET
def my_payslips(request):
    qs = _my_payslips(request.user).order_by("-run__period__payday", "-pk")
    highlight = _int(request.GET.get("run"), 0)
    # Bounded pagination: no COUNT(*), only "is there a next page".
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    return render(
        request,
        "payroll/self/my_payslips.html",
        {
            "payslips": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "highlight": highlight,
        },
    )


@login_required
@require_GET
def my_payslip_pdf(request, pk: int):
    slip = _my_payslips(request.user).filter(pk=pk).first()
    if slip is None:
        raise Http404
    response = HttpResponse(payslip_pdf_bytes(payslip=slip), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="payslip-{slip.run.period.start:%Y-%m}.pdf"'
    )
    return response


urlpatterns = [
    path("my/payslips/", my_payslips, name="my_payslips"),
    path("my/payslips/<int:pk>/pdf/", my_payslip_pdf, name="my_payslip_pdf"),
]
