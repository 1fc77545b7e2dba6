"""Demo data of the lifecycle: onboarding checklists in progress, a few transfers (one still
planned) and a few terminations with their offboarding checklists.

Runs after the ``hr`` seeder and picks employees by personnel number from the end of the range
(far from the heads and role logins at its start). Idempotent: an employee who already has a
checklist, a transfer or a termination is left alone. A handful of rows through the services,
so the size of the company does not matter.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hr.models import Checklist, Department, Employee, EmploymentChange, Position, Termination
from hr.services.lifecycle import (
    checklist_create,
    checklist_item_tick,
    employment_terminate,
    employment_transfer,
)

ONBOARDING_OFFSETS = (1, 2, 3, 4)
TRANSFERS = ((10, -60), (11, -10), (12, 14))  # offset from the end, days from today
TERMINATIONS = (
    (20, Termination.Reason.RESIGNATION, 14),
    (21, Termination.Reason.MUTUAL, 30),
    (22, Termination.Reason.FIXED_TERM_END, 45),
)


def _employee(employees: int, offset: int) -> Employee | None:
    number = employees - offset
    if number <= 40:  # the heads and role logins live at the start of the range
        return None
    return (
        Employee.objects.filter(personnel_number=f"P{number:06d}", termination_date__isnull=True)
        .select_related("department")
        .first()
    )


@transaction.atomic
def seed_lifecycle(*, employees: int = 200, stdout=None) -> list[str]:
    today = timezone.localdate()
    hr_user = get_user_model().objects.filter(username="hrmanager").first()
    made = {"onboarding": 0, "transfers": 0, "terminations": 0}

    for i, offset in enumerate(ONBOARDING_OFFSETS):
        employee = _employee(employees, offset)
        if employee is None or employee.checklists.exists():
            continue
        # A new joiner: hired in the last weeks.
        employee.hire_date = today - timedelta(days=3 + 7 * i)
        employee.save(update_fields=["hire_date", "updated_at"])
        checklist = checklist_create(employee=employee, kind=Checklist.Kind.ONBOARDING)
        for item in list(checklist.items.order_by("order", "key"))[: i + 1]:
            checklist_item_tick(item=item, user=hr_user)
        made["onboarding"] += 1

    departments = list(Department.objects.order_by("code"))
    for offset, days in TRANSFERS:
        employee = _employee(employees, offset)
        if employee is None or EmploymentChange.objects.filter(employee=employee).exists():
            continue
        target = departments[(departments.index(employee.department) + 1) % len(departments)]
        position = Position.objects.filter(department=target).order_by("title").first()
        employment_transfer(
            employee=employee,
            department=target,
            position=position,
            manager=None,
            valid_from=max(today + timedelta(days=days), employee.hire_date),
            by=hr_user,
            note="Demo",
        )
        made["transfers"] += 1

    for offset, reason, days in TERMINATIONS:
        employee = _employee(employees, offset)
        if employee is None or Termination.objects.filter(employee=employee).exists():
            continue
        employment_terminate(
            employee=employee,
            reason=reason,
            notice_given_on=today - timedelta(days=10),
            last_day=today + timedelta(days=days),
            by=hr_user,
        )
        checklist = employee.checklists.get(kind=Checklist.Kind.OFFBOARDING)
        first = checklist.items.order_by("order", "key").first()
        if first is not None:
            checklist_item_tick(item=first, user=hr_user)
        made["terminations"] += 1

    return [
        "Lifecycle: {onboarding} onboarding checklists, {transfers} transfers, "
        "{terminations} terminations with offboarding checklists".format(**made)
    ]
