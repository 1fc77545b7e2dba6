"""Training: courses (the IT department's trainings on new software and devices included),
sessions, enrolments with attendance, completion and certificate expiry, the trainings each
position requires, and the reminders sent about them.

A requirement is met while the employee holds a completed enrolment of the course whose
certificate has not expired (``Enrolment.expires_on`` is null when the course's certificates
never expire). ``hr.selectors.training`` computes who is overdue or expiring in SQL.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.stored_text import format_datetime


class Course(TimeStampedModel):
    class Category(models.TextChoices):
        GENERAL = "general", _("General")
        SAFETY = "safety", _("Occupational safety")
        FIRST_AID = "first_aid", _("First aid")
        DATA_PROTECTION = "data_protection", _("Data protection")
        IT = "it", _("IT: software and devices")
        LEADERSHIP = "leadership", _("Leadership")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.GENERAL
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the certificate does not expire."),
    )
    required_for = models.ManyToManyField(
        "hr.Position",
        through="hr.RequiredTraining",
        related_name="required_courses",
        blank=True,
        verbose_name=_("required for positions"),
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["title"], name="course_unique_title"),
            models.CheckConstraint(
                condition=models.Q(validity_months__isnull=True) | models.Q(validity_months__gt=0),
                name="course_validity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RequiredTraining(models.Model):
    """A course every holder of a position must have completed (and keep current)."""

    position = models.ForeignKey(
        "hr.Position",
        on_delete=models.CASCADE,
        related_name="required_trainings",
        verbose_name=_("position"),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("course"),
    )

    class Meta:
        verbose_name = _("required training")
        verbose_name_plural = _("required trainings")
        constraints = [
            models.UniqueConstraint(fields=["position", "course"], name="required_training_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position} · {self.course}"


class TrainingSession(TimeStampedModel):
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=12)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="training_session_capacity_positive"
            ),
        ]
        indexes = [models.Index(fields=["course", "-starts_at"], name="session_course_idx")]

    def __str__(self) -> str:
        return f"{self.course} · {format_datetime(self.starts_at)}"


class Enrolment(TimeStampedModel):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("No-show")
        COMPLETED = "completed", _("Completed")

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("employee"),
    )
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("session"),
    )
    # Denormalised from the session so that "has a current certificate of course X" is one
    # indexed lookup; set by the services, never edited on its own.
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    certificate_date = models.DateField(_("certificate date"), null=True, blank=True)
    # certificate_date + the course's validity; null: does not expire (or not completed).
    expires_on = models.DateField(_("certificate expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-created_at", "-id"]
        permissions = [
            (
                "view_training_status",
                _("Can see every employee's required trainings and who is overdue"),
            ),
            # hr has no model of the compliance dashboard itself; its permission lives here.
            ("view_compliance_dashboard", _("Can see the labour-law compliance dashboard")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["employee", "session"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(certificate_date__isnull=False),
                name="enrolment_completed_has_certificate_date",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(
                    certificate_date__isnull=False, expires_on__gt=models.F("certificate_date")
                ),
                name="enrolment_expiry_after_certificate",
            ),
        ]
        indexes = [
            models.Index(
                fields=["employee", "course", "expires_on"],
                name="enrolment_completed_idx",
                condition=models.Q(status="completed"),
            ),
            models.Index(fields=["session", "status"], name="enrolment_session_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.session_id} · {self.status}"


class TrainingReminder(models.Model):
    """What the reminder task told: one row per employee, course and expiry (null: never
    completed). The unique constraint makes a second run, or a second delivery of the task,
    remind nobody twice; ``notified_at`` is set in the transaction that writes the inbox rows."""

    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.CASCADE,
        related_name="training_reminders",
        verbose_name=_("employee"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("course")
    )
    expires_on = models.DateField(_("certificate expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training reminder")
        verbose_name_plural = _("training reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "course", "expires_on"],
                nulls_distinct=False,
                name="training_reminder_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="training_reminder_pending_idx",
                condition=models.Q(notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.course_id} · {self.expires_on}"
