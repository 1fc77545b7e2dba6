"""Demo absences: a year of them for every demo employee (vacation taken and planned, a few open
requests, sick days with and without a certificate, now and then special or unpaid leave).

Idempotent: employees who already have absences are left alone. Bulk inserts, no service calls:
the random plan keeps each employee's absences apart and within their entitlement.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from hr import absence_calculation as calc
from hr.models import Absence, Employee

BATCH = 5000


def _plan(rnd: random.Random, today: datetime.date) -> list[tuple[str, str, int, int]]:
    """(kind, status, offset of the first day from today, length in days) for one employee,
    on separate weeks of the last twelve months and the next two."""
    weeks = rnd.sample(range(-52, 9), 8)
    plan = []
    for n, week in enumerate(weeks[: rnd.randint(3, 6)]):
        future = week > 0
        if n < 3:
            kind = Absence.Kind.VACATION
            length = rnd.choice([3, 5, 5, 10]) if n == 0 else rnd.choice([1, 2, 5])
        else:
            kind = rnd.choices(
                [Absence.Kind.SICK, Absence.Kind.SPECIAL_LEAVE, Absence.Kind.UNPAID_LEAVE],
                weights=[6, 2, 1],
            )[0]
            if kind == Absence.Kind.SICK and future:
                continue
            length = rnd.choice([1, 2, 3]) if kind != Absence.Kind.SICK else rnd.choice([1, 3, 5])
        if kind == Absence.Kind.SICK:
            status = Absence.Status.APPROVED
        elif future and rnd.random() < 0.3:
            status = Absence.Status.REQUESTED
        else:
            status = Absence.Status.APPROVED
        plan.append((kind, status, week * 7, length))
    return plan


@transaction.atomic
def seed_absences(*, employees: int = 200, stdout=None) -> list[str]:
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    rnd = random.Random(2027)
    done = set(Absence.objects.values_list("employee_id", flat=True).distinct())
    rows = []
    staff = (
        Employee.objects.filter(personnel_number__startswith="P")
        .order_by("personnel_number")
        .values_list("pk", "hire_date", "termination_date", "user_id")
    )
    now = timezone.now()
    for pk, hire, termination, user_id in staff.iterator(chunk_size=2000):
        plan = _plan(rnd, today)  # drawn for everybody, so each run draws the same
        if pk in done:
            continue
        for kind, status, offset, length in plan:
            start = monday + datetime.timedelta(days=offset)
            end = start + datetime.timedelta(days=length - 1)
            if start.year != end.year:
                end = datetime.date(start.year, 12, 31)
            if start < hire or (termination and end > termination):
                continue
            days = calc.leave_days(start, end)
            if not days:
                continue
            decided = status == Absence.Status.APPROVED
            rows.append(
                Absence(
                    employee_id=pk,
                    kind=kind,
                    status=status,
                    start_date=start,
                    end_date=end,
                    days=days,
                    certificate_date=start + datetime.timedelta(days=2)
                    if kind == Absence.Kind.SICK and length > 2
                    else None,
                    requested_by_id=user_id,
                    decided_at=now if decided else None,
                )
            )
    Absence.objects.bulk_create(rows, batch_size=BATCH)
    return [f"Absences: {len(rows)} new."] if rows else []
