"""Nobody enters, changes or approves their own hours: a clerk's own row in the week grid and
their own rows in an import are refused (nothing of the save is written), a head's own hours
wait for someone else's approval."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice import roles
from payroll.models import TimeEntry
from payroll.services.hours import cell_key, hours_import, time_entries_approve, time_entries_save
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)
GRID = "/payroll/hours/?department=PROD&week=2026-W10"


@pytest.fixture
def dept():
    payroll_setup()
    return DepartmentFactory(code="PROD")


@pytest.fixture
def colleague(dept):
    return EmployeeFactory(department=dept, hire_date=datetime.date(2020, 1, 1))


@pytest.fixture(params=[roles.DATA_ENTRY_CLERK, roles.PAYROLL_CLERK])
def clerk(request, make_user, dept):
    user = make_user(request.param, department=dept)
    user.employee.hire_date = datetime.date(2020, 1, 1)
    user.employee.save(update_fields=["hire_date"])
    return user


def test_grid_save_of_ones_own_hours_is_refused_and_writes_nothing(clerk, dept, colleague):
    """The clerk's own cell is an error on that cell; the colleague's hours of the same save
    are not written either."""
    own = clerk.employee
    with pytest.raises(ValidationError) as exc:
        time_entries_save(
            department=dept,
            week_start=MONDAY,
            rows={own.pk: {MONDAY: Decimal(10)}, colleague.pk: {MONDAY: Decimal(8)}},
            user=clerk,
        )
    assert list(exc.value.message_dict) == [cell_key(own.pk, MONDAY)]
    assert "your own hours" in exc.value.message_dict[cell_key(own.pk, MONDAY)][0]
    assert not TimeEntry.objects.exists()


def test_an_unchanged_own_row_does_not_block_the_departments_save(
    clerk, dept, colleague, make_user
):
    """The grid posts every row: one's own row, unchanged, is no change and saves pass."""
    own = clerk.employee
    TimeEntry.objects.create(employee=own, date=MONDAY, hours=Decimal(8))
    result = time_entries_save(
        department=dept,
        week_start=MONDAY,
        rows={own.pk: {MONDAY: Decimal("8.00")}, colleague.pk: {MONDAY: Decimal(7)}},
        user=clerk,
    )
    assert result.created == 1
    assert TimeEntry.objects.get(employee=colleague).hours == Decimal(7)


def test_clearing_ones_own_hours_is_refused(clerk, dept):
    own = clerk.employee
    TimeEntry.objects.create(employee=own, date=MONDAY, hours=Decimal(8))
    with pytest.raises(ValidationError):
        time_entries_save(
            department=dept, week_start=MONDAY, rows={own.pk: {MONDAY: None}}, user=clerk
        )
    assert TimeEntry.objects.get(employee=own).hours == Decimal(8)


def test_importing_ones_own_hours_is_refused_and_writes_nothing(clerk, dept, colleague):
    content = (
        "personnel_number;date;hours\n"
        f"{colleague.personnel_number};2026-03-02;8\n"
        f"{clerk.employee.personnel_number};2026-03-02;12\n"
    )
    with pytest.raises(ValidationError) as exc:
        hours_import(file=content.encode(), user=clerk)
    assert any("your own hours" in m for m in exc.value.messages)
    assert not TimeEntry.objects.exists()


def test_the_grid_page_shows_the_refusal(client, make_user, dept, colleague):
    user = make_user(roles.DATA_ENTRY_CLERK, department=dept)
    user.employee.hire_date = datetime.date(2020, 1, 1)
    user.employee.save(update_fields=["hire_date"])
    client.force_login(user)
    response = client.post(GRID, {f"h-{user.employee.pk}-{MONDAY.isoformat()}": "11"})
    assert response.status_code == 200
    assert "your own hours" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_a_head_who_is_also_a_clerk_approves_the_team_not_themselves(make_user, dept, colleague):
    head = make_user(roles.DEPARTMENT_HEAD, roles.PAYROLL_CLERK, department=dept)
    dept.head = head.employee
    dept.save(update_fields=["head"])
    TimeEntry.objects.create(employee=head.employee, date=MONDAY, hours=Decimal(8))
    TimeEntry.objects.create(employee=colleague, date=MONDAY, hours=Decimal(8))
    assert time_entries_approve(department=dept, week_start=MONDAY, user=head) == 1
    assert TimeEntry.objects.get(employee=head.employee).status == TimeEntry.Status.ENTERED


@pytest.mark.django_db(transaction=True)
def test_grid_refusal_outside_a_test_transaction_writes_nothing(client, make_user):
    payroll_setup()
    dept = DepartmentFactory(code="PROD")
    colleague = EmployeeFactory(department=dept, hire_date=datetime.date(2020, 1, 1))
    clerk_user = make_user(roles.DATA_ENTRY_CLERK, department=dept)
    own = clerk_user.employee
    own.hire_date = datetime.date(2020, 1, 1)
    own.save(update_fields=["hire_date"])
    client.force_login(clerk_user)
    response = client.post(
        GRID,
        {
            f"h-{own.pk}-{MONDAY.isoformat()}": "11",
            f"h-{colleague.pk}-{MONDAY.isoformat()}": "8",
        },
    )
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
