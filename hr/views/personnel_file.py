"""Pages of the personnel file: the file itself (as far as the viewer may see it), its
documents, the access log, and staff's change requests with HR's decision.

A file the viewer may not see is not found (404); HR-only lists answer 403 to others."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.pagination import page_number_from
from hr.models import PersonnelChangeRequest, PersonnelDocument, PersonnelFile
from hr.selectors import employee_for_user
from hr.selectors import personnel_file as selectors
from hr.services import personnel_file as services

PAGE_SIZE = 50
Part = selectors.Part


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PersonnelDocument.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("PDF, PNG or JPEG."))


def _change_form(kind: str):
    field_names = services.CHANGE_FIELDS[kind]
    return forms.modelform_factory(PersonnelFile, fields=list(field_names))


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def personnel_file(request, pk: int):
    page = selectors.personnel_file_page(user=request.user, employee_pk=pk)
    if page is None:
        raise Http404
    services.personnel_file_access_record(
        viewer=request.user, employee=page.employee, parts=page.parts
    )
    may_upload = request.user.has_perm("hr.add_personneldocument")
    return render(
        request,
        "hr/personnel_file/file.html",
        {
            "page": page,
            "employee": page.employee,
            "file": page.file,
            "Part": Part,
            "is_own": page.employee.user_id == request.user.pk,
            "upload_form": DocumentUploadForm() if may_upload else None,
        },
    )


@login_required
@require_POST
def personnel_document_upload(request, pk: int):
    page = selectors.personnel_file_page(user=request.user, employee_pk=pk)
    if page is None:
        raise Http404
    if not request.user.has_perm("hr.add_personneldocument"):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.personnel_document_upload(
                user=request.user,
                employee=page.employee,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The document is stored in the personnel file."))
            return redirect("hr:personnel_file", pk=pk)
    services.personnel_file_access_record(
        viewer=request.user, employee=page.employee, parts=page.parts
    )
    return render(
        request,
        "hr/personnel_file/file.html",
        {
            "page": page,
            "employee": page.employee,
            "file": page.file,
            "Part": Part,
            "is_own": page.employee.user_id == request.user.pk,
            "upload_form": form,
        },
        status=400,
    )


@login_required
@require_GET
def personnel_document_download(request, pk: int, document_pk: int):
    document = selectors.personnel_document_for_download(
        user=request.user, employee_pk=pk, document_pk=document_pk
    )
    if document is None:
        raise Http404
    services.personnel_file_access_record(
        viewer=request.user, employee=document.employee, parts=[Part.DOCUMENTS], document=document
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def personnel_change_request_new(request, kind: str):
    """From "my profile": ask HR to change one's own address or emergency contact."""
    if kind not in services.CHANGE_FIELDS:
        raise Http404
    employee = employee_for_user(user=request.user)
    if employee is None:
        raise Http404
    current = PersonnelFile.objects.filter(employee=employee).first() or PersonnelFile(
        employee=employee
    )
    form_class = _change_form(kind)
    form = form_class(
        request.POST or None,
        instance=PersonnelFile(
            **{name: getattr(current, name) for name in services.CHANGE_FIELDS[kind]}
        ),
    )
    pending = PersonnelChangeRequest.objects.filter(
        employee=employee, kind=kind, status=PersonnelChangeRequest.Status.PENDING
    ).first()
    if request.method == "POST" and form.is_valid():
        try:
            services.personnel_change_request_submit(
                user=request.user, kind=kind, values=form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request waits for HR's approval; you are told when HR decides."),
            )
            return redirect("hr:my_profile")
    return render(
        request,
        "hr/personnel_file/change_request_form.html",
        {
            "form": form,
            "kind_label": PersonnelChangeRequest.Kind(kind).label,
            "pending": pending,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def personnel_change_request_list(request):
    if not request.user.has_perm("hr.decide_personnelchangerequest"):
        raise PermissionDenied
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(selectors.personnel_change_requests_pending()[offset : offset + PAGE_SIZE + 1])
    labels = {f.name: f.verbose_name for f in PersonnelFile._meta.fields}
    return render(
        request,
        "hr/personnel_file/change_request_list.html",
        {
            "requests": [
                (
                    r,
                    [
                        (labels.get(name, name), r.previous.get(name, ""), value)
                        for name, value in r.changes.items()
                    ],
                )
                for r in rows[:PAGE_SIZE]
            ],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
        },
    )


def _decide(request, pk: int, approve: bool):
    if not request.user.has_perm("hr.decide_personnelchangerequest"):
        raise PermissionDenied
    try:
        if approve:
            services.personnel_change_request_approve(user=request.user, change_request_id=pk)
            messages.success(request, _("Approved: the personnel file has the new values."))
        else:
            services.personnel_change_request_refuse(
                user=request.user,
                change_request_id=pk,
                reason=request.POST.get("reason", "")[:500],
            )
            messages.success(request, _("Refused: the personnel file stays as it was."))
    except PersonnelChangeRequest.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("hr:personnel_change_request_list")


@login_required
@require_POST
def personnel_change_request_approve(request, pk: int):
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def personnel_change_request_refuse(request, pk: int):
    return _decide(request, pk, approve=False)


@login_required
@require_GET
def personnel_file_access_log(request):
    if not request.user.has_perm("hr.view_personnelfile_access_log"):
        raise PermissionDenied
    employee = request.GET.get("employee", "").strip()[:20]
    viewer = request.GET.get("viewer", "").strip()[:150]
    qs = selectors.personnel_file_access_log(employee=employee, viewer=viewer)
    # Bounded pagination: no COUNT(*) over a log that only grows, only "is there a next page".
    page_number = page_number_from(request)
    offset = (page_number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    return render(
        request,
        "hr/personnel_file/access_log.html",
        {
            "entries": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page_number": page_number,
            "employee": employee,
            "viewer": viewer,
        },
    )
