import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backoffice import roles
from hr.models import Employee
from hr.services import employee_hire, employee_terminate
from hr.tasks import deactivate_terminated_logins
from tests.hr.factories import DepartmentFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_hire_validates_position_department():
    dept, other = DepartmentFactory(), DepartmentFactory()
    with pytest.raises(ValidationError) as info:
        employee_hire(
            personnel_number="N1",
            first_name="Eva",
            last_name="Roth",
            department=dept,
            position=PositionFactory(department=other),
            employment_type="salaried",
            hire_date=datetime.date(2025, 1, 1),
        )
    assert "position" in info.value.message_dict
    assert not Employee.objects.filter(personnel_number="N1").exists()


def test_terminated_employee_loses_the_login_once(make_user):
    """The hourly beat task closes logins of employees past their last day; twice is harmless."""
    user = make_user(roles.STAFF)
    employee = user.employee
    last_day = timezone.localdate() - datetime.timedelta(days=1)
    Employee.objects.filter(pk=employee.pk).update(termination_date=last_day)
    assert deactivate_terminated_logins() == 1
    assert deactivate_terminated_logins() == 0
    user.refresh_from_db()
    employee.refresh_from_db()
    assert not user.is_active
    assert employee.status == Employee.Status.TERMINATED


def test_future_termination_keeps_the_login_until_the_day(make_user):
    user = make_user(roles.STAFF)
    employee_terminate(
        employee=user.employee,
        termination_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert deactivate_terminated_logins() == 0
    user.refresh_from_db()
    assert user.is_active


def test_termination_before_hire_is_refused(make_user):
    user = make_user(roles.STAFF)
    with pytest.raises(ValidationError):
        employee_terminate(employee=user.employee, termination_date=datetime.date(2000, 1, 1))
    user.employee.refresh_from_db()
    assert user.employee.termination_date is None


def test_my_profile_shows_my_record(client, make_user):
    user = make_user(roles.STAFF)
    client.force_login(user)
    page = client.get("/hr/me/").content.decode()
    assert user.employee.personnel_number in page
