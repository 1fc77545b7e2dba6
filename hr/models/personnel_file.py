"""Around the personnel file: its private documents, the log of who looked at it, and staff's
requests to change their own address or emergency contact (issue #8, item 1)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class PrivateStorage(FileSystemStorage):
    """Files outside MEDIA_ROOT and the static files: ``settings.PRIVATE_MEDIA_ROOT``, read on
    each use (a test may point it elsewhere). There is no URL: files leave only through a view
    that checks who asks (hr.views.personnel_file.personnel_document_download)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise NotImplementedError("private files have no URL")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _private_storage


def personnel_document_path(instance, filename: str) -> str:
    """A random name: neither the employee nor the uploaded file's name shows on disk."""
    return f"personnel/{uuid.uuid4().hex}"


class PersonnelDocument(models.Model):
    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        CERTIFICATE = "certificate", _("Certificate")
        OTHER = "other", _("Other")

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="personnel_documents",
        verbose_name=_("employee"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=personnel_document_path, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("personnel document")
        verbose_name_plural = _("personnel documents")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["employee", "-uploaded_at"], name="personnel_document_emp_idx")
        ]

    def __str__(self) -> str:
        return self.title


class PersonnelFileAccess(models.Model):
    """One look at a personnel file (or one download of a document): who, when, whose, what."""

    class Part(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        TAX = "tax", _("Tax and social insurance")
        CONTRACT = "contract", _("Contract")
        EMERGENCY = "emergency", _("Emergency contact")
        DOCUMENTS = "documents", _("Documents")
        HISTORY = "history", _("History")

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewer"),
    )
    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("employee"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    parts = ArrayField(
        models.CharField(max_length=20, choices=Part.choices), verbose_name=_("parts")
    )
    document = models.ForeignKey(
        PersonnelDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document downloaded"),
    )

    class Meta:
        verbose_name = _("personnel file access")
        verbose_name_plural = _("personnel file accesses")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="personnel_access_at_idx"),
            models.Index(fields=["employee", "-at", "-id"], name="personnel_access_emp_idx"),
            models.Index(fields=["viewer", "-at", "-id"], name="personnel_access_viewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.employee_id} @ {self.at:%Y-%m-%d %H:%M}"

    @cached_property
    def part_labels(self) -> list[str]:
        labels = dict(self.Part.choices)
        return [str(labels.get(p, p)) for p in self.parts]


class PersonnelChangeRequest(models.Model):
    """A staff member asks for a change of their own address or emergency contact; HR decides
    (never the requester). The file changes only on approval."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("Address")
        EMERGENCY_CONTACT = "emergency_contact", _("Emergency contact")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="personnel_change_requests",
        verbose_name=_("employee"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    changes = models.JSONField(_("new values"), default=dict)
    previous = models.JSONField(_("old values"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("personnel change request")
        verbose_name_plural = _("personnel change requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "kind"],
                condition=models.Q(status="pending"),
                name="personnel_change_one_pending_per_kind",
                violation_error_message=_(
                    "There is already a pending request of this kind: wait for HR's decision."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="personnel_change_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_by__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_by__isnull=False)),
                name="personnel_change_decided_has_decider",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-requested_at"], name="personnel_change_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee}"
