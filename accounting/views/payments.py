"""Views of accounting: payments and the balance per bank account. Accountants (and auditors,
who may view) only; every rule lives in ``accounting.services.payments``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounting import selectors
from accounting.forms.payments import PaymentFilterForm, PaymentForm
from accounting.models import Payment
from accounting.services import payments as services
from backoffice.pagination import page_number_from

PAGE_SIZE = 50

_VIEW = "accounting.view_payment"


def form_errors_add(form, exc: ValidationError) -> None:
    """Put a service's errors on the form: on the field they name where the form has it,
    above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@permission_required(_VIEW, raise_exception=True)
@require_GET
def payment_list(request):
    filters = PaymentFilterForm(request.GET or None)
    status = direction = ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        direction = filters.cleaned_data["direction"]
    qs = selectors.payment_list(status=status, direction=direction)
    # Bounded pagination: no COUNT(*) over the whole table, only "is there a next page".
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    return render(
        request,
        "accounting/payments/list.html",
        {
            "payments": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "filters": filters,
            "status": status,
            "direction": direction,
        },
    )


@login_required
@permission_required([_VIEW, "accounting.add_payment"], raise_exception=True)
def payment_create(request):
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request, _("The payment was recorded; a second person must approve it.")
            )
            return redirect("accounting:payment_detail", pk=payment.pk)
    return render(request, "accounting/payments/form.html", {"form": form})


@login_required
@permission_required(_VIEW, raise_exception=True)
@require_GET
def payment_detail(request, pk: int):
    payment = selectors.payment_detail(pk=pk)
    if payment is None:
        raise Http404
    draft = payment.status == Payment.Status.DRAFT
    own = services.payment_is_own(payment=payment, user=request.user)
    return render(
        request,
        "accounting/payments/detail.html",
        {
            "payment": payment,
            "may_approve": draft
            and not own
            and request.user.has_perm("accounting.approve_payment"),
            "own_payment": draft and own,
            "may_cancel": draft and request.user.has_perm("accounting.change_payment"),
        },
    )


def _payment_or_404(pk: int) -> Payment:
    payment = Payment.objects.filter(pk=pk).first()
    if payment is None:
        raise Http404
    return payment


@login_required
@permission_required([_VIEW, "accounting.approve_payment"], raise_exception=True)
@require_POST
def payment_approve(request, pk: int):
    payment = _payment_or_404(pk)
    try:
        payment = services.payment_approve(payment=payment, user=request.user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The payment was approved and posted."))
    return redirect("accounting:payment_detail", pk=pk)


@login_required
@permission_required([_VIEW, "accounting.change_payment"], raise_exception=True)
@require_POST
def payment_cancel(request, pk: int):
    payment = _payment_or_404(pk)
    try:
        services.payment_cancel(payment=payment, user=request.user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The payment was cancelled."))
    return redirect("accounting:payment_detail", pk=pk)


@login_required
@permission_required([_VIEW, "accounting.view_bankstatement"], raise_exception=True)
@require_GET
def bank_balances(request):
    return render(
        request, "accounting/payments/bank_balances.html", {"accounts": selectors.bank_balances()}
    )


urlpatterns = [
    path("payments/", payment_list, name="payment_list"),
    path("payments/new/", payment_create, name="payment_create"),
    path("payments/<int:pk>/", payment_detail, name="payment_detail"),
    path("payments/<int:pk>/approve/", payment_approve, name="payment_approve"),
    path("payments/<int:pk>/cancel/", payment_cancel, name="payment_cancel"),
    path("bank-accounts/", bank_balances, name="bank_balances"),
]
