"""Reads of the bottom layer."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import translation

from backoffice.models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    """Unread messages, capped at 100 so the header never counts a huge inbox."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return len(
        Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True)[
            :100
        ]
    )


def user_language_chosen(*, user) -> str:
    """The language the user chose (``UserPreference.language``, set by the language switch or
    the security page) as a supported code, or "" when they never chose one. Select
    ``preference`` along with a batch of users; alone it costs one query."""
    try:
        chosen = user.preference.language
    except ObjectDoesNotExist:
        return ""
    if not chosen:
        return ""
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return ""


def user_language(*, user) -> str:
    """The language to write to the user in without a request (their mail): what they chose,
    else the site's default."""
    return user_language_chosen(user=user) or settings.LANGUAGE_CODE
