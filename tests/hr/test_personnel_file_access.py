"""Who sees which personnel file, and that every look is logged (issue #8, item 1).

HR managers see every file; a department head sees their department's people without tax,
social-insurance and bank fields; staff see their own file; anyone else gets 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from hr.models import PersonnelFileAccess
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.hr.personnel_file_helpers import personnel_file

pytestmark = pytest.mark.django_db

Part = PersonnelFileAccess.Part


@pytest.fixture
def department():
    return DepartmentFactory(code="VERT")


@pytest.fixture
def colleague(department):
    employee = EmployeeFactory(department=department)
    personnel_file(employee)
    return employee


def file_url(employee):
    return reverse("hr:personnel_file", kwargs={"pk": employee.pk})


def make_head(make_user, department):
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save()
    return head


def test_staff_cannot_see_a_colleagues_file_even_in_their_own_department(
    client, make_user, department, colleague
):
    staff = make_user(roles.STAFF, department=department)
    client.force_login(staff)
    assert client.get(file_url(colleague)).status_code == 404
    assert not PersonnelFileAccess.objects.exists()


def test_staff_see_their_own_file_with_tax_but_without_history(client, make_user, department):
    staff = make_user(roles.STAFF, department=department)
    file = personnel_file(staff.employee)
    client.force_login(staff)
    response = client.get(reverse("hr:my_profile"))
    assert file_url(staff.employee) in response.content.decode()
    response = client.get(file_url(staff.employee))
    assert response.status_code == 200
    html = response.content.decode()
    assert file.tax_id in html and file.social_insurance_number in html
    assert 'data-testid="part-history"' not in html
    assert 'data-testid="change-address"' in html


def test_department_head_sees_their_people_without_tax_or_bank_fields(
    client, make_user, department, colleague
):
    from tests.payroll.factories import payroll_setup, profile

    pay_profile = profile(payroll_setup(), employee=colleague, salary="3000.00")
    head = make_head(make_user, department)
    client.force_login(head)
    response = client.get(file_url(colleague))
    assert response.status_code == 200
    html = response.content.decode()
    file = colleague.personnel_file
    assert file.street in html and file.emergency_contact_name in html
    for secret in (file.tax_id, file.social_insurance_number, pay_profile.iban):
        assert secret not in html
    assert 'data-testid="part-tax"' not in html
    assert 'data-testid="part-documents"' not in html
    assert 'data-testid="part-history"' not in html
    entry = PersonnelFileAccess.objects.get()
    assert set(entry.parts) == {Part.PERSONAL, Part.CONTRACT, Part.EMERGENCY}


def test_department_head_sees_no_one_outside_their_department(client, make_user, department):
    head = make_head(make_user, department)
    outsider = EmployeeFactory(department=DepartmentFactory())
    personnel_file(outsider)
    client.force_login(head)
    assert client.get(file_url(outsider)).status_code == 404


@pytest.mark.parametrize(
    "role", [roles.PAYROLL_CLERK, roles.AUDITOR, roles.HELPDESK_AGENT, roles.RECRUITER]
)
def test_nobody_else_sees_a_file(client, make_user, colleague, role):
    """Not even roles that read every employee (payroll, audit)."""
    client.force_login(make_user(role))
    assert client.get(file_url(colleague)).status_code == 404


def test_hr_manager_sees_every_part_and_the_look_is_logged(client, make_user, colleague):
    hr = make_user(roles.HR_MANAGER)
    client.force_login(hr)
    response = client.get(file_url(colleague))
    assert response.status_code == 200
    html = response.content.decode()
    for part in ("personal", "tax", "contract", "emergency", "documents", "history"):
        assert f'data-testid="part-{part}"' in html
    assert colleague.personnel_file.tax_id in html
    entry = PersonnelFileAccess.objects.get()
    assert (entry.viewer, entry.employee) == (hr, colleague)
    assert set(entry.parts) == set(Part.values)


def test_every_view_is_logged(client, make_user, department, colleague):
    """Three looks by three people: three rows, each with its viewer and parts."""
    hr = make_user(roles.HR_MANAGER)
    head = make_head(make_user, department)
    colleague.user = make_user(employee=False)
    colleague.save()
    for user in (hr, head, colleague.user, hr):
        client.force_login(user)
        assert client.get(file_url(colleague)).status_code == 200
    rows = list(PersonnelFileAccess.objects.order_by("id").values_list("viewer", "parts"))
    assert [viewer for viewer, _parts in rows] == [hr.pk, head.pk, colleague.user.pk, hr.pk]
    assert Part.TAX not in rows[1][1] and Part.TAX in rows[2][1]


def test_file_page_query_count_does_not_grow_with_history(
    client, make_user, colleague, django_assert_max_num_queries
):
    hr = make_user(roles.HR_MANAGER)
    client.force_login(hr)
    client.get(file_url(colleague))
    with CaptureQueriesContext(connection) as few:
        client.get(file_url(colleague))
    file = colleague.personnel_file
    for i in range(15):
        file.city = f"Stadt {i}"
        file.save()
        colleague.phone = f"030 {i}"
        colleague.save()
    with django_assert_max_num_queries(len(few)):
        response = client.get(file_url(colleague))
    assert "Stadt 14" in response.content.decode()


def test_access_log_page_for_hr_managers_only(client, make_user, colleague):
    client.force_login(make_user(roles.STAFF))
    assert client.get(reverse("hr:personnel_file_access_log")).status_code == 403
    client.force_login(make_user(roles.DEPARTMENT_HEAD))
    assert client.get(reverse("hr:personnel_file_access_log")).status_code == 403


def test_access_log_filters_by_employee_and_viewer(client, make_user, colleague):
    hr, other_hr = make_user(roles.HR_MANAGER), make_user(roles.HR_MANAGER)
    someone = EmployeeFactory()
    personnel_file(someone)
    client.force_login(other_hr)
    client.get(file_url(someone))
    client.force_login(hr)
    client.get(file_url(colleague))
    url = reverse("hr:personnel_file_access_log")
    page = client.get(url, {"employee": colleague.personnel_number}).content.decode()
    assert colleague.full_name in page and someone.full_name not in page
    page = client.get(url, {"viewer": other_hr.username}).content.decode()
    assert someone.full_name in page and colleague.full_name not in page


def test_access_log_query_count_holds_at_two_sizes(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    url = reverse("hr:personnel_file_access_log")

    def grow(n):
        employees = EmployeeFactory.create_batch(n)
        PersonnelFileAccess.objects.bulk_create(
            PersonnelFileAccess(viewer=hr, employee=e, parts=[Part.PERSONAL]) for e in employees
        )

    client.force_login(hr)
    grow(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(70)
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.context["has_next"]
    assert len(big) == len(small)
