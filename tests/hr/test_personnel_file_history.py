"""The change history of every employee and personnel-file field (django-simple-history),
shown on the file page to HR managers: who, when, field, old → new."""

import pytest
from django.urls import reverse

from backoffice import roles
from hr.models import PersonnelFile, PersonnelFileAccess
from hr.selectors.personnel_file import personnel_file_history
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.hr.personnel_file_helpers import personnel_file

pytestmark = pytest.mark.django_db


def test_history_shows_who_changed_which_field_from_what_to_what(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    employee = EmployeeFactory(department=DepartmentFactory(code="ALT"))
    file = personnel_file(employee)
    file.tax_class = PersonnelFile.TaxClass.III
    file._history_user = hr
    file.save()
    employee.department = DepartmentFactory(code="NEU")
    employee._history_user = hr
    employee.save()

    rows = personnel_file_history(employee=employee)
    changes = {(r.field, r.old, r.new, r.who) for r in rows}
    assert ("tax class", "I", "III", hr.username) in changes
    assert ("department", "ALT", "NEU", hr.username) in changes

    client.force_login(hr)
    html = client.get(reverse("hr:personnel_file", kwargs={"pk": employee.pk})).content.decode()
    assert 'data-testid="part-history"' in html
    assert "ALT" in html and "NEU" in html


def test_admin_edit_is_recorded_with_the_editor(client, make_user):
    """HR edits the file in the admin: the history row names them (the middleware)."""
    hr = make_user(roles.HR_MANAGER)
    employee = EmployeeFactory()
    file = personnel_file(employee)
    client.force_login(hr)
    url = reverse("admin:hr_personnelfile_change", args=[file.pk])
    form = client.get(url).context["adminform"].form
    # Opening the file in the admin is a look at it too.
    assert PersonnelFileAccess.objects.filter(viewer=hr, employee=employee).exists()
    data = {
        name: ("" if value is None else value)
        for name, value in ((n, form.initial.get(n)) for n in form.fields)
    }
    data["church_tax"] = "on" if file.church_tax else ""
    data["city"] = "Potsdam"
    data["tax_id"] = file.tax_id[:3] + " " + file.tax_id[3:]  # spaces are accepted
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = file.history.first()
    assert (latest.city, latest.history_user) == ("Potsdam", hr)
    assert ("city", "Berlin", "Potsdam") in {
        (r.field, r.old, r.new) for r in personnel_file_history(employee=employee)
    }


def test_admin_refuses_a_wrong_tax_id_naming_the_field(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    file = personnel_file(EmployeeFactory())
    client.force_login(hr)
    url = reverse("admin:hr_personnelfile_change", args=[file.pk])
    form = client.get(url).context["adminform"].form
    data = {n: ("" if form.initial.get(n) is None else form.initial.get(n)) for n in form.fields}
    data["tax_id"] = file.tax_id[:-1] + str((int(file.tax_id[-1]) + 1) % 10)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "tax ID's check digit" in " ".join(response.context["adminform"].form.errors["tax_id"])


def test_department_head_and_staff_never_see_history(client, make_user):
    department = DepartmentFactory()
    staff = make_user(roles.STAFF, department=department)
    personnel_file(staff.employee)
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save()
    for user in (staff, head):
        client.force_login(user)
        url = reverse("hr:personnel_file", kwargs={"pk": staff.employee.pk})
        html = client.get(url).content.decode()
        assert 'data-testid="part-history"' not in html
