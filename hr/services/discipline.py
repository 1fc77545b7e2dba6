"""Writes of discipline: issue a record, attach documents, log each read, acknowledge."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.services import notify
from backoffice.stored_text import stored, stored_label
from hr.models import DisciplinaryDocument, DisciplinaryRecord, DisciplinaryRecordView, Employee
from hr.services.personnel_file import document_download_name

# Recognised by the first bytes, never by the name or the browser's content type.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def document_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, PNG or JPEG by its first bytes; None otherwise."""
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def _may_issue(*, user, employee: Employee) -> bool:
    if employee.user_id is not None and employee.user_id == user.pk:
        return False  # a rule about persons: nobody, HR or superuser, warns themselves
    if user.has_perm("hr.add_disciplinaryrecord"):
        return True
    head_user_id = employee.department.head.user_id if employee.department.head_id else None
    return head_user_id is not None and head_user_id == user.pk


def _document_validated(upload) -> tuple[bytes, str, str]:
    size = getattr(upload, "size", None)
    if size is None or size > settings.HR_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "document": _("The file is larger than %(mb)s MB.")
                % {"mb": settings.HR_DOCUMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    content = upload.read(settings.HR_DOCUMENT_MAX_BYTES + 1)
    if len(content) > settings.HR_DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": _("The file is too large.")})
    if not content:
        raise ValidationError({"document": _("The file is empty.")})
    kind = document_kind(content[:16])
    if kind is None:
        raise ValidationError({"document": _("Only PDF, PNG and JPEG files are accepted.")})
    return content, kind[0], kind[1]


def _document_store(*, record: DisciplinaryRecord, upload, user) -> DisciplinaryDocument:
    content, content_type, extension = _document_validated(upload)
    document = DisciplinaryDocument(
        record=record,
        original_name=document_download_name(getattr(upload, "name", ""), extension),
        content_type=content_type,
        size=len(content),
        uploaded_by=user,
    )
    document.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    try:
        document.full_clean(exclude=["file"])
        document.save()
    except Exception:
        # No row, no file. (Should the surrounding transaction roll back later, the file stays
        # behind under a random name that no row and no URL names: unreachable, not exposed.)
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def disciplinary_record_issue(
    *,
    employee: Employee,
    kind: str,
    date: datetime.date,
    reason: str,
    description: str = "",
    document=None,
    user,
) -> DisciplinaryRecord:
    """Record a warning. HR managers may issue one to anybody but themselves; a department head
    to the people of their department (never to themselves). The employee is told in their inbox."""
    employee = Employee.objects.select_related("department", "department__head").get(pk=employee.pk)
    if not _may_issue(user=user, employee=employee):
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date lies in the future.")})
    record = DisciplinaryRecord(
        employee=employee,
        kind=kind,
        date=date,
        reason=reason,
        description=description,
        issued_by=user,
    )
    record.full_clean()
    record.save()
    if document is not None:
        _document_store(record=record, upload=document, user=user)
    if employee.user_id:
        notify(
            users=[employee.user],
            subject=stored(gettext_noop("A disciplinary record awaits your acknowledgement")),
            body=stored(
                gettext_noop("%(kind)s of %(date)s: %(reason)s"),
                kind=stored_label(DisciplinaryRecord.Kind(record.kind).label),
                date=record.date,
                reason=record.reason,
            ),
            link=reverse("hr:discipline_detail", args=[record.pk]),
        )
    return record


@transaction.atomic
def disciplinary_document_add(*, record: DisciplinaryRecord, upload, user) -> DisciplinaryDocument:
    """Attach a document; whoever may issue a record to the employee may attach to it."""
    record = DisciplinaryRecord.objects.select_for_update().get(pk=record.pk)
    employee = Employee.objects.select_related("department", "department__head").get(
        pk=record.employee_id
    )
    if not _may_issue(user=user, employee=employee):
        raise PermissionDenied
    return _document_store(record=record, upload=upload, user=user)


def disciplinary_record_view_log(
    *, record: DisciplinaryRecord, user, part: str = DisciplinaryRecordView.Part.RECORD
) -> DisciplinaryRecordView:
    """Log one read. Called by every view that shows a record or serves its document."""
    return DisciplinaryRecordView.objects.create(record=record, user=user, part=part)


@transaction.atomic
def disciplinary_record_acknowledge(*, record_id: int, user) -> DisciplinaryRecord:
    """The employee confirms they received the record; the first confirmation's time stays.
    Only the employee themselves can acknowledge (anyone else: not found)."""
    record = (
        DisciplinaryRecord.objects.select_for_update()
        .filter(pk=record_id, employee__user=user)
        .first()
    )
    if record is None:
        raise DisciplinaryRecord.DoesNotExist
    if record.acknowledged_at is None:
        record.acknowledged_at = timezone.now()
        record.save(update_fields=["acknowledged_at", "updated_at"])
    return record
