"""Background work of the bottom layer."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation

from backoffice.mail import mail_link
from backoffice.models import Notification
from backoffice.selectors import user_language

MAIL_BATCH = 500


def _send(ids: list[int] | None) -> int:
    """Mail the given (or all pending) notifications that were not mailed yet. Idempotent:
    the rows are locked and marked in the same transaction, so a second delivery sends nothing."""
    sent = 0
    with transaction.atomic():
        qs = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            emailed_at__isnull=True
        )
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        else:
            qs = qs.filter(created_at__lte=timezone.now() - timedelta(minutes=5))
        rows = list(qs.select_related("user__preference").order_by("pk")[:MAIL_BATCH])
        messages = []
        for n in rows:
            if not n.user.email:
                continue
            # In the recipient's language, not the writer's (nor the worker's): the one they
            # chose, else the site's default.
            with translation.override(user_language(user=n.user)):
                subject, text = n.subject_text, n.body_text
            # The inbox keeps the path; a mail client needs the whole address.
            body = text + (f"\n\n{mail_link(n.link)}" if n.link else "")
            messages.append(
                EmailMessage(subject[:200], body, settings.DEFAULT_FROM_EMAIL, [n.user.email])
            )
        if messages:
            with get_connection() as connection:
                sent = connection.send_messages(messages) or 0
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return sent


@shared_task(name="backoffice.tasks.notification_mail_send")
def notification_mail_send(ids: list[int]) -> int:
    return _send(list(ids))


@shared_task(name="backoffice.tasks.notification_mail_send_pending")
def notification_mail_send_pending() -> int:
    """Sweep for notifications whose mail task was lost (broker down at commit time)."""
    return _send(None)
