"""Issue 9, item 8: every demo department has a head who can log in, and the superuser sees
and can do what every role can (home page, hours approval)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from backoffice import roles
from hr.demo import DEMO_PASSWORD, HEAD_LOGINS
from hr.models import Department
from payroll.models import TimeEntry
from tests.backoffice.clients import TwoFactorClient
from tests.hr.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def test_superuser_home_names_no_missing_role_and_offers_hours_approval(admin_client):
    """The superuser's home says what it may do, never "no role", and shows the approval card."""
    response = admin_client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "You have no role" not in text
    assert "Superuser" in text
    keys = {link.key for link in response.context["links"]}
    assert "payroll.hours_approve" in keys


def test_superuser_approves_any_departments_hours(admin_client, admin_user):
    """The approval card does not answer 403 for a superuser: every department is offered and
    its entered hours are approved by them."""
    prod = DepartmentFactory(code="PROD")
    DepartmentFactory(code="EINK")
    worker = EmployeeFactory(department=prod)
    TimeEntry.objects.create(employee=worker, date=MONDAY, hours=Decimal(8))
    url = "/payroll/hours/approve/?department=PROD&week=2026-W10"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert {d.code for d in page.context["departments"]} >= {"PROD", "EINK"}
    assert page.context["entered"] == 1
    admin_client.post(url)
    entry = TimeEntry.objects.get(employee=worker)
    assert entry.status == TimeEntry.Status.APPROVED
    assert entry.approved_by_id == admin_user.pk


def test_every_demo_department_has_a_head_with_a_documented_login():
    """Each department of the demo is headed by an employee whose login works and reaches the
    hours approval of that department; the README's login table names each of them."""
    call_command("seed_demo", employees=40)
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    documented = {name for name, _code in HEAD_LOGINS} | {"depthead"}
    for name in documented:
        assert f"`{name}`" in readme, name
    departments = Department.objects.select_related("head__user").order_by("code")
    assert departments.exists()
    for department in departments:
        user = department.head.user
        assert user is not None, department.code
        assert user.username in documented
        assert user.is_active and user.check_password(DEMO_PASSWORD)
        client = TwoFactorClient(headers={"accept-language": "en"})
        login = client.post(
            "/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}
        )
        assert login.status_code == 302, department.code
        page = client.get(f"/payroll/hours/approve/?department={department.code}")
        assert page.status_code == 200, department.code
        assert page.context["department"] == department
    assert get_user_model().objects.filter(username__startswith="head-").count() == len(HEAD_LOGINS)


def test_superuser_sees_every_card_any_role_sees(make_user, admin_user):
    """Every home-page card that some role gets, the superuser gets too; only the pages about
    one's own employee record (own hours, payslips, profile) need an employee record."""
    from backoffice.registry import home_links_for
    from backoffice.roles import ROLES

    by_roles = set()
    for role in ROLES:
        user = make_user(role)
        if role == roles.DEPARTMENT_HEAD:  # a head of a department in earnest
            user.employee.department.head = user.employee
            user.employee.department.save(update_fields=["head"])
        by_roles |= {link.key for link in home_links_for(user)}
    own_record = {link.key for link in home_links_for(make_user())}  # no role, an employee
    superuser = {link.key for link in home_links_for(admin_user)}
    assert by_roles - own_record <= superuser
