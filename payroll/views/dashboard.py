"""The payday dashboard: pick a period, check readiness, calculate (Celery, with a live
progress bar), review, approve (a second person), pay, download the bank file and the cheques.

Every rule lives in ``payroll.services.payday``; a refusal (``PaydayRefused``) becomes a
message on the page, never an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from backoffice.pagination import page_number_from
from payroll.models import BankFile, PayPeriod, PaySchedule
from payroll.selectors import offcycle_runs_of
from payroll.services import review
from payroll.services.payday import (
    PaydayRefused,
    payday_progress,
    payday_readiness,
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payday_run_recalculate,
    payday_run_resume,
    payroll_settings,
    run_approval_is_own,
    run_hours_warnings,
    run_profiles_changed,
)
from payroll.services.publish import cheques_pdf_bytes, payslip_pdf_bytes
from payroll.services.schedules import default_schedule

PAGE_SIZE = 50
ERRORS_SHOWN = 100
FLAGGED_SHOWN = 10

RUN = "payroll.run_payday"
APPROVE = "payroll.approve_payrollrun"
VIEW_RUN = "payroll.view_payrollrun"
VIEW_SLIP = "payroll.view_payslip"


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _refused(request, exc: PaydayRefused) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@permission_required(RUN, raise_exception=True)
@require_GET
def dashboard(request):
    schedules = list(PaySchedule.objects.order_by("-is_default", "name"))
    schedule = next(
        (s for s in schedules if s.pk == _int(request.GET.get("schedule"), 0)), None
    ) or (schedules[0] if schedules else default_schedule())
    if not schedules:
        schedules = [schedule]
    first = review.month_start(request.GET.get("month"), timezone.localdate())
    try:
        periods = review.periods_of_month(schedule=schedule, first=first)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "payroll/dashboard/dashboard.html", {"schedules": schedules})
    # A biweekly schedule has two or three periods in a month: ?start= picks one.
    period = next(
        (p for p in periods if p.start.isoformat() == request.GET.get("start")), periods[0]
    )
    run = review.run_for_period(period=period)
    readiness = payday_readiness(period=period)
    return render(
        request,
        "payroll/dashboard/dashboard.html",
        {
            "schedules": schedules,
            "schedule": schedule,
            "month": f"{first:%Y-%m}",
            "period": period,
            "periods": periods,
            "run": run,
            "blocks": [i for i in readiness if i["level"] == "block"],
            "warnings": [i for i in readiness if i["level"] != "block"],
            "budgets": review.budget_warnings(period=period),
            "recent_runs": review.runs_recent(),
            "offcycle_runs": offcycle_runs_of(period=period),
            "may_approve": request.user.has_perm(APPROVE),
        },
    )


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def run_calculate(request):
    """Start a period's run. A run that exists already is named in the refusal, and the page
    of that run opens."""
    period = get_object_or_404(PayPeriod, pk=_int(request.POST.get("period"), 0))
    try:
        run = payday_run_calculate(period=period, user=request.user)
    except PaydayRefused as exc:
        _refused(request, exc)
        run = review.run_for_period(period=period)
        if run is None or run.status == run.Status.DRAFT:
            return redirect(
                f"{reverse('payroll:dashboard')}?schedule={period.schedule_id}"
                f"&month={period.start:%Y-%m}"
            )
    return redirect("payroll:run_detail", pk=run.pk)


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def run_recalculate(request, pk: int):
    """Calculate a calculated run again, on purpose: the form asks for confirmation."""
    run = _run_or_404(pk)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _("Confirm that the run's payslips are to be replaced before calculating again."),
        )
        return redirect("payroll:run_detail", pk=run.pk)
    replaced = run.payslips.count()
    try:
        payday_run_recalculate(run=run, user=request.user)
    except PaydayRefused as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Calculating again: %(count)d payslip is replaced. The approvers are told "
                "once the run can be approved.",
                "Calculating again: %(count)d payslips are replaced. The approvers are told "
                "once the run can be approved.",
                replaced,
            )
            % {"count": replaced},
        )
    return redirect("payroll:run_detail", pk=run.pk)


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def run_resume(request, pk: int):
    """Queue again what is not done of a calculating or failed run."""
    run = _run_or_404(pk)
    try:
        payday_run_resume(run=run, user=request.user)
    except PaydayRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The calculation goes on with the parts not done yet."))
    return redirect("payroll:run_detail", pk=run.pk)


def _run_or_404(pk: int):
    run = review.run_get(pk=pk)
    if run is None:
        raise Http404
    return run


@login_required
@permission_required(VIEW_RUN, raise_exception=True)
@require_GET
def run_progress(request, pk: int):
    """What the database holds now; the progress bar polls this every second."""
    return JsonResponse(payday_progress(run=_run_or_404(pk)))


@login_required
@permission_required(VIEW_RUN, raise_exception=True)
@require_GET
def run_detail(request, pk: int):
    run = _run_or_404(pk)
    settings = payroll_settings()
    percent = settings.large_change_percent
    # An off-cycle run pays one-off amounts and corrections: a regular month is no measure.
    previous = review.previous_paid_run(run=run) if run.kind == run.Kind.REGULAR else None
    departments = review.department_totals(run=run, previous=previous, percent=percent)
    large_only = request.GET.get("changes") == "large"
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    # Bounded pagination: no COUNT(*), only "is there a next page".
    rows = list(
        review.payslips_for_review(
            run=run, previous=previous, percent=percent, large_only=large_only
        )[offset : offset + PAGE_SIZE + 1]
    )
    payslips = [
        {
            "slip": slip,
            "previous_net": slip.prior_net,
            "change": (slip.net - slip.prior_net) if slip.prior_net is not None else None,
            "flagged": review.change_is_large(
                current=slip.net, previous=slip.prior_net, percent=percent
            ),
        }
        for slip in rows[:PAGE_SIZE]
    ]
    user = request.user
    large_changes = sum(d.large_changes for d in departments)
    # The Approve form lists the flagged payslips the approver acknowledges (the first ones).
    flagged = (
        list(
            review.payslips_for_review(
                run=run, previous=previous, percent=percent, large_only=True
            )[:FLAGGED_SHOWN]
        )
        if large_changes and run.status == run.Status.CALCULATED
        else []
    )
    return render(
        request,
        "payroll/dashboard/run_detail.html",
        {
            "run": run,
            "period": run.period,
            "progress": payday_progress(run=run),
            "errors": review.payslip_errors(run=run, limit=ERRORS_SHOWN),
            "errors_limit": ERRORS_SHOWN,
            "previous": previous,
            "percent": percent,
            "departments": departments,
            "totals": review.totals_sum(departments),
            "large_changes": large_changes,
            "flagged": [{"slip": slip, "change": slip.net - slip.prior_net} for slip in flagged],
            "payslips": payslips,
            "large_only": large_only,
            "page_number": page_number,
            "has_next": len(rows) > PAGE_SIZE,
            "may_run": user.has_perm(RUN),
            "may_approve": user.has_perm(APPROVE),
            "may_view_slips": user.has_perm(VIEW_SLIP),
            "approval_is_own": run_approval_is_own(run=run, user=user),
            "profiles_changed": run_profiles_changed(run=run)
            if run.status in (run.Status.CALCULATED, run.Status.APPROVED)
            else [],
            "hours_warnings": run_hours_warnings(run=run)
            if run.status in (run.Status.CALCULATED, run.Status.APPROVED)
            else [],
            "bank_file": BankFile.objects.filter(run=run).only("pk", "transactions").first(),
            "cheque_count": run.cheques.count(),
        },
    )


@login_required
@permission_required(APPROVE, raise_exception=True)
@require_POST
def run_approve(request, pk: int):
    """Approve after confirming the net total and the number of payees shown in the form;
    large changes against the last paid run need their own acknowledgement (the service
    refuses without it)."""
    run = _run_or_404(pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the net total and the payees before approving."))
        return redirect("payroll:run_detail", pk=run.pk)
    already = run.status in (run.Status.APPROVED, run.Status.PAID)
    try:
        payday_run_approve(
            run=run,
            user=request.user,
            changes_acknowledged=request.POST.get("acknowledge_changes") == "yes",
        )
    except PaydayRefused as exc:
        _refused(request, exc)
    else:
        if already:  # a second click, or another approver was quicker: nothing happened
            messages.info(request, _("The run was approved already; nothing changed."))
        else:
            messages.success(request, _("The run is approved; it can be paid now."))
    return redirect("payroll:run_detail", pk=run.pk)


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def run_pay(request, pk: int):
    """Pay after confirming the net total and the number of payees shown in the form."""
    run = _run_or_404(pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the net total and the payees before paying."))
        return redirect("payroll:run_detail", pk=run.pk)
    already = run.status == run.Status.PAID
    try:
        payday_run_pay(run=run, user=request.user)
    except PaydayRefused as exc:
        _refused(request, exc)
    else:
        if already:
            messages.info(request, _("The run was paid already; nothing was paid twice."))
        else:
            messages.success(
                request,
                _("The run is paid: the journal entry is posted and the payslips published."),
            )
    return redirect("payroll:run_detail", pk=run.pk)


@login_required
@permission_required(RUN, raise_exception=True)
@require_GET
def run_bankfile(request, pk: int):
    run = _run_or_404(pk)
    bank_file = BankFile.objects.filter(run=run).first()
    if bank_file is None:
        raise Http404
    response = HttpResponse(bank_file.xml.encode("utf-8"), content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="sepa-payroll-{run.pk}-{run.period.payday:%Y%m%d}.xml"'
    )
    return response


@login_required
@permission_required(RUN, raise_exception=True)
@require_GET
def run_cheques(request, pk: int):
    run = _run_or_404(pk)
    data = cheques_pdf_bytes(run=run)
    if data is None:
        raise Http404
    return _pdf_response(data, f"cheques-{run.pk}-{run.period.payday:%Y%m%d}.pdf")


@login_required
@permission_required(VIEW_SLIP, raise_exception=True)
@require_GET
def payslip_detail(request, run_pk: int, pk: int):
    slip = review.payslip_for_review(run_pk=run_pk, pk=pk)
    if slip is None:
        raise Http404
    lines = list(slip.lines.all())
    return render(
        request,
        "payroll/dashboard/payslip_detail.html",
        {
            "slip": slip,
            "run": slip.run,
            "period": slip.run.period,
            "earnings": [ln for ln in lines if ln.kind == "earning"],
            "deductions": [ln for ln in lines if ln.kind == "deduction"],
            "employer": [ln for ln in lines if ln.kind == "employer"],
            "previous": review.previous_payslip(payslip=slip),
            "percent": payroll_settings().large_change_percent,
        },
    )


@login_required
@permission_required(VIEW_SLIP, raise_exception=True)
@require_GET
def payslip_pdf(request, run_pk: int, pk: int):
    slip = review.payslip_for_review(run_pk=run_pk, pk=pk)
    if slip is None:
        raise Http404
    return _pdf_response(
        payslip_pdf_bytes(payslip=slip),
        f"payslip-{slip.employee.personnel_number}-{slip.run.period.start:%Y-%m}.pdf",
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("runs/calculate/", run_calculate, name="run_calculate"),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", run_progress, name="run_progress"),
    path("runs/<int:pk>/recalculate/", run_recalculate, name="run_recalculate"),
    path("runs/<int:pk>/resume/", run_resume, name="run_resume"),
    path("runs/<int:pk>/approve/", run_approve, name="run_approve"),
    path("runs/<int:pk>/pay/", run_pay, name="run_pay"),
    path("runs/<int:pk>/bankfile/", run_bankfile, name="run_bankfile"),
    path("runs/<int:pk>/cheques/", run_cheques, name="run_cheques"),
    path("runs/<int:run_pk>/payslips/<int:pk>/", payslip_detail, name="payslip_detail"),
    path("runs/<int:run_pk>/payslips/<int:pk>/pdf/", payslip_pdf, name="payslip_pdf"),
]
