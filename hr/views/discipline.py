"""Discipline pages: the list and record for HR and heads, the employee's own records to
acknowledge, document upload and download. Every read of a record is logged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.pagination import page_number_from
from hr.forms_discipline import DisciplinaryRecordForm, DocumentForm
from hr.models import DisciplinaryDocument, DisciplinaryRecord, DisciplinaryRecordView
from hr.selectors import discipline as selectors
from hr.selectors import employee_visible_to
from hr.services import discipline as services

PAGE_SIZE = 50


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def discipline_list(request):
    if not selectors.discipline_may_list(user=request.user):
        raise PermissionDenied
    search = request.GET.get("q", "").strip()[:100]
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(
        selectors.discipline_record_list(user=request.user, search=search)[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    return render(
        request,
        "hr/discipline/list.html",
        {
            "records": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "search": search,
        },
    )


@login_required
@require_GET
def discipline_mine(request):
    """The employee's own records, to read and acknowledge."""
    records = list(selectors.discipline_records_own(user=request.user)[:100])
    return render(request, "hr/discipline/mine.html", {"records": records})


@login_required
@require_http_methods(["GET", "POST"])
def discipline_create(request):
    if not selectors.discipline_may_list(user=request.user):
        raise PermissionDenied
    form = DisciplinaryRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Only someone the user may see; anybody else is "not found" like a wrong number.
        employee = (
            employee_visible_to(user=request.user)
            .filter(personnel_number=data["personnel_number"])
            .first()
        )
        if employee is None:
            form.add_error("personnel_number", _("No employee with this number in your reach."))
        else:
            try:
                record = services.disciplinary_record_issue(
                    employee=employee,
                    kind=data["kind"],
                    date=data["date"],
                    reason=data["reason"],
                    description=data["description"],
                    document=data.get("document"),
                    user=request.user,
                )
            except PermissionDenied:
                form.add_error(
                    "personnel_number", _("You may not issue a record to this employee.")
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The disciplinary record was saved."))
                return redirect("hr:discipline_detail", pk=record.pk)
    return render(request, "hr/discipline/create.html", {"form": form})


@login_required
@require_GET
def discipline_detail(request, pk: int):
    """HR managers and the head: the whole record with documents (and, for HR managers, who
    read it). The employee: the text of their own record and the acknowledge button.
    Everyone else: not found. Each read is logged."""
    record = selectors.discipline_record_detail(user=request.user, pk=pk)
    if record is not None:
        services.disciplinary_record_view_log(record=record, user=request.user)
        show_log = selectors.discipline_may_see_access_log(user=request.user)
        return render(
            request,
            "hr/discipline/detail.html",
            {
                "record": record,
                "documents": list(record.documents.all()),
                "views": selectors.discipline_record_views(record_id=record.pk) if show_log else [],
                "show_log": show_log,
                "document_form": DocumentForm(),
            },
        )
    record = selectors.discipline_record_own(user=request.user, pk=pk)
    if record is None:
        raise Http404
    services.disciplinary_record_view_log(
        record=record, user=request.user, part=DisciplinaryRecordView.Part.OWN
    )
    return render(request, "hr/discipline/own.html", {"record": record})


@login_required
@require_POST
def discipline_acknowledge(request, pk: int):
    try:
        services.disciplinary_record_acknowledge(record_id=pk, user=request.user)
    except DisciplinaryRecord.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("You acknowledged the record."))
    return redirect("hr:discipline_detail", pk=pk)


@login_required
@require_POST
def discipline_document_add(request, pk: int):
    record = selectors.discipline_record_detail(user=request.user, pk=pk)
    if record is None:
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("hr:discipline_detail", pk=pk)
    try:
        services.disciplinary_document_add(
            record=record, upload=form.cleaned_data["document"], user=request.user
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The document was added."))
    return redirect("hr:discipline_detail", pk=pk)


@login_required
@require_GET
def discipline_document_download(request, pk: int, document_pk: int):
    """Served only to those who may read the record, as an attachment, never sniffed."""
    record = selectors.discipline_record_detail(user=request.user, pk=pk)
    if record is None:
        raise Http404
    document = DisciplinaryDocument.objects.filter(record=record, pk=document_pk).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    services.disciplinary_record_view_log(
        record=record, user=request.user, part=DisciplinaryRecordView.Part.DOCUMENT
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
