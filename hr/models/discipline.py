"""Discipline: warnings with documents, the employee's acknowledgement, and a log of who read
each record.

Who may read a record is decided in ``hr.selectors.discipline``: HR managers
(``hr.view_disciplinaryrecord``) and the head of the employee's department, never the head's
own record. The employee sees the text of their own records, only to acknowledge them. Every
read goes into ``DisciplinaryRecordView``.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel


class PrivateDocumentStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT and never given a URL: they are served only through a
    view that checks who asks (``hr.views.discipline.document_download``). The folder is read
    from the settings on every use, so tests can point it elsewhere."""

    def __init__(self, subfolder: str = "discipline") -> None:
        self.subfolder = subfolder
        super().__init__()

    @property
    def base_location(self):  # type: ignore[override]
        return os.path.join(settings.HR_PRIVATE_DOCUMENTS_ROOT, self.subfolder)

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private documents have no URL; serve them through a view.")

    def deconstruct(self):
        return ("hr.models.discipline.PrivateDocumentStorage", (self.subfolder,), {})


discipline_storage = PrivateDocumentStorage("discipline")


class DisciplinaryRecord(TimeStampedModel):
    class Kind(models.TextChoices):
        VERBAL = "verbal", _("Verbal warning")
        WRITTEN = "written", _("Written warning")
        FINAL = "final", _("Final warning")

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.PROTECT,
        related_name="disciplinary_records",
        verbose_name=_("employee"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("disciplinary record")
        verbose_name_plural = _("disciplinary records")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["employee", "-date"], name="discipline_employee_idx"),
            models.Index(fields=["-date", "-id"], name="discipline_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date} · {self.employee_id}"


class DisciplinaryDocument(models.Model):
    """A document of a record (the written warning, a statement): PDF, PNG or JPEG, recognised
    by its content, stored under a random name in the private folder."""

    record = models.ForeignKey(
        DisciplinaryRecord,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("disciplinary record"),
    )
    file = models.FileField(_("file"), storage=discipline_storage, upload_to="%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disciplinary document")
        verbose_name_plural = _("disciplinary documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DisciplinaryRecordView(models.Model):
    """One read of a disciplinary record (or of one of its documents): who, when, which."""

    class Part(models.TextChoices):
        RECORD = "record", _("Record")
        DOCUMENT = "document", _("Document")
        OWN = "own", _("Own record (to acknowledge)")

    record = models.ForeignKey(
        DisciplinaryRecord,
        on_delete=models.CASCADE,
        related_name="views",
        verbose_name=_("disciplinary record"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    part = models.CharField(_("part"), max_length=10, choices=Part.choices)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disciplinary record view")
        verbose_name_plural = _("disciplinary record views")
        ordering = ["-viewed_at", "-id"]
        indexes = [
            models.Index(fields=["record", "-viewed_at"], name="discipline_view_record_idx"),
            models.Index(fields=["-viewed_at"], name="discipline_view_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.record_id} · {self.viewed_at:%Y-%m-%d %H:%M}"
