"""What the four-eyes changes (pay profiles, the company account) share: values kept as JSON,
who may approve, the refusals every decision checks, and the decision written on the record."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from payroll.models import PendingChange


def user_name(user) -> str:
    if user is None:
        return _("unknown")
    return user.get_full_name() or user.get_username()


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def value_to_json(field: models.Field, value):
    """A field's value as kept in ``changes``/``previous``: Decimals as exact strings with the
    field's places, empty as null, yes/no as booleans, text as text."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, bool):
        return value
    return str(value)


def value_from_json(field: models.Field, value):
    if value is None:
        return None
    return field.to_python(value)


def approvers(*, codename: str, exclude: Iterable[int | None] = ()) -> list:
    """Active users who hold the approve permission (by group or directly) and superusers,
    without the given user ids."""
    perm = (
        Q(
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label="payroll",
        )
        | Q(
            user_permissions__codename=codename,
            user_permissions__content_type__app_label="payroll",
        )
        | Q(is_superuser=True)
    )
    excluded = [pk for pk in exclude if pk is not None]
    return list(
        get_user_model().objects.filter(perm, is_active=True).exclude(pk__in=excluded).distinct()
    )


def decision_check(*, change: PendingChange, user, permission: str) -> None:
    """What refuses any approval or refusal: the permission, a change no longer waiting, and
    the requester deciding on their own request."""
    if not user.has_perm(permission):
        raise PermissionDenied(_("You may not approve or refuse these changes."))
    if change.status != PendingChange.Status.PENDING:
        raise ValidationError(
            _("This change is no longer waiting: it was %(status)s.")
            % {"status": change.get_status_display().lower()}
        )
    if change.requested_by_id == user.pk:
        raise ValidationError(
            _("You asked for this change yourself; a second person approves or refuses it.")
        )


def decision_record(*, change: PendingChange, user, status: str, note: str = "") -> None:
    change.status = status
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_note = note
    change.full_clean()
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def withdrawal_record(*, change: PendingChange, user) -> None:
    """Only the requester withdraws their own waiting request."""
    if change.requested_by_id != user.pk:
        raise PermissionDenied(_("Only the person who asked for a change may withdraw it."))
    if change.status != PendingChange.Status.PENDING:
        raise ValidationError(
            _("This change is no longer waiting: it was %(status)s.")
            % {"status": change.get_status_display().lower()}
        )
    change.status = PendingChange.Status.WITHDRAWN
    change.decided_at = timezone.now()
    change.full_clean()
    change.save(update_fields=["status", "decided_at"])


def note_clean(note: str | None) -> str:
    text = (note or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"decision_note": _("Say why the change is refused.")})
    if len(text) > 2000:
        raise ValidationError({"decision_note": _("The reason is longer than 2,000 characters.")})
    return text
