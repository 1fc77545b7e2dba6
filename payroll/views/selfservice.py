"""Staff self-service: my payslips (published ones only) and their PDFs; my bank details and
a request for new ones, which payroll approves. Anybody else's payslip, or one not yet
published, is not found (404); nobody sees or asks for another person's bank details here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.pagination import page_number_from
from hr.selectors import employee_for_user
from payroll import selectors
from payroll.forms import BankDetailsRequestForm
from payroll.models import PayProfileChange, Payslip
from payroll.services.profiles import pay_profile_change_request, pay_profile_change_withdraw
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


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def my_bank_details(request):
    """The user's bank details (IBAN masked but for its last four characters), their requests
    and a form to ask for new ones; payroll approves them before payday uses them."""
    profile = selectors.my_pay_profile(user=request.user)
    if profile is None and employee_for_user(user=request.user) is None:
        raise Http404
    form = BankDetailsRequestForm(request.POST or None)
    if request.method == "POST":
        if profile is None:
            raise Http404
        if form.is_valid():
            try:
                pay_profile_change_request(
                    profile=profile, user=request.user, via_self_service=True, **form.cleaned_data
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your new bank details wait for payroll's approval; until then your pay "
                        "goes to the account you have now. You are told when payroll decides."
                    ),
                )
                return redirect("payroll:my_bank_details")
    requests = selectors.my_bank_detail_requests(profile=profile) if profile else []
    pending = next((r for r in requests if r.is_pending), None)
    return render(
        request,
        "payroll/self/my_bank_details.html",
        {
            "profile": profile,
            "iban_masked": selectors.iban_masked(profile.iban) if profile else "",
            "pending": pending,
            "pending_rows": selectors.change_rows(pending, mask=True) if pending else [],
            "requests": [(r, selectors.change_rows(r, mask=True)) for r in requests],
            "form": form,
        },
    )


@login_required
@require_POST
def my_bank_details_withdraw(request, pk: int):
    """Take back one's own waiting request; anybody else's is not found."""
    change = PayProfileChange.objects.filter(
        pk=pk, requested_by=request.user, via_self_service=True
    ).first()
    if change is None:
        raise Http404
    try:
        pay_profile_change_withdraw(change=change, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("Your request is withdrawn; nothing changes."))
    return redirect("payroll:my_bank_details")


urlpatterns = [
    path("my/payslips/", my_payslips, name="my_payslips"),
    path("my/payslips/<int:pk>/pdf/", my_payslip_pdf, name="my_payslip_pdf"),
    path("my/bank-details/", my_bank_details, name="my_bank_details"),
    path(
        "my/bank-details/<int:pk>/withdraw/",
        my_bank_details_withdraw,
        name="my_bank_details_withdraw",
    ),
]
