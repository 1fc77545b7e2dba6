"""The HR admin's imports and exports, outside the test's transaction (issue #7, item 1).

An import writes the whole file in one transaction of its own; run inside the test's wrapping
transaction a missing ``atomic`` (or an ``on_commit`` that never runs) would go unseen.
tests/backoffice/test_post_views_committed.py checks that every POST URL has such a test; the
department import's is in tests/backoffice/test_import_storage.py.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from backoffice import roles
from hr.models import Employee
from hr.resources import DepartmentResource, EmployeeResource
from tests.hr.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = (
    "personnel_number,first_name,last_name,work_email,phone,department,position,manager,"
    "employment_type,hire_date,termination_date,status\n"
)


@pytest.fixture(autouse=True)
def committed():
    """The point of this file: no transaction around the test."""
    assert not connection.in_atomic_block


@pytest.fixture
def hr_manager(make_user):
    return make_user(roles.HR_MANAGER)


def test_hr_manager_imports_employees_in_two_steps(client, hr_manager):
    """Upload, check, confirm: both new employees are stored, the manager link resolved."""
    DepartmentFactory(code="VERT")
    content = (
        HEADER
        + "P1,Anna,Schmidt,anna@example.com,,VERT,,,salaried,2024-01-15,,active\n"
        + "P2,Jonas,Weber,jonas@example.com,,VERT,,P1,hourly,2024-02-01,,active\n"
    )
    client.force_login(hr_manager)
    upload = client.post(
        reverse("admin:hr_employee_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("e.csv", content.encode(), content_type="text/csv"),
        },
    )
    assert upload.status_code == 200
    confirm = upload.context["confirm_form"]
    response = client.post(
        reverse("admin:hr_employee_process_import"),
        {name: confirm.initial.get(name, "") for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Employee.objects.get(personnel_number="P2").manager.personnel_number == "P1"


@pytest.mark.parametrize(
    ("url_name", "resource_class", "column"),
    [
        ("admin:hr_department_export", DepartmentResource, "code"),
        ("admin:hr_employee_export", EmployeeResource, "personnel_number"),
    ],
)
def test_hr_manager_exports_departments_and_employees(
    client, hr_manager, url_name, resource_class, column
):
    """The export form posted: a CSV with every row, nothing written."""
    employee = EmployeeFactory(department=DepartmentFactory(code="EINK"))
    expected = {"code": "EINK", "personnel_number": employee.personnel_number}[column]
    prefix = resource_class.__name__.lower()
    fields = {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}
    client.force_login(hr_manager)
    response = client.post(reverse(url_name), {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert expected in {row[column] for row in rows}
