"""Recruiting (issue #10): openings and the applications to them.

An application carries what later parts of the pipeline need without remodelling: its stage and
when it last changed, a rating (1-5), the link to the first application of the same e-mail
address (duplicates), the rejection time and the applicant's consent to keep the data longer,
from which the retention purge (hr.services.recruiting.applications_purge) computes the day the
data goes. Resumes are private files under random names (the personnel file's storage).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field
from hr.models.personnel_file import private_storage


class Opening(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        related_name="openings",
        verbose_name=_("department"),
    )
    position = models.ForeignKey(
        "hr.Position",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="openings",
        verbose_name=_("position"),
    )
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_de = models.TextField(_("description (German)"), max_length=20_000)
    description_en = models.TextField(_("description (English)"), max_length=20_000)
    location = models.CharField(_("location"), max_length=200)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    salary_min = money_field(_("salary from (per year)"), null=True, blank=True)
    salary_max = money_field(_("salary up to (per year)"), null=True, blank=True)
    headcount = models.PositiveSmallIntegerField(_("positions to fill"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recruiter in charge"),
    )
    hiring_head = models.ForeignKey(
        "hr.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hiring department head"),
        help_text=_("Empty: the head of the department."),
    )

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        ordering = ["status", "title_de", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(salary_min__isnull=True)
                | models.Q(salary_max__isnull=True)
                | models.Q(salary_min__lte=models.F("salary_max")),
                name="opening_salary_range_ordered",
                violation_error_message=_("The salary range must not end below its start."),
            ),
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1), name="opening_headcount_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "department"], name="opening_status_dept_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if translation.get_language() == "en" else self.title_de

    @property
    def description(self) -> str:
        return self.description_en if translation.get_language() == "en" else self.description_de


def resume_path(instance, filename: str) -> str:
    """A random name: neither the applicant nor the uploaded file's name shows on disk."""
    return f"resumes/{uuid.uuid4().hex}"


class Application(TimeStampedModel):
    class Stage(models.TextChoices):
        NEW = "new", _("New")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        CAREERS = "careers", _("Careers page")
        REFERRAL = "referral", _("Referral")
        AGENCY = "agency", _("Agency")
        OTHER = "other", _("Other")

    opening = models.ForeignKey(
        Opening, on_delete=models.PROTECT, related_name="applications", verbose_name=_("opening")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    cover_letter = models.TextField(_("cover letter"), max_length=10_000, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.CAREERS
    )
    # Months the applicant agreed we keep their data after a rejection; empty: the default
    # (RECRUITING_RETENTION_MONTHS).
    consent_months = models.PositiveSmallIntegerField(
        _("consented to keep (months)"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.NEW)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("earlier application of the same e-mail"),
    )
    resume = models.FileField(
        _("resume"), storage=private_storage, upload_to=resume_path, max_length=200
    )
    resume_name = models.CharField(_("resume file name"), max_length=200)
    resume_content_type = models.CharField(_("resume content type"), max_length=100)
    resume_size = models.PositiveIntegerField(_("resume size in bytes"))
    # HMAC of the client address (never the address): the careers page's rate limit.
    client_hash = models.CharField(max_length=64, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 5)),
                name="application_rating_1_to_5",
                violation_error_message=_("The rating is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="rejected") | models.Q(rejected_at__isnull=False),
                name="application_rejected_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("pk")),
                name="application_not_own_duplicate",
            ),
        ]
        indexes = [
            models.Index(
                fields=["opening", "-submitted_at", "-id"], name="application_opening_idx"
            ),
            models.Index(fields=["opening", "stage"], name="application_stage_idx"),
            models.Index(Lower("email"), name="application_email_idx"),
            models.Index(fields=["client_hash", "submitted_at"], name="application_client_idx"),
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(confirmation_sent_at__isnull=True),
                name="application_unconfirmed_idx",
            ),
            models.Index(
                fields=["rejected_at"],
                condition=models.Q(stage="rejected"),
                name="application_rejected_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.opening_id}"
