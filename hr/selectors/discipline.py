"""Reads of discipline: who may see which disciplinary record.

- HR managers (``hr.view_disciplinaryrecord``) see every record.
- The head of a department sees the records of its people, never their own record.
- The employee sees the text of their own records (``record_own_for``), only to acknowledge
  them: no documents, no access log.
- Nobody else sees anything: payroll clerks and auditors see every employee, but not this.

A record outside a user's reach is not found (404), never forbidden, so its existence does not
leak.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hr.models import DisciplinaryRecord, DisciplinaryRecordView


def discipline_sees_all(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "hr.view_disciplinaryrecord"
    )


def discipline_records_visible_to(*, user) -> QuerySet[DisciplinaryRecord]:
    """The records a user may read in full (with documents)."""
    qs = DisciplinaryRecord.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if discipline_sees_all(user=user):
        return qs
    return qs.filter(employee__department__head__user=user).exclude(employee__user=user)


def heads_a_department(*, user) -> bool:
    """Whether the user heads any department; cached on the user object for the request (the
    home page asks for several links)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_hr_heads_a_department", None)
    if cached is None:
        from hr.selectors import departments_headed_by

        cached = departments_headed_by(user=user).exists()
        user._hr_heads_a_department = cached
    return cached


def discipline_may_list(*, user) -> bool:
    """HR managers, and heads of a department."""
    if not getattr(user, "is_authenticated", False):
        return False
    return discipline_sees_all(user=user) or heads_a_department(user=user)


def discipline_record_list(*, user, search: str = "") -> QuerySet[DisciplinaryRecord]:
    qs = discipline_records_visible_to(user=user).select_related("employee", "employee__department")
    if search:
        qs = qs.filter(
            Q(employee__last_name__icontains=search)
            | Q(employee__first_name__icontains=search)
            | Q(employee__personnel_number__iexact=search)
        )
    return qs.order_by("-date", "-id")


def discipline_record_detail(*, user, pk: int) -> DisciplinaryRecord | None:
    return (
        discipline_records_visible_to(user=user)
        .select_related("employee", "employee__department", "issued_by")
        .filter(pk=pk)
        .first()
    )


def discipline_record_own(*, user, pk: int) -> DisciplinaryRecord | None:
    """One of the user's own records (the employee's side)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        DisciplinaryRecord.objects.select_related("employee")
        .filter(pk=pk, employee__user=user)
        .first()
    )


def discipline_records_own(*, user) -> QuerySet[DisciplinaryRecord]:
    if not getattr(user, "is_authenticated", False):
        return DisciplinaryRecord.objects.none()
    return DisciplinaryRecord.objects.filter(employee__user=user).order_by("-date", "-id")


def discipline_record_views(*, record_id: int, limit: int = 50) -> list[DisciplinaryRecordView]:
    """The latest reads of a record (for HR managers only: the view decides)."""
    return list(
        DisciplinaryRecordView.objects.filter(record_id=record_id)
        .select_related("user")
        .order_by("-viewed_at", "-id")[:limit]
    )


def discipline_may_see_access_log(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "hr.view_disciplinaryrecordview"
    )
