"""Writes around the personnel file: the access log, documents and staff's change requests."""

from __future__ import annotations

import os
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.services import notify
from backoffice.stored_text import StoredText, stored, stored_label
from hr.models import (
    Employee,
    PersonnelChangeRequest,
    PersonnelDocument,
    PersonnelFile,
    PersonnelFileAccess,
)
from hr.models.personnel_file import private_storage

# What a document may be, recognised by its first bytes, never by its name or the browser's word.
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)

CHANGE_FIELDS = {
    PersonnelChangeRequest.Kind.ADDRESS: PersonnelFile.ADDRESS_FIELDS,
    PersonnelChangeRequest.Kind.EMERGENCY_CONTACT: PersonnelFile.EMERGENCY_CONTACT_FIELDS,
}


def personnel_file_access_record(
    *, viewer, employee: Employee, parts, document: PersonnelDocument | None = None
) -> PersonnelFileAccess:
    """Log one look at a file (or one download): who, when, whose, which parts."""
    return PersonnelFileAccess.objects.create(
        viewer=viewer, employee=employee, parts=sorted(parts), document=document
    )


# --- Documents -----------------------------------------------------------------------------------


def _content_type_of(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in MAGIC:
        if head.startswith(magic):
            return content_type, extension
    return None


def document_download_name(name: str, extension: str) -> str:
    """A file name for the download's Content-Disposition: letters, digits, dot, dash, and the
    extension of the detected type (never the uploaded one: a PDF named ``x.html`` downloads as
    ``x.pdf``)."""
    stem = os.path.splitext(os.path.basename(name or ""))[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:80] or "document"
    return stem + extension


def personnel_document_upload(
    *, user, employee: Employee, kind: str, title: str, upload
) -> PersonnelDocument:
    """Store a document of an employee's file privately under a random name. Only PDF, PNG and
    JPEG (by content) up to PERSONNEL_DOCUMENT_MAX_BYTES."""
    if not user.has_perm("hr.add_personneldocument"):
        raise PermissionDenied
    limit = settings.PERSONNEL_DOCUMENT_MAX_BYTES
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is too large: at most %(mb)s MB.") % {"mb": limit // 2**20}}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {"file": _("The file is too large: at most %(mb)s MB.") % {"mb": limit // 2**20}}
        )
    detected = _content_type_of(data[:16])
    if detected is None:
        raise ValidationError({"file": _("The file must be a PDF, PNG or JPEG document.")})
    content_type, extension = detected
    document = PersonnelDocument(
        employee=employee,
        kind=kind,
        title=(title or "").strip(),
        original_name=document_download_name(getattr(upload, "name", ""), extension),
        content_type=content_type,
        size=len(data),
        uploaded_by=user,
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        private_storage().delete(document.file.name)
        raise
    return document


# --- Change requests -----------------------------------------------------------------------------


def _deciders(*, exclude_user):
    user_model = get_user_model()
    perm = Q(
        groups__permissions__codename="decide_personnelchangerequest",
        groups__permissions__content_type__app_label="hr",
    ) | Q(is_superuser=True)
    return list(
        user_model.objects.filter(perm, is_active=True).exclude(pk=exclude_user.pk).distinct()
    )


@transaction.atomic
def personnel_change_request_submit(*, user, kind: str, values: dict) -> PersonnelChangeRequest:
    """The signed-in employee asks to change their own address or emergency contact. The file
    stays as it is until HR approves."""
    employee = Employee.objects.filter(user=user).first()
    if employee is None:
        raise PermissionDenied
    if kind not in CHANGE_FIELDS:
        raise ValidationError({"kind": _("Choose what to change.")})
    fields = CHANGE_FIELDS[kind]
    file = PersonnelFile.objects.filter(employee=employee).first() or PersonnelFile(
        employee=employee
    )
    changes = {name: str(values.get(name, "") or "").strip() for name in fields}
    previous = {name: getattr(file, name) for name in fields}
    if changes == previous:
        raise ValidationError(_("Nothing would change: the values are the ones on file."))
    candidate = PersonnelFile(employee=employee, **changes)
    candidate.clean_fields(
        exclude=[f.name for f in PersonnelFile._meta.fields if f.name not in fields]
    )
    request = PersonnelChangeRequest(
        employee=employee,
        kind=kind,
        changes=changes,
        previous=previous,
        requested_by=user,
    )
    request.full_clean()
    request.save()
    notify(
        users=_deciders(exclude_user=user),
        subject=stored(
            gettext_noop("Change request for the personnel file of %(name)s"),
            name=employee.full_name,
        ),
        body=stored(
            gettext_noop("%(name)s asks to change their %(kind)s."),
            name=employee.full_name,
            kind=stored_label(request.Kind(request.kind).label).lowered(),
        ),
        link=reverse("hr:personnel_change_request_list"),
    )
    return request


def _locked_pending(change_request_id: int, user) -> PersonnelChangeRequest:
    if not user.has_perm("hr.decide_personnelchangerequest"):
        raise PermissionDenied
    request = (
        PersonnelChangeRequest.objects.select_for_update()
        .select_related("employee", "requested_by")
        .filter(pk=change_request_id)
        .first()
    )
    if request is None:
        raise PersonnelChangeRequest.DoesNotExist
    if request.status != PersonnelChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if request.requested_by_id == user.pk or request.employee.user_id == user.pk:
        raise ValidationError(_("You cannot decide a request about your own file."))
    return request


@transaction.atomic
def personnel_change_request_approve(*, user, change_request_id: int) -> PersonnelChangeRequest:
    """HR approves: the file takes the new values (its history records who and when)."""
    request = _locked_pending(change_request_id, user)
    file = (
        PersonnelFile.objects.select_for_update().filter(employee=request.employee).first()
    ) or PersonnelFile(employee=request.employee)
    fields = [f for f in CHANGE_FIELDS[request.kind] if f in request.changes]
    for name in fields:
        setattr(file, name, request.changes[name])
    file.full_clean()
    file._history_user = user
    if file.pk:
        file.save(update_fields=[*fields, "updated_at"])
    else:
        file.save()
    request.status = PersonnelChangeRequest.Status.APPROVED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.full_clean()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    _tell_requester(request)
    return request


@transaction.atomic
def personnel_change_request_refuse(
    *, user, change_request_id: int, reason: str = ""
) -> PersonnelChangeRequest:
    request = _locked_pending(change_request_id, user)
    request.status = PersonnelChangeRequest.Status.REFUSED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.reason = (reason or "").strip()[:500]
    request.full_clean()
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _tell_requester(request)
    return request


def _tell_requester(request: PersonnelChangeRequest) -> None:
    approved = request.status == PersonnelChangeRequest.Status.APPROVED
    subject = stored(
        gettext_noop("Your change request was approved")
        if approved
        else gettext_noop("Your change request was refused")
    )
    kind = stored_label(request.Kind(request.kind).label)
    # No words of its own to translate: the kind (translated for the reader) and the reason.
    body = (
        StoredText("%(kind)s\n%(reason)s", {"kind": kind, "reason": request.reason})
        if request.reason
        else kind
    )
    notify(
        users=[request.requested_by],
        subject=subject,
        body=body,
        link=reverse("hr:personnel_file", kwargs={"pk": request.employee_id}),
    )
