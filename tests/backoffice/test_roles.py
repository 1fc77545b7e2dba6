import pytest
from django.contrib.auth.models import Group, Permission

from backoffice import roles
from backoffice.roles import ROLES, roles_sync, user_may_use_admin
from tests.hr.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

ADMIN_ROLES = [name for name, role in ROLES.items() if role.admin]
NON_ADMIN_ROLES = [name for name, role in ROLES.items() if not role.admin]
# Roles that look after no one: they see their own employee record and nobody else's.
OWN_RECORDS_ONLY = [
    roles.STAFF,
    roles.DATA_ENTRY_CLERK,
    roles.ACCOUNTANT,
    roles.RECRUITER,
    roles.HELPDESK_AGENT,
    roles.OFFICE_MANAGER,
]


def test_every_role_is_a_group_with_exactly_the_mapped_permissions():
    """The data migration and post_migrate sync leave one group per role, with the map's
    permissions and no others; no permission in the map is misspelt."""
    assert roles_sync(group_model=Group, permission_model=Permission) == []
    for name, role in ROLES.items():
        group = Group.objects.get(name=name)
        perms = {
            f"{ct}.{code}"
            for ct, code in group.permissions.values_list("content_type__app_label", "codename")
        }
        assert perms == set(role.permissions), name


def test_ten_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Staff",
        "Data entry clerk",
        "Payroll clerk",
        "Accountant",
        "Auditor",
        "HR manager",
        "Recruiter",
        "Department head",
        "Helpdesk agent",
        "Office manager",
    }


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_roles_without_admin_are_refused_the_admin(client, make_user, role):
    """Staff, clerks and heads never reach the admin, even with is_staff set by mistake."""
    user = make_user(role, is_staff=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.get("/admin/hr/employee/").status_code == 302


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_managing_roles_reach_the_admin(client, make_user, role):
    user = make_user(role)
    assert user.is_staff
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    assert user_may_use_admin(user)


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_model_pages_follow_the_role_permissions(client, make_user, role):
    """A manager opens only the admin lists their role grants; others answer 403. The
    directory permission opens the narrow employee directory (tests/backoffice/
    test_admin_reach.py)."""
    user = make_user(role)
    client.force_login(user)
    response = client.get("/admin/hr/employee/")
    perms = ROLES[role].permissions
    allowed = "hr.view_employee" in perms or "hr.view_employee_directory" in perms
    expected = 200 if allowed else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", OWN_RECORDS_ONLY)
def test_role_is_refused_another_employees_record(client, make_user, role):
    user = make_user(role)
    other = EmployeeFactory(department=user.employee.department)
    client.force_login(user)
    assert client.get(f"/hr/employees/{other.pk}/").status_code == 404
    assert client.get(f"/hr/employees/{user.employee.pk}/").status_code == 200
    assert client.get("/hr/employees/").status_code == 403


def test_department_head_sees_own_department_only(client, make_user):
    dept = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    mine = EmployeeFactory(department=dept)
    foreign = EmployeeFactory()
    client.force_login(head)
    assert client.get(f"/hr/employees/{mine.pk}/").status_code == 200
    assert client.get(f"/hr/employees/{foreign.pk}/").status_code == 404
    listing = client.get("/hr/employees/").content.decode()
    assert mine.personnel_number in listing
    assert foreign.personnel_number not in listing


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.PAYROLL_CLERK, roles.AUDITOR])
def test_roles_that_see_everyone(client, make_user, role):
    user = make_user(role)
    foreign = EmployeeFactory()
    client.force_login(user)
    assert client.get(f"/hr/employees/{foreign.pk}/").status_code == 200


def test_anonymous_is_sent_to_login(client, db):
    for url in ["/", "/inbox/", "/hr/me/", "/hr/employees/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
