"""Audit findings move open -> acknowledged -> resolved (or open -> resolved), with a comment
on resolving. They are never deleted (a database trigger refuses DELETE)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.models import Finding


@transaction.atomic
def finding_acknowledge(*, finding: Finding, user) -> Finding:
    """An auditor has seen the finding and is looking into it."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != Finding.Status.OPEN:
        raise ValidationError(
            _("Only an open finding can be acknowledged; this one is %(status)s.")
            % {"status": finding.get_status_display()}
        )
    finding.status = Finding.Status.ACKNOWLEDGED
    finding.acknowledged_by = user
    finding.acknowledged_at = timezone.now()
    finding.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    return finding


@transaction.atomic
def finding_resolve(*, finding: Finding, user, comment: str) -> Finding:
    """Close the finding with a comment saying what was found and done."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Say how the finding was resolved: a comment is required.")}
        )
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == Finding.Status.RESOLVED:
        raise ValidationError(_("This finding is already resolved."))
    finding.status = Finding.Status.RESOLVED
    finding.comment = comment
    finding.resolved_by = user
    finding.resolved_at = timezone.now()
    finding.save(update_fields=["status", "comment", "resolved_by", "resolved_at", "updated_at"])
    return finding
