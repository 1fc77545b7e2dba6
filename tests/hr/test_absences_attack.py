"""Attacks on the absences found by trying them on the running site: each was a defect."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from backoffice import roles
from hr.models import Absence
from hr.selectors import absences as selectors
from hr.services import absences as services
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


@pytest.fixture(autouse=True)
def committed_in_bavaria():
    assert not connection.in_atomic_block
    with override_settings(HR_PUBLIC_HOLIDAY_STATE="BY"):
        yield


@pytest.fixture
def team(make_user):
    dept = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    return head, make_user(roles.STAFF, department=dept)


def _ask(client, user, start, end):
    client.force_login(user)
    return client.post(
        reverse("hr:absence_mine"), {"kind": "vacation", "start_date": start, "end_date": end}
    )


def test_leave_this_year_cannot_take_the_carry_over_that_next_years_approved_leave_needs(
    client, team
):
    """2031: 30 days and the 30 carried over from 2030 (to 31 March). 40 days approved in
    January to March 2031 use 10 of them. 29 more days in 2030 would leave 1 to carry over,
    and 2031 would be 9 days overdrawn: refused, nothing written. 5 days leave 25: fine."""
    head, staff = team
    planned = services.absence_request(
        user=staff, kind="vacation", start_date=D(2031, 1, 13), end_date=D(2031, 3, 7)
    )
    services.absence_decide(user=head, absence_id=planned.pk, approve=True)
    assert planned.days == 40

    response = _ask(client, staff, "2030-09-02", "2030-10-11")

    assert response.status_code == 200
    assert "the leave planned in 2031 counts on days carried over" in response.content.decode()
    assert not Absence.objects.filter(employee=staff.employee, start_date__year=2030).exists()
    balance = selectors.vacation_balance(employee=staff.employee, year=2031, today=D(2026, 1, 1))
    assert (balance.overdrawn, balance.remaining) == (0, 20)

    assert _ask(client, staff, "2030-09-02", "2030-09-06").status_code == 302
    five = Absence.objects.get(employee=staff.employee, start_date__year=2030)
    services.absence_decide(user=head, absence_id=five.pk, approve=True)
    balance = selectors.vacation_balance(employee=staff.employee, year=2031, today=D(2026, 1, 1))
    assert (balance.carried_over, balance.overdrawn, balance.remaining) == (25, 0, 15)


def test_approving_this_years_leave_cannot_overdraw_next_years_approved_leave(client, team):
    """Two requests asked in the other order: the head approves the one in 2030 only while the
    approved leave of 2031 still fits."""
    head, staff = team
    asked = services.absence_request(
        user=staff, kind="vacation", start_date=D(2030, 9, 2), end_date=D(2030, 10, 11)
    )
    planned = services.absence_request(
        user=staff, kind="vacation", start_date=D(2031, 1, 13), end_date=D(2031, 1, 17)
    )
    services.absence_decide(user=head, absence_id=planned.pk, approve=True)
    # Now 2031 needs 35 more days (30 + carry-over): stretch the approved leave by hand, as a
    # past approval under the old rule did.
    Absence.objects.filter(pk=planned.pk).update(end_date=D(2031, 3, 7), days=40)

    client.force_login(head)
    response = client.post(
        reverse("hr:absence_decide", args=[asked.pk]), {"decision": "approve"}, follow=True
    )

    assert "the leave planned in 2031 counts on days carried over" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == Absence.Status.REQUESTED


def test_sick_days_over_decades_are_refused_with_a_message_not_a_500(client, team):
    """Sick days from 2029 to 2100 were about 18,000 working days, beyond the field's 9999.9:
    the database refused them and the page answered 500."""
    head, staff = team
    client.force_login(head)
    response = client.post(
        reverse("hr:absence_sick_record"),
        {
            "personnel_number": staff.employee.personnel_number,
            "start_date": "2029-01-01",
            "end_date": "2100-12-31",
        },
    )
    assert response.status_code == 200
    assert "at most three years" in response.content.decode()
    assert not Absence.objects.filter(employee=staff.employee).exists()
