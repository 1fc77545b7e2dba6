"""Helpers for the personnel-file tests (issue #8, item 1)."""

import datetime
import random

from hr.demo_personnel import demo_social_insurance_number, demo_tax_id
from hr.models import PersonnelFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def personnel_file(employee, **fields) -> PersonnelFile:
    rnd = random.Random(employee.pk)
    birth = datetime.date(1985, 4, 12)
    values = {
        "street": "Lindenstraße 5",
        "postal_code": "10115",
        "city": "Berlin",
        "birth_date": birth,
        "tax_id": demo_tax_id(rnd),
        "social_insurance_number": demo_social_insurance_number(rnd, birth, employee.last_name),
        "tax_class": PersonnelFile.TaxClass.I,
        "emergency_contact_name": "Erika Muster",
        "emergency_contact_phone": "+49 170 1234567",
        "emergency_contact_relation": "Mutter",
        **fields,
    }
    file = PersonnelFile(employee=employee, **values)
    file.full_clean()
    file.save()
    return file
