"""Absences in the portal: who sees and decides which, the balance, the team calendar."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from hr.models import Absence, Department, Employee
from hr.services import absences as services
from tests.hr.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db
D = datetime.date
JUNE_1, JUNE_5 = D(2026, 6, 1), D(2026, 6, 5)


@pytest.fixture
def team(make_user):
    """A department with its head, two staff members and an HR manager elsewhere."""
    dept = DepartmentFactory(code="VERT")
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    alice = make_user(roles.STAFF, department=dept)
    bob = make_user(roles.STAFF, department=dept)
    hr = make_user(roles.HR_MANAGER)
    return dept, head, alice, bob, hr


def _request(user, start=JUNE_1, end=JUNE_5, kind="vacation"):
    return services.absence_request(
        user=user, kind=kind, start_date=start, end_date=end, today=D(2026, 5, 1)
    )


def test_staff_cannot_see_a_colleagues_absence_even_in_their_own_department(client, team):
    _dept, _head, alice, bob, _hr = team
    absence = _request(bob)
    client.force_login(alice)
    assert client.get(reverse("hr:absence_detail", args=[absence.pk])).status_code == 404
    assert client.post(reverse("hr:absence_cancel", args=[absence.pk])).status_code == 404
    assert (
        client.post(
            reverse("hr:absence_decide", args=[absence.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    client.force_login(bob)
    assert client.get(reverse("hr:absence_detail", args=[absence.pk])).status_code == 200


def test_sick_days_are_seen_by_hr_and_the_head_only(client, team, make_user):
    _dept, head, alice, bob, hr = team
    sick = services.absence_record_sick(
        user=head,
        employee_id=bob.employee.pk,
        start_date=D(2026, 3, 2),
        end_date=D(2026, 3, 4),
        certificate_date=D(2026, 3, 4),
    )
    assert sick.status == Absence.Status.APPROVED and sick.days == 3
    url = reverse("hr:absence_detail", args=[sick.pk])
    for user, status in ((head, 200), (hr, 200), (bob, 200), (alice, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
    # A payroll clerk sees every employee, but no sick note.
    client.force_login(make_user(roles.PAYROLL_CLERK))
    assert client.get(url).status_code == 404


def test_a_head_cannot_approve_their_own_leave_but_their_manager_can(client, team, make_user):
    dept, head, _alice, _bob, hr = team
    absence = _request(head)
    client.force_login(head)
    response = client.post(reverse("hr:absence_decide", args=[absence.pk]), {"decision": "approve"})
    assert response.status_code == 403
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REQUESTED
    # The head of the parent department decides it (so does HR).
    parent_head = make_user(roles.DEPARTMENT_HEAD)
    parent = parent_head.employee.department
    parent.head = parent_head.employee
    parent.save()
    dept.parent = parent
    dept.save()
    assert absence in services.selectors.absences_to_decide(user=parent_head)
    services.absence_decide(user=parent_head, absence_id=absence.pk, approve=True)
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED


def test_even_hr_cannot_approve_their_own_leave(team):
    _dept, _head, _alice, _bob, hr = team
    absence = _request(hr)
    with pytest.raises(PermissionDenied):
        services.absence_decide(user=hr, absence_id=absence.pk, approve=True)


def test_the_head_approves_and_the_employee_sees_the_new_balance(client, team):
    _dept, head, alice, _bob, _hr = team
    client.force_login(alice)
    response = client.post(
        reverse("hr:absence_mine"),
        {"kind": "vacation", "start_date": "2026-12-14", "end_date": "2026-12-18"},
    )
    assert response.status_code == 302
    absence = Absence.objects.get(employee=alice.employee)
    assert absence.days == 5
    client.force_login(head)
    assert absence.pk in [
        a.pk for a in client.get(reverse("hr:absence_approvals")).context["absences"]
    ]
    client.post(reverse("hr:absence_decide", args=[absence.pk]), {"decision": "approve"})
    client.force_login(alice)
    balance = client.get(reverse("hr:absence_mine") + "?year=2026").context["balance"]
    assert balance.entitlement == 30
    assert balance.taken + balance.planned == 5
    assert balance.remaining == 25 + balance.carried_over - balance.expired


def test_vacation_beyond_the_balance_is_refused_with_a_message(client, team):
    _dept, _head, alice, _bob, _hr = team
    alice.employee.hire_date = D(2026, 1, 1)
    alice.employee.save()
    _request(alice, D(2026, 2, 2), D(2026, 3, 13))  # 30 working days
    with pytest.raises(ValidationError, match="Not enough vacation"):
        _request(alice, D(2026, 6, 1), D(2026, 6, 1))
    assert Absence.objects.filter(employee=alice.employee).count() == 1


def test_overlapping_requests_and_weekends_only_are_refused(team):
    _dept, _head, alice, _bob, _hr = team
    _request(alice)
    with pytest.raises(ValidationError, match="overlaps"):
        _request(alice, D(2026, 6, 5), D(2026, 6, 8))
    with pytest.raises(ValidationError, match="weekends or public holidays"):
        _request(alice, D(2026, 6, 6), D(2026, 6, 7))


def test_the_employee_withdraws_a_request_and_cannot_decide_it(client, team):
    _dept, _head, alice, _bob, _hr = team
    absence = _request(alice)
    with pytest.raises(PermissionDenied):
        services.absence_decide(user=alice, absence_id=absence.pk, approve=True)
    client.force_login(alice)
    client.post(reverse("hr:absence_cancel", args=[absence.pk]))
    absence.refresh_from_db()
    assert absence.status == Absence.Status.CANCELLED


def test_staff_cannot_record_sick_days_or_open_the_approvals(client, team):
    _dept, _head, alice, bob, _hr = team
    client.force_login(alice)
    assert client.get(reverse("hr:absence_approvals")).status_code == 403
    assert (
        client.post(
            reverse("hr:absence_sick_record"),
            {
                "personnel_number": bob.employee.personnel_number,
                "start_date": "2026-03-02",
                "end_date": "2026-03-02",
            },
        ).status_code
        == 403
    )
    assert not Absence.objects.exists()


def test_a_head_records_sick_days_only_for_their_department(client, team):
    _dept, head, _alice, _bob, _hr = team
    stranger = EmployeeFactory()
    client.force_login(head)
    response = client.post(
        reverse("hr:absence_sick_record"),
        {
            "personnel_number": stranger.personnel_number,
            "start_date": "2026-03-02",
            "end_date": "2026-03-02",
        },
    )
    assert response.status_code == 200
    assert "personnel_number" in response.context["form"].errors
    assert not Absence.objects.exists()


def test_staff_see_only_their_own_row_in_the_team_calendar(client, team):
    dept, head, alice, bob, _hr = team
    _request(bob, D(2026, 6, 1), D(2026, 6, 2))
    _request(alice, D(2026, 6, 3), D(2026, 6, 3))
    client.force_login(alice)
    cal = client.get(reverse("hr:absence_calendar") + "?month=2026-06").context["cal"]
    assert [row.employee.pk for row in cal.rows] == [alice.employee.pk]
    client.force_login(head)
    cal = client.get(
        reverse("hr:absence_calendar") + f"?department={dept.code}&month=2026-06"
    ).context["cal"]
    assert {row.employee.pk for row in cal.rows} == {
        head.employee.pk,
        alice.employee.pk,
        bob.employee.pk,
    }
    bob_row = next(row for row in cal.rows if row.employee.pk == bob.employee.pk)
    assert bob_row.cells[0].kind == "vacation"


def _calendar_queries(client, user, dept) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("hr:absence_calendar") + f"?department={dept.code}&month=2026-06"
        )
    assert response.status_code == 200
    return len(captured)


def _bulk_employees(dept, count: int, start: int) -> None:
    employees = Employee.objects.bulk_create(
        Employee(
            personnel_number=f"B{start + i:07d}",
            first_name="Vorname",
            last_name=f"Name{start + i:07d}",
            department=dept,
            employment_type="salaried",
            hire_date=D(2020, 1, 1),
        )
        for i in range(count)
    )
    Absence.objects.bulk_create(
        Absence(
            employee=e,
            kind="vacation",
            status="approved",
            start_date=D(2026, 6, 8),
            end_date=D(2026, 6, 12),
            days=Decimal(5),
        )
        for e in employees[::3]
    )


def test_team_calendar_query_count_holds_at_200_and_10000_employees(client, team, make_user):
    dept, head, _alice, _bob, hr = team
    others = [DepartmentFactory() for _ in range(3)]
    _bulk_employees(dept, 200, 0)
    client.force_login(head)
    small_head = _calendar_queries(client, head, dept)
    client.force_login(hr)
    small_hr = _calendar_queries(client, hr, dept)
    _bulk_employees(dept, 9800, 200)
    for other in others:
        _bulk_employees(other, 50, 100000 + other.pk * 1000)
    client.force_login(head)
    assert _calendar_queries(client, head, dept) == small_head
    client.force_login(hr)
    assert _calendar_queries(client, hr, dept) == small_hr
    assert Department.objects.count() >= 5
