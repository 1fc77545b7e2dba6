"""Views of accounting: bank statements, their import, matching, booking and reconciling.
Accountants only (auditors may view); every rule lives in ``accounting.services.bank``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounting import selectors
from accounting.forms.bank import LineBookForm, LineMatchForm, StatementImportForm
from accounting.models import Account, BankStatementLine
from accounting.services import bank as services
from accounting.views.payments import form_errors_add
from backoffice.pagination import page_number_from
from hr.models import Department

PAGE_SIZE = 50
LINES_PAGE_SIZE = 100

_VIEW = "accounting.view_bankstatement"
_CHANGE_LINE = "accounting.change_bankstatementline"


@login_required
@permission_required(_VIEW, raise_exception=True)
@require_GET
def statement_list(request):
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(selectors.statement_list()[offset : offset + PAGE_SIZE + 1])
    return render(
        request,
        "accounting/bank/statement_list.html",
        {
            "statements": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
        },
    )


@login_required
@permission_required([_VIEW, "accounting.add_bankstatement"], raise_exception=True)
def statement_import(request):
    form = StatementImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = services.statement_import(
                bank_account=form.cleaned_data["bank_account"],
                file=upload,
                filename=upload.name,
                user=request.user,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            matched = statement.lines.filter(status=BankStatementLine.Status.MATCHED).count()
            text = ngettext(
                "Statement %(reference)s imported; %(matched)d line matched to a payment.",
                "Statement %(reference)s imported; %(matched)d lines matched to payments.",
                matched,
            )
            messages.success(request, text % {"reference": statement.reference, "matched": matched})
            return redirect("accounting:statement_detail", pk=statement.pk)
    return render(request, "accounting/bank/statement_import.html", {"form": form})


@login_required
@permission_required(_VIEW, raise_exception=True)
@require_GET
def statement_detail(request, pk: int):
    statement = selectors.statement_detail(pk=pk)
    if statement is None:
        raise Http404
    status = request.GET.get("status", "")
    if status not in BankStatementLine.Status.values:
        status = ""
    page_number = page_number_from(request)
    offset = (page_number - 1) * LINES_PAGE_SIZE
    lines = list(
        selectors.statement_lines(statement=statement, status=status)[
            offset : offset + LINES_PAGE_SIZE + 1
        ]
    )
    has_next, lines = len(lines) > LINES_PAGE_SIZE, lines[:LINES_PAGE_SIZE]
    suggestions = selectors.statement_suggestions(statement=statement, lines=lines)
    may_change = statement.reconciled_at is None and request.user.has_perm(_CHANGE_LINE)
    for line in lines:
        line.suggestions = suggestions.get(line.pk, [])
    ledger = selectors.ledger_bank_balance(
        account_id=statement.bank_account_id, date=statement.date
    )
    return render(
        request,
        "accounting/bank/statement_detail.html",
        {
            "statement": statement,
            "lines": lines,
            "counts": selectors.statement_line_counts(statement=statement),
            "status": status,
            "statuses": BankStatementLine.Status.choices,
            "has_next": has_next,
            "page_number": page_number,
            "ledger_balance": ledger,
            "difference": statement.closing_balance - ledger,
            "may_change": may_change,
            "may_reconcile": statement.reconciled_at is None
            and request.user.has_perm("accounting.change_bankstatement"),
            # Evaluated once for every line's booking form.
            "accounts": list(Account.objects.filter(is_bank=False, active=True).order_by("number"))
            if may_change
            else [],
            "departments": list(Department.objects.order_by("code").only("code", "name"))
            if may_change
            else [],
        },
    )


def _line_or_404(pk: int) -> BankStatementLine:
    line = BankStatementLine.objects.filter(pk=pk).first()
    if line is None:
        raise Http404
    return line


def _report(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


@login_required
@permission_required([_VIEW, _CHANGE_LINE], raise_exception=True)
@require_POST
def statement_line_match(request, pk: int):
    line = _line_or_404(pk)
    form = LineMatchForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    else:
        try:
            services.statement_line_match(
                line=line, payment=form.cleaned_data["payment"], user=request.user
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("The line was matched to the payment."))
    return redirect("accounting:statement_detail", pk=line.statement_id)


@login_required
@permission_required([_VIEW, _CHANGE_LINE], raise_exception=True)
@require_POST
def statement_line_book(request, pk: int):
    line = _line_or_404(pk)
    form = LineBookForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    else:
        try:
            services.statement_line_book(
                line=line,
                account=form.cleaned_data["account"],
                department=form.cleaned_data["department"],
                user=request.user,
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("The line was booked."))
    return redirect("accounting:statement_detail", pk=line.statement_id)


@login_required
@permission_required([_VIEW, "accounting.change_bankstatement"], raise_exception=True)
@require_POST
def statement_reconcile(request, pk: int):
    statement = selectors.statement_detail(pk=pk)
    if statement is None:
        raise Http404
    try:
        services.statement_reconcile(statement=statement, user=request.user)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The statement is reconciled."))
    return redirect("accounting:statement_detail", pk=pk)


urlpatterns = [
    path("statements/", statement_list, name="statement_list"),
    path("statements/import/", statement_import, name="statement_import"),
    path("statements/<int:pk>/", statement_detail, name="statement_detail"),
    path("statements/<int:pk>/reconcile/", statement_reconcile, name="statement_reconcile"),
    path("statements/lines/<int:pk>/match/", statement_line_match, name="statement_line_match"),
    path("statements/lines/<int:pk>/book/", statement_line_book, name="statement_line_book"),
]
