"""Writes of HR: the employee lifecycle from hire to termination."""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.models import Department, Employee, Position
from hr.selectors import employees_with_ended_logins

logger = logging.getLogger(__name__)


@transaction.atomic
def employee_hire(
    *,
    personnel_number: str,
    first_name: str,
    last_name: str,
    department: Department,
    employment_type: str,
    hire_date: date,
    position: Position | None = None,
    manager: Employee | None = None,
    work_email: str = "",
    phone: str = "",
    user=None,
) -> Employee:
    employee = Employee(
        personnel_number=personnel_number,
        first_name=first_name,
        last_name=last_name,
        department=department,
        position=position,
        manager=manager,
        employment_type=employment_type,
        hire_date=hire_date,
        work_email=work_email,
        phone=phone,
        user=user,
    )
    employee.full_clean()
    employee.save()
    return employee


@transaction.atomic
def employee_terminate(*, employee: Employee, termination_date: date) -> Employee:
    """Record the last working day. The login is closed once that day has passed
    (``deactivate_terminated_logins``, run hourly by Celery beat)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.termination_date == termination_date:
        return employee
    if termination_date < employee.hire_date:
        raise ValidationError(
            {"termination_date": _("The termination date lies before the hire date.")}
        )
    employee.termination_date = termination_date
    if termination_date <= timezone.localdate():
        employee.status = Employee.Status.TERMINATED
    employee.full_clean()
    employee.save(update_fields=["termination_date", "status", "updated_at"])
    if termination_date < timezone.localdate():
        logins_of_terminated_deactivate(today=timezone.localdate())
    return employee


@transaction.atomic
def logins_of_terminated_deactivate(*, today: date) -> int:
    """Close the logins of employees whose termination date has passed. Idempotent."""
    ended = list(employees_with_ended_logins(today=today).values_list("pk", "user_id"))
    if not ended:
        return 0
    user_ids = [user_id for _pk, user_id in ended]
    count = get_user_model().objects.filter(pk__in=user_ids, is_active=True).update(is_active=False)
    Employee.objects.filter(pk__in=[pk for pk, _u in ended]).exclude(
        status=Employee.Status.TERMINATED
    ).update(status=Employee.Status.TERMINATED, updated_at=timezone.now())
    logger.info("Deactivated %d logins of terminated employees", count)
    return count
