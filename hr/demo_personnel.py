"""Demo data for the personnel file: every demo employee gets a filled file (valid tax IDs and
social-insurance numbers with correct check digits), and a few staff logins have a pending
change request. Idempotent: employees who have a file keep it; a pending request is not asked
for twice. Bulk inserts, so ``seed_demo --employees 10000`` stays quick."""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from faker import Faker
from stdnum.de import idnr

from hr.models import Employee, PersonnelChangeRequest, PersonnelFile
from hr.personnel_validators import (
    social_insurance_birth_date_part,
    social_insurance_check_digit,
    tax_id_check_digit,
)

AREAS = ("02", "03", "04", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18")
AREAS += ("19", "20", "21", "23", "24", "25", "26", "28", "29", "38", "39", "40", "42", "45")
CHANGE_REQUEST_LOGINS = ("staff", "depthead", "dataentry")
BATCH = 2000
RELATIONS = ("Ehepartner/in", "Mutter", "Vater", "Partner/in")


def demo_tax_id(rnd: random.Random) -> str:
    """A Steuer-ID that passes the official rules (and stdnum): first digit not 0, among the
    first ten one digit twice and the rest once, ISO 7064 MOD 11,10 check digit."""
    while True:
        digits = rnd.sample("0123456789", 9)
        digits.append(rnd.choice(digits))
        rnd.shuffle(digits)
        if digits[0] == "0":
            continue
        first_ten = "".join(digits)
        number = first_ten + tax_id_check_digit(first_ten)
        if idnr.is_valid(number):
            return number


def demo_social_insurance_number(rnd: random.Random, birth_date, last_name: str) -> str:
    letter = unicodedata.normalize("NFKD", last_name or "X").encode("ascii", "ignore").decode()
    letter = (letter[:1] or "X").upper()
    if not letter.isalpha():
        letter = "X"
    first_eleven = (
        rnd.choice(AREAS)
        + social_insurance_birth_date_part(birth_date)
        + letter
        + f"{rnd.randint(0, 99):02d}"
    )
    return first_eleven + social_insurance_check_digit(first_eleven)


@transaction.atomic
def seed_personnel_files(*, employees: int = 200, stdout=None) -> list[str]:
    fake = Faker("de_DE")
    Faker.seed(2028)
    rnd = random.Random(2028)
    missing = list(
        Employee.objects.filter(personnel_file__isnull=True)
        .order_by("pk")
        .values_list("pk", "last_name", "hire_date")
    )
    rows = []
    for pk, last_name, hire_date in missing:
        birth = hire_date - timedelta(days=rnd.randint(18 * 365, 45 * 365))
        contract_type = rnd.choices(
            list(PersonnelFile.ContractType.values), weights=[70, 15, 5, 5, 5]
        )[0]
        fixed_term_end = None
        if contract_type == PersonnelFile.ContractType.FIXED_TERM:
            fixed_term_end = hire_date + timedelta(days=rnd.choice((365, 730)))
        rows.append(
            PersonnelFile(
                employee_id=pk,
                street=fake.street_address(),
                postal_code=fake.postcode(),
                city=fake.city(),
                birth_date=birth,
                tax_id=demo_tax_id(rnd),
                social_insurance_number=demo_social_insurance_number(rnd, birth, last_name),
                tax_class=rnd.choices([1, 2, 3, 4, 5, 6], weights=[50, 5, 15, 20, 8, 2])[0],
                church_tax=rnd.random() < 0.5,
                contract_type=contract_type,
                weekly_hours=Decimal(rnd.choice(("40.00", "38.50", "30.00", "20.00"))),
                contract_start=hire_date,
                probation_end=hire_date + timedelta(days=182),
                fixed_term_end=fixed_term_end,
                notice_period="4 Wochen zum 15. oder zum Monatsende",
                vacation_days_per_year=rnd.choice((28, 30, 30, 30)),
                emergency_contact_name=fake.name(),
                emergency_contact_phone=f"+49 170 {rnd.randint(1000000, 9999999)}",
                emergency_contact_relation=rnd.choice(
                    ("Ehepartner/in", "Mutter", "Vater", "Partner/in")
                ),
            )
        )
    PersonnelFile.objects.bulk_create(rows, batch_size=BATCH)

    requests = 0
    staff = Employee.objects.filter(user__username__in=CHANGE_REQUEST_LOGINS).select_related(
        "user", "personnel_file"
    )
    for employee in staff:
        if PersonnelChangeRequest.objects.filter(employee=employee).exists():
            continue
        file = employee.personnel_file
        fields = PersonnelFile.ADDRESS_FIELDS
        PersonnelChangeRequest.objects.create(
            employee=employee,
            kind=PersonnelChangeRequest.Kind.ADDRESS,
            changes={**{f: getattr(file, f) for f in fields}, "street": fake.street_address()},
            previous={f: getattr(file, f) for f in fields},
            requested_by=employee.user,
        )
        requests += 1
    return [f"  personnel files: {len(rows)} new, change requests: {requests} new"]
