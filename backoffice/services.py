"""Writes of the bottom layer: notifications, role assignment and user preferences."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from backoffice.models import Notification, UserPreference
from backoffice.roles import ROLES
from backoffice.stored_text import StoredText, stored_source


@transaction.atomic
def notify(
    *, users: Iterable, subject: str | StoredText, body: str | StoredText = "", link: str = ""
) -> list[Notification]:
    """Put a message in each user's inbox now; mail it after the transaction commits.

    Subject and body given as ``StoredText`` (backoffice.stored_text) are shown to each reader
    in their language; plain text (a person's own words) is shown as written."""
    subject_source, body_source = stored_source(subject), stored_source(body)
    subject, body = str(subject), str(body)
    rows = [
        Notification(
            user=user,
            subject=subject[:200],
            body=body,
            link=link,
            subject_source=subject_source,
            body_source=body_source,
        )
        for user in {u.pk: u for u in users}.values()
    ]
    for row in rows:
        row.full_clean(exclude=["user"])
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    if ids:
        from backoffice.tasks import notification_mail_send

        notification_mail_send.delay_on_commit(ids)
    return created


def notification_mark_read(*, user, notification_id: int) -> int:
    """Mark one of the user's own notifications read; another user's is not found (0)."""
    return Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def user_roles_set(*, user, roles: Iterable[str]) -> None:
    """Give a user exactly these roles; admin access (is_staff) follows the roles."""
    names = list(roles)
    unknown = [n for n in names if n not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(unknown)}")
    groups = list(Group.objects.filter(name__in=names))
    user.groups.set(groups)
    is_staff = user.is_superuser or any(ROLES[n].admin for n in names)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    if hasattr(user, "_backoffice_roles"):
        del user._backoffice_roles


@transaction.atomic
def user_language_set(*, user, language: str) -> UserPreference:
    """Remember the language a user chose (the language switch), for what is rendered for
    them later without a request: their payslips and cheques."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unknown language: {language[:20]!r}")
    preference, _created = UserPreference.objects.select_for_update().get_or_create(user=user)
    if preference.language != language:
        preference.language = language
        preference.save(update_fields=["language"])
    return preference
