import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice import roles
from hr.models import Employee
from hr.resources import EmployeeResource
from tests.hr.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "personnel_number,first_name,last_name,work_email,phone,department,position,manager,"
    "employment_type,hire_date,termination_date,status\n"
)


def _csv(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def test_good_file_imports_every_row():
    DepartmentFactory(code="VERT")
    data = _csv(
        "P1,Anna,Schmidt,anna@example.com,,VERT,,,salaried,2024-01-15,,active",
        "P2,Jonas,Weber,jonas@example.com,,VERT,,P1,hourly,2024-02-01,,active",
    )
    result = EmployeeResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert not result.has_errors() and not result.has_validation_errors()
    assert Employee.objects.get(personnel_number="P2").manager.personnel_number == "P1"


def test_one_bad_row_writes_nothing_and_names_row_and_field():
    """Whole-file validation: an unknown employment type in row 2 keeps row 1 out too."""
    DepartmentFactory(code="VERT")
    data = _csv(
        "P1,Anna,Schmidt,anna@example.com,,VERT,,,salaried,2024-01-15,,active",
        "P2,Jonas,Weber,jonas@example.com,,VERT,,,freelance,2024-02-01,,active",
    )
    result = EmployeeResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert result.has_validation_errors()
    assert Employee.objects.count() == 0
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert "employment_type" in invalid.field_specific_errors


def test_admin_import_shows_row_and_field_and_writes_nothing(client, make_user):
    """The HR manager's CSV upload in the admin names the bad row and field."""
    hr = make_user(roles.HR_MANAGER)
    DepartmentFactory(code="VERT")
    client.force_login(hr)
    before = Employee.objects.count()
    data = _csv(
        "P1,Anna,Schmidt,anna@example.com,,VERT,,,salaried,2024-01-15,,active",
        "P2,Jonas,Weber,not-an-email,,VERT,,,salaried,2024-02-01,,active",
    )
    response = client.post(
        "/admin/hr/employee/import/",
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("e.csv", data.encode(), content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "work_email" in page or "Work email" in page or "Dienstliche" in page
    assert Employee.objects.count() == before


def test_staff_cannot_export_employees(client, make_user):
    client.force_login(make_user(roles.STAFF))
    response = client.get("/admin/hr/employee/export/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_hr_manager_exports_employees_as_csv(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    EmployeeFactory(personnel_number="X42", last_name="Müller")
    client.force_login(hr)
    fields = {f"employeeresource_{name}": "on" for name in EmployeeResource().get_export_order()}
    response = client.post("/admin/hr/employee/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert "X42" in body and "Müller" in body
