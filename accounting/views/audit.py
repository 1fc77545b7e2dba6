"""Views of accounting: internal audit. Auditors see, acknowledge and resolve findings, run the
checks and verify the ledger's hash chain; accountants may look at findings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounting.audit import audit_run as run_checks
from accounting.audit import check_titles
from accounting.models import Finding
from accounting.selectors import ledger_verify as verify_chain
from accounting.services.audit import finding_acknowledge, finding_resolve
from backoffice.pagination import page_number_from

PAGE_SIZE = 50


class FindingResolveForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=gettext_lazy("What was found, and what was done about it."),
    )


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
@require_GET
def finding_list(request):
    _require(request, "accounting.view_finding")
    titles = check_titles()
    status = request.GET.get("status", "").strip()
    check = request.GET.get("check", "").strip()
    if status not in Finding.Status.values:
        status = ""
    if check not in titles:
        check = ""
    qs = Finding.objects.only(
        "pk",
        "check_code",
        "title",
        "title_source",
        "severity",
        "status",
        "created_at",
        "last_seen_at",
    ).order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if check:
        qs = qs.filter(check_code=check)
    # Bounded pagination: no COUNT(*) over the whole table, only "is there a next page".
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    findings = rows[:PAGE_SIZE]
    for finding in findings:
        finding.check_title = titles.get(finding.check_code, finding.check_code)
    return render(
        request,
        "accounting/audit/finding_list.html",
        {
            "findings": findings,
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "status": status,
            "check": check,
            "statuses": Finding.Status.choices,
            "checks": sorted(titles.items()),
            "may_run": request.user.has_perm("accounting.run_audit"),
        },
    )


@login_required
@require_GET
def finding_detail(request, pk: int):
    _require(request, "accounting.view_finding")
    return _detail(request, pk=pk, resolve_form=FindingResolveForm())


def _detail(request, *, pk: int, resolve_form: FindingResolveForm):
    finding = get_object_or_404(
        Finding.objects.select_related("acknowledged_by", "resolved_by"), pk=pk
    )
    return render(
        request,
        "accounting/audit/finding_detail.html",
        {
            "finding": finding,
            "check_title": check_titles().get(finding.check_code, finding.check_code),
            "may_change": request.user.has_perm("accounting.change_finding"),
            "resolve_form": resolve_form,
        },
    )


@login_required
@require_POST
def finding_acknowledge_view(request, pk: int):
    _require(request, "accounting.change_finding")
    finding = get_object_or_404(Finding, pk=pk)
    try:
        finding_acknowledge(finding=finding, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The finding is acknowledged."))
    return redirect("accounting:finding_detail", pk=pk)


@login_required
@require_POST
def finding_resolve_view(request, pk: int):
    _require(request, "accounting.change_finding")
    finding = get_object_or_404(Finding, pk=pk)
    form = FindingResolveForm(request.POST)
    if form.is_valid():
        try:
            finding_resolve(
                finding=finding, user=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The finding is resolved."))
            return redirect("accounting:finding_detail", pk=pk)
    return _detail(request, pk=pk, resolve_form=form)


@login_required
@require_POST
def audit_run(request):
    _require(request, "accounting.run_audit")
    result = run_checks()
    messages.success(
        request,
        ngettext(
            "The audit checks ran: %(count)d new finding.",
            "The audit checks ran: %(count)d new findings.",
            result.new,
        )
        % {"count": result.new},
    )
    if result.failed:
        messages.error(
            request,
            _("These checks failed and were skipped: %(checks)s.")
            % {"checks": ", ".join(result.failed)},
        )
    return redirect("accounting:finding_list")


@login_required
@require_GET
def ledger_verify(request):
    _require(request, "accounting.run_audit")
    return render(request, "accounting/audit/ledger_verify.html", {"result": verify_chain()})


urlpatterns = [
    path("audit/", finding_list, name="finding_list"),
    path("audit/run/", audit_run, name="audit_run"),
    path("audit/ledger/", ledger_verify, name="ledger_verify"),
    path("audit/<int:pk>/", finding_detail, name="finding_detail"),
    path("audit/<int:pk>/acknowledge/", finding_acknowledge_view, name="finding_acknowledge"),
    path("audit/<int:pk>/resolve/", finding_resolve_view, name="finding_resolve"),
]
