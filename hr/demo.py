"""Demo data for HR: departments, positions, employees (German names) and one login per role."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker

from backoffice import roles
from backoffice.services import user_roles_set
from hr.models import Department, Employee, Position

DEMO_PASSWORD = "demo-Backoffice-2026"

DEPARTMENTS = [
    # code, name, cost center, positions
    ("GF", "Geschäftsführung", "1000", ["Geschäftsführer/in", "Assistenz der Geschäftsführung"]),
    (
        "FIBU",
        "Finanzbuchhaltung",
        "2000",
        ["Buchhalter/in", "Bilanzbuchhalter/in", "Controller/in"],
    ),
    ("PERS", "Personal", "3000", ["Personalreferent/in", "Lohnbuchhalter/in", "Recruiter/in"]),
    ("IT", "IT-Service", "4000", ["Systemadministrator/in", "IT-Support", "Entwickler/in"]),
    ("EINK", "Einkauf und Logistik", "5000", ["Einkäufer/in", "Lagerist/in", "Disponent/in"]),
    ("VERT", "Vertrieb", "6000", ["Vertriebsmitarbeiter/in", "Key Account Manager/in"]),
    ("PROD", "Produktion", "7000", ["Maschinenführer/in", "Schichtleiter/in", "Mechatroniker/in"]),
    ("VERW", "Verwaltung und Empfang", "8000", ["Sachbearbeiter/in", "Empfang", "Büroleitung"]),
]

# username, role, department code, personnel number of the employee the login belongs to
ROLE_LOGINS = [
    ("staff", roles.STAFF, "VERT"),
    ("dataentry", roles.DATA_ENTRY_CLERK, "PERS"),
    ("payroll", roles.PAYROLL_CLERK, "PERS"),
    ("accountant", roles.ACCOUNTANT, "FIBU"),
    ("auditor", roles.AUDITOR, "FIBU"),
    ("hrmanager", roles.HR_MANAGER, "PERS"),
    ("recruiter", roles.RECRUITER, "PERS"),
    ("depthead", roles.DEPARTMENT_HEAD, "VERT"),
    ("helpdesk", roles.HELPDESK_AGENT, "IT"),
    ("office", roles.OFFICE_MANAGER, "VERW"),
]

# One login per department head, so every department's hours and leave have someone to approve
# them ("depthead" above heads Vertrieb). Each belongs to the department's first employee.
HEAD_LOGINS = [
    ("head-gf", "GF"),
    ("head-fibu", "FIBU"),
    ("head-pers", "PERS"),
    ("head-it", "IT"),
    ("head-eink", "EINK"),
    ("head-prod", "PROD"),
    ("head-verw", "VERW"),
]


def _personnel_number(i: int) -> str:
    return f"P{i:06d}"


@transaction.atomic
def seed_hr(*, employees: int = 200, stdout=None) -> list[str]:
    """Create what is missing; a second run with the same size changes nothing."""
    fake = Faker("de_DE")
    Faker.seed(2026)
    rnd = random.Random(2026)

    departments = {}
    for code, name, cost_center, _positions in DEPARTMENTS:
        dept, _c = Department.objects.get_or_create(
            code=code, defaults={"name": name, "cost_center": cost_center}
        )
        departments[code] = dept
    Position.objects.bulk_create(
        [
            Position(department=departments[code], title=title)
            for code, _n, _cc, titles in DEPARTMENTS
            for title in titles
        ],
        ignore_conflicts=True,
    )
    code_by_pk = {dept.pk: code for code, dept in departments.items()}
    positions: dict[str, list[Position]] = {}
    for p in Position.objects.filter(department__in=departments.values()).order_by("pk"):
        positions.setdefault(code_by_pk[p.department_id], []).append(p)

    existing = set(
        Employee.objects.filter(personnel_number__startswith="P").values_list(
            "personnel_number", flat=True
        )
    )
    codes = [code for code, *_rest in DEPARTMENTS]
    # The first employees are planned: one head per department, then one per role login.
    planned = codes + [code for _u, _r, code in ROLE_LOGINS]
    today = timezone.localdate()
    new = []
    for i in range(1, employees + 1):
        # Draw every value even for existing rows, so the sequence (and each row) is the same
        # on every run whatever is already there.
        first, last = fake.first_name(), fake.last_name()
        code = planned[i - 1] if i <= len(planned) else rnd.choice(codes)
        position = rnd.choice(positions[code])
        hire = today - timedelta(days=rnd.randint(30, 365 * 15))
        employment_type = (
            Employee.EmploymentType.HOURLY
            if code in ("PROD", "EINK") and rnd.random() < 0.7
            else Employee.EmploymentType.SALARIED
        )
        phone = f"+49 30 {rnd.randint(1000000, 9999999)}"
        number = _personnel_number(i)
        if number in existing:
            continue
        new.append(
            Employee(
                personnel_number=number,
                first_name=first,
                last_name=last,
                work_email=f"{number.lower()}@example.com",
                phone=phone,
                department=departments[code],
                position=position,
                employment_type=employment_type,
                hire_date=hire,
            )
        )
    Employee.objects.bulk_create(new, batch_size=2000)

    # The first employee of each department heads it.
    for dept in departments.values():
        if dept.head_id is None:
            head = Employee.objects.filter(department=dept).order_by("personnel_number").first()
            if head:
                dept.head = head
                dept.save(update_fields=["head", "updated_at"])

    lines = _seed_logins(departments)
    return lines


def _seed_logins(departments: dict[str, Department]) -> list[str]:
    user_model = get_user_model()
    lines = []
    admin, created = user_model.objects.get_or_create(
        username="admin",
        defaults={"is_superuser": True, "is_staff": True, "email": "admin@example.com"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    lines.append(f"  {'admin':<12} superuser")
    heads = [(username, roles.DEPARTMENT_HEAD, code) for username, code in HEAD_LOGINS]
    for username, role, code in [*ROLE_LOGINS, *heads]:
        dept = departments[code]
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user_roles_set(user=user, roles=[role])
        if not Employee.objects.filter(user=user).exists():
            if role == roles.DEPARTMENT_HEAD:
                employee = dept.head
            else:
                employee = (
                    Employee.objects.filter(department=dept, user__isnull=True)
                    .exclude(pk=dept.head_id)
                    .order_by("personnel_number")
                    .first()
                )
            if employee is not None and employee.user_id is None:
                employee.user = user
                employee.save(update_fields=["user", "updated_at"])
                user.first_name, user.last_name = employee.first_name, employee.last_name
                user.save(update_fields=["first_name", "last_name"])
        label = f"{role} ({dept.name})" if role == roles.DEPARTMENT_HEAD else role
        lines.append(f"  {username:<12} {label}")
    return [f"Demo logins (password: {DEMO_PASSWORD}):", *lines]
