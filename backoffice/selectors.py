"""Reads of the bottom layer."""

from __future__ import annotations

from django.db.models import QuerySet

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
