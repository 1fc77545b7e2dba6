"""Abstract base models, the per-user notification inbox that every app writes to, and each
user's language preference (documents rendered for them in the background use it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.stored_text import render_stored


class TimeStampedModel(models.Model):
    """Adds created and modified timestamps (aware datetimes)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Notification(TimeStampedModel):
    """One message in one user's inbox; mailed once, after the transaction that wrote it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # The message ids and parameters of subject and body (backoffice.stored_text), so each
    # reader sees them in their language; subject and body keep the rendering at writing time
    # (the fallback, and all there is for rows written before).
    subject_source = models.JSONField(_("subject source"), null=True, blank=True, editable=False)
    body_source = models.JSONField(_("message source"), null=True, blank=True, editable=False)
    link = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(
                fields=["created_at"],
                name="notification_unmailed_idx",
                condition=models.Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject_text

    @property
    def subject_text(self) -> str:
        """The subject in the active language."""
        return render_stored(self.subject_source, self.subject)

    @property
    def body_text(self) -> str:
        """The message in the active language."""
        return render_stored(self.body_source, self.body)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class UserPreference(models.Model):
    """What a user chose for themselves. ``language`` is set by the language switch and read
    where something is rendered for the user without a request (payslips, cheques); blank:
    never chosen, the company default applies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    # A code of settings.LANGUAGES (not as choices: a change of those needs no migration).
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return str(self.user)
