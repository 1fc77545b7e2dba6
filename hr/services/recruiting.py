"""Writes of recruiting (issue #10): applications from the careers page, the applicant's own
deletion, and the retention purge of rejected applicants.

Files follow their rows: a resume is written before its row and removed again when the row
cannot be saved; deleted rows take their files with them after the commit.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backoffice.mail import mail_link
from hr.models import Application, Opening
from hr.models.personnel_file import private_storage
from hr.recruiting_resumes import resume_inspect
from hr.services.personnel_file import document_download_name

logger = logging.getLogger(__name__)

DELETE_SALT = "hr.recruiting.application-delete"
BATCH = 500


class RateLimited(Exception):
    """Too many applications from one client address: nothing was written."""


def client_hash(address: str) -> str:
    """A keyed hash of the client address: counts applications without keeping the address."""
    key = hashlib.sha256(("recruiting-client:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def application_delete_token(application: Application) -> str:
    return signing.dumps(application.pk, salt=DELETE_SALT)


def application_from_delete_token(token: str) -> int | None:
    """The application id a deletion link names, or None for a forged or damaged token."""
    try:
        value = signing.loads(token, salt=DELETE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _applications_recent(*, client: str) -> int:
    return Application.objects.filter(
        client_hash=client, submitted_at__gte=timezone.now() - timedelta(hours=1)
    ).count()


@transaction.atomic
def application_submit(
    *,
    opening_id: int,
    name: str,
    email: str,
    phone: str = "",
    cover_letter: str = "",
    consent: bool = False,
    language: str,
    resume_data: bytes | None,
    resume_name: str = "",
    client_address: str,
) -> Application:
    """An applicant applies to an open opening with a resume. The resume is checked as hostile
    input (hr.recruiting_resumes) and stored privately under a random name; an earlier
    application of the same e-mail address is linked; the confirmation mail, with the link to
    delete everything, goes after the commit. Raises ValidationError (nothing written) or
    RateLimited."""
    opening = (
        Opening.objects.select_for_update()
        .filter(pk=opening_id, status=Opening.Status.OPEN)
        .first()
    )
    if opening is None:
        raise Opening.DoesNotExist
    client = client_hash(client_address)
    if _applications_recent(client=client) >= settings.RECRUITING_APPLICATIONS_PER_HOUR:
        raise RateLimited
    if resume_data is None:
        raise ValidationError({"resume": _("Please attach your resume (PDF or DOCX).")})
    if any(c in (resume_name or "") for c in "/\\\x00") or resume_name in (".", ".."):
        # The name is never used on disk; a name with folder parts is someone probing.
        raise ValidationError(
            {"resume": _("The file name must not contain folder names or \u201c..\u201d.")}
        )
    try:
        kind = resume_inspect(resume_data)
    except ValidationError as error:
        raise ValidationError({"resume": error.messages}) from None
    email = (email or "").strip()
    earlier = (
        Application.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower(), duplicate_of__isnull=True)
        .order_by("submitted_at", "id")
        .first()
    )
    now = timezone.now()
    application = Application(
        opening=opening,
        name=(name or "").strip(),
        email=email,
        phone=(phone or "").strip(),
        cover_letter=(cover_letter or "").strip(),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        consent_months=settings.RECRUITING_CONSENT_MONTHS if consent else None,
        submitted_at=now,
        stage_changed_at=now,
        duplicate_of=earlier,
        resume_name=document_download_name(resume_name, kind.extension),
        resume_content_type=kind.content_type,
        resume_size=len(resume_data),
        client_hash=client,
    )
    application.full_clean(exclude=["resume", "client_hash"])
    application.resume.save("resume", ContentFile(resume_data), save=False)
    stored = application.resume.name
    try:
        with transaction.atomic():
            application.save()
    except Exception:
        private_storage().delete(stored)
        raise
    from hr.tasks import recruiting_confirmation_send

    recruiting_confirmation_send.delay_on_commit(application.pk)
    return application


def application_confirmation_send(*, application_id: int) -> bool:
    """The applicant's confirmation, in their language, with the link that deletes their
    application. Sent once: a second delivery of the task sends nothing."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("opening")
            .filter(pk=application_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if application is None:
            return False
        application.confirmation_sent_at = timezone.now()
        application.save(update_fields=["confirmation_sent_at"])
        with translation.override(application.language):
            link = mail_link(
                reverse(
                    "careers:application_delete",
                    kwargs={"token": application_delete_token(application)},
                )
            )
            subject = _("Your application: %(title)s") % {"title": application.opening.title}
            body = _(
                "Hello %(name)s,\n\nthank you for your application for \u201c%(title)s\u201d. We "
                "have received it and will get back to you.\n\n%(retention)s\n\nYou can withdraw "
                "your application and have all your data deleted at any time with this link:\n"
                "%(link)s\n"
            ) % {
                "name": application.name,
                "title": application.opening.title,
                "retention": _retention_sentence(application),
                "link": link,
            }
        # Sent inside the transaction that marks it: a failed send leaves it unmarked for the
        # sweep (applications_confirmations_send_pending); a second delivery finds it marked.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.email])
    return True


def applications_confirmations_send_pending() -> int:
    """Sweep: confirmations whose task was lost (broker down at commit time, a failed send)."""
    pending = Application.objects.filter(
        confirmation_sent_at__isnull=True,
        submitted_at__lte=timezone.now() - timedelta(minutes=5),
    ).values_list("pk", flat=True)[:BATCH]
    return sum(application_confirmation_send(application_id=pk) for pk in list(pending))


def _retention_sentence(application: Application) -> str:
    if application.consent_months:
        return _(
            "You agreed that we keep your data for %(months)s months after a rejection, so we "
            "may consider you for other openings."
        ) % {"months": application.consent_months}
    return _(
        "If we cannot offer you the position, your data is deleted %(months)s months after our "
        "decision."
    ) % {"months": settings.RECRUITING_RETENTION_MONTHS}


def _files_delete_after_commit(names: list[str]) -> None:
    def delete() -> None:
        storage = private_storage()
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def application_withdraw(*, application_id: int) -> bool:
    """The applicant deletes their application (the link of the confirmation mail): the row
    and the resume go. Once gone, a second request changes nothing (False)."""
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        return False
    name = application.resume.name
    application.delete()
    _files_delete_after_commit([name])
    logger.info("recruiting: an applicant withdrew their application")
    return True


def _purge_due(now):
    """Rejected applications whose keeping time has run out: the default months after the
    rejection, or the months the applicant consented to."""
    months = models.Func(
        models.functions.Coalesce(
            "consent_months", models.Value(settings.RECRUITING_RETENTION_MONTHS)
        ),
        function="make_interval",
        template="make_interval(months => %(expressions)s)",
        output_field=models.DurationField(),
    )
    return (
        Application.objects.filter(stage=Application.Stage.REJECTED, rejected_at__isnull=False)
        .annotate(
            delete_at=models.ExpressionWrapper(
                models.F("rejected_at") + months, output_field=models.DateTimeField()
            )
        )
        .filter(delete_at__lte=now)
    )


def applications_purge(*, now=None) -> int:
    """Delete rejected applicants' data whose time has come, files included, in batches. Logs
    counts only. Idempotent: a second run finds nothing left to delete."""
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                _purge_due(now)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", "resume")[:BATCH]
            )
            if not batch:
                break
            ids = [pk for pk, _name in batch]
            Application.objects.filter(pk__in=ids).delete()
            _files_delete_after_commit([name for _pk, name in batch])
        deleted += len(batch)
    logger.info("recruiting purge: %d rejected applications and their resumes deleted", deleted)
    return deleted
