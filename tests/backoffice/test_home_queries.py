"""Query counts that hold at two data sizes: the home page and the employee list.

Each test measures a page with 5 employees, adds 55 more (with positions, in several
departments, and as many unread messages in the viewer's inbox), and measures again. A query
per employee, department, position or message on the page makes the second count larger.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice import roles
from backoffice.models import Notification
from hr.models import Employee
from hr.views import PAGE_SIZE
from tests.hr.factories import DepartmentFactory, EmployeeFactory, PositionFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 60


def _measure(client, url):
    """Queries of one GET, and the response. A first, unmeasured GET fills what the process
    caches, so the count does not depend on which test ran first."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def _grow_to(total, *, user, departments):
    """Add employees until there are ``total``, each with a position, spread over
    ``departments``; give ``user`` one unread message per employee added."""
    added = total - Employee.objects.count()
    for i in range(added):
        department = departments[i % len(departments)]
        EmployeeFactory(department=department, position=PositionFactory(department=department))
    Notification.objects.bulk_create(
        Notification(user=user, subject=f"Nachricht {i}") for i in range(added)
    )
    assert Employee.objects.count() == total


@pytest.mark.parametrize("role", [roles.STAFF, roles.HR_MANAGER])
def test_home_page_queries_do_not_grow_with_data(client, make_user, role):
    """The home page (links by role, roles, unread count in the header) costs as many queries
    with 60 employees as with 5: nothing on it is fetched row by row."""
    user = make_user(role)
    client.force_login(user)

    _grow_to(SMALL, user=user, departments=[user.employee.department])
    small, _response = _measure(client, "/")
    _grow_to(LARGE, user=user, departments=[DepartmentFactory() for _ in range(4)])
    large, _response = _measure(client, "/")

    assert large == small


def test_employee_list_queries_do_not_grow_with_data_for_hr_manager(client, make_user):
    """An HR manager's employee list (every employee, the department filter) costs as many
    queries with a full page of 50 rows as with 5 rows."""
    user = make_user(roles.HR_MANAGER)
    client.force_login(user)

    _grow_to(SMALL, user=user, departments=[DepartmentFactory()])
    small, response = _measure(client, "/hr/employees/")
    assert len(response.context["employees"]) == SMALL
    _grow_to(LARGE, user=user, departments=[DepartmentFactory() for _ in range(4)])
    large, response = _measure(client, "/hr/employees/")
    assert len(response.context["employees"]) == PAGE_SIZE

    assert large == small


def test_employee_list_queries_do_not_grow_with_data_for_department_head(client, make_user):
    """A department head's list, scoped to the department they head, costs as many queries
    with a full page of 50 rows as with 5 rows."""
    department = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save(update_fields=["head"])
    client.force_login(head)

    _grow_to(SMALL, user=head, departments=[department])
    small, response = _measure(client, "/hr/employees/")
    assert len(response.context["employees"]) == SMALL
    _grow_to(LARGE, user=head, departments=[department])
    large, response = _measure(client, "/hr/employees/")
    assert len(response.context["employees"]) == PAGE_SIZE

    assert large == small
