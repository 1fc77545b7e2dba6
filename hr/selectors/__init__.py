"""Reads of HR: who may see which employee, and the lists built on that."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hr.models import Department, Employee


def employee_for_user(*, user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Employee.objects.select_related("department", "position", "manager")
        .filter(user=user)
        .first()
    )


def departments_headed_by(*, user) -> QuerySet[Department]:
    return Department.objects.filter(head__user=user)


def departments_led_by(*, user) -> QuerySet[Department]:
    """The departments a user acts for as head (approving their hours): those they head; a
    superuser may do what every role can, so every department."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return Department.objects.all()
    return departments_headed_by(user=user)


def employee_visible_to(*, user) -> QuerySet[Employee]:
    """The employees a user may see: all (with hr.view_all_employees), the departments they
    head, and always themselves. Everything else is not found (404), never forbidden."""
    qs = Employee.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.has_perm("hr.view_all_employees"):
        return qs
    return qs.filter(Q(user=user) | Q(department__head__user=user))


def employee_list(*, user, search: str = "", department: str = "") -> QuerySet[Employee]:
    qs = employee_visible_to(user=user).select_related("department", "position")
    if search:
        qs = qs.filter(
            Q(last_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(personnel_number__iexact=search)
        )
    if department:
        qs = qs.filter(department__code=department)
    return qs.order_by("last_name", "first_name", "personnel_number")


def employee_detail(*, user, pk: int) -> Employee | None:
    return (
        employee_visible_to(user=user)
        .select_related("department", "position", "manager", "user")
        .filter(pk=pk)
        .first()
    )


def employee_may_list(*, user) -> bool:
    """Lists are for people who look after others: HR and payroll staff, and department heads.
    Cached on the user object: the home page and the navigation both ask."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_hr_may_list", None)
    if cached is None:
        cached = user.has_perm("hr.view_all_employees") or (
            departments_headed_by(user=user).exists()
        )
        user._hr_may_list = cached
    return cached


def department_list_for(*, user) -> QuerySet[Department]:
    if user.has_perm("hr.view_all_employees"):
        return Department.objects.all()
    return departments_headed_by(user=user)


def employees_with_ended_logins(*, today) -> QuerySet[Employee]:
    """Employees whose termination date has passed but whose login is still active."""
    return Employee.objects.filter(
        termination_date__lt=today, user__isnull=False, user__is_active=True
    )
