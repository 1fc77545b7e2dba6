"""The off-cycle page: the payroll clerk names employees (typed, with a bounded autocomplete),
a reason and an amount each, and starts the run. From there the run goes the regular run's way
on its own page (progress, review, a second person approves, pay, payslips).

The rules live in ``payroll.services.offcycle``; a refusal is a message on the page and
nothing is written.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.money import ZERO
from payroll.forms import offcycle_formset_class
from payroll.models import OffCycleItem, PayPeriod, PayrollRun
from payroll.selectors import offcycle_employees_find, offcycle_runs_of
from payroll.services.offcycle import MAX_ENTRIES as MAX_ROWS
from payroll.services.offcycle import OffCycleEntry, offcycle_run_cancel, offcycle_run_create
from payroll.services.payday import PaydayRefused

RUN = "payroll.run_payday"
ROWS = 5
PREFIX = "row"


def _period_or_404(value) -> PayPeriod:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    return get_object_or_404(PayPeriod.objects.select_related("schedule"), pk=pk)


def _with_more_rows(data, *, rows: int):
    """The posted rows as typed, then ``rows`` empty ones ("More rows"): nothing is checked
    or written, nothing typed is lost."""
    posted = offcycle_formset_class(rows=1)(data, prefix=PREFIX)
    fields = list(posted.form.base_fields)
    typed = [
        {name: data.get(f"{PREFIX}-{i}-{name}", "") for name in fields}
        for i in range(posted.total_form_count())
    ]
    formset_class = offcycle_formset_class(rows=max(0, min(rows, MAX_ROWS - len(typed))))
    return formset_class(initial=typed, prefix=PREFIX)


def _key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


@login_required
@permission_required(RUN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def offcycle_new(request):
    """GET ?period=<pk>: the form; POST: create the run and open it, or ("More rows")
    show the rows as typed with empty ones added."""
    source = request.POST if request.method == "POST" else request.GET
    if "period" not in source:
        return redirect("payroll:dashboard")
    period = _period_or_404(source.get("period"))
    try:
        rows = int(request.GET.get("rows", ROWS))
    except ValueError:
        rows = ROWS
    formset_class = offcycle_formset_class(rows=rows)
    key = _key(request.POST.get("key")) if request.method == "POST" else uuid.uuid4()
    if request.method == "POST" and "more_rows" in request.POST:
        formset = _with_more_rows(request.POST, rows=ROWS)
        key = key or uuid.uuid4()
    elif request.method == "POST":
        formset = formset_class(request.POST, prefix=PREFIX)
        if key is None:
            messages.error(request, _("The form is incomplete; please fill it in again."))
            key = uuid.uuid4()
        elif formset.is_valid():
            entries = [
                OffCycleEntry(
                    employee_id=row["employee_obj"].pk,
                    kind=row["kind"],
                    amount=row.get("amount") or ZERO,
                    text=row.get("text") or "",
                )
                for row in formset.cleaned_data
                if row.get("employee_obj") is not None
            ]
            try:
                run = offcycle_run_create(
                    period=period, user=request.user, entries=entries, creation_key=key
                )
            except PaydayRefused as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _(
                        "Off-cycle run %(run)d is being calculated; a second person approves "
                        "it on this page before it is paid."
                    )
                    % {"run": run.pk},
                )
                return redirect("payroll:run_detail", pk=run.pk)
        else:
            messages.error(request, _("Correct the rows marked below."))
    else:
        formset = formset_class(prefix=PREFIX)
    return render(
        request,
        "payroll/dashboard/offcycle_new.html",
        {
            "period": period,
            "formset": formset,
            "key": key,
            "reasons": OffCycleItem.Kind.choices,
            "runs": offcycle_runs_of(period=period),
            "more_rows": formset.total_form_count() < MAX_ROWS,
            "search_url": reverse("payroll:offcycle_employees"),
        },
    )


@login_required
@permission_required(RUN, raise_exception=True)
@require_GET
def offcycle_employees(request):
    """The autocomplete: at most 20 employees the period's off-cycle run may pay whose name or
    personnel number contains ``q``."""
    period = _period_or_404(request.GET.get("period"))
    query = request.GET.get("q", "")[:100].replace("\x00", "")
    return JsonResponse({"results": offcycle_employees_find(period=period, query=query)})


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def offcycle_cancel(request, pk: int):
    """Cancel an off-cycle run that is not paid; the form on the run's page asks for
    confirmation first."""
    run = get_object_or_404(PayrollRun, pk=pk, kind=PayrollRun.Kind.OFF_CYCLE)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the run is to be cancelled."))
        return redirect("payroll:run_detail", pk=run.pk)
    already = run.status == PayrollRun.Status.CANCELLED
    try:
        offcycle_run_cancel(run=run, user=request.user)
    except PaydayRefused as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if already:
            messages.info(request, _("The run was cancelled already; nothing changed."))
        else:
            messages.success(
                request,
                _(
                    "Off-cycle run %(run)d is cancelled: nothing was paid and its payslips "
                    "are deleted. Its employees can be named in another run."
                )
                % {"run": run.pk},
            )
    return redirect("payroll:run_detail", pk=run.pk)


urlpatterns = [
    path("offcycle/new/", offcycle_new, name="offcycle_new"),
    path("offcycle/employees/", offcycle_employees, name="offcycle_employees"),
    path("offcycle/runs/<int:pk>/cancel/", offcycle_cancel, name="offcycle_cancel"),
]
