"""Every absence POST view outside the test's transaction: a missing ``atomic`` around the
services' row locks would answer 500 in production and pass inside a wrapping transaction."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from backoffice import roles
from hr.models import Absence
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


@pytest.fixture(autouse=True)
def committed():
    assert not connection.in_atomic_block


@pytest.fixture
def team(make_user):
    dept = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save()
    return head, make_user(roles.STAFF, department=dept)


def _ask(client, user, start="2026-12-14", end="2026-12-15"):
    client.force_login(user)
    response = client.post(
        reverse("hr:absence_mine"), {"kind": "vacation", "start_date": start, "end_date": end}
    )
    assert response.status_code == 302
    return Absence.objects.filter(employee=user.employee).latest("pk")


def test_request_then_approve_committed(client, team):
    head, staff = team
    absence = _ask(client, staff)
    client.force_login(head)
    response = client.post(
        reverse("hr:absence_decide", args=[absence.pk]), {"decision": "approve", "note": "ok"}
    )
    assert response.status_code == 302
    absence.refresh_from_db()
    assert (absence.status, absence.decided_by) == (Absence.Status.APPROVED, head)


def test_refuse_committed(client, team):
    head, staff = team
    absence = _ask(client, staff)
    client.force_login(head)
    client.post(reverse("hr:absence_decide", args=[absence.pk]), {"decision": "refuse"})
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REFUSED


def test_withdraw_committed(client, team):
    _head, staff = team
    absence = _ask(client, staff)
    assert client.post(reverse("hr:absence_cancel", args=[absence.pk])).status_code == 302
    absence.refresh_from_db()
    assert absence.status == Absence.Status.CANCELLED


def test_record_sick_days_committed(client, team):
    head, staff = team
    client.force_login(head)
    response = client.post(
        reverse("hr:absence_sick_record"),
        {
            "personnel_number": staff.employee.personnel_number,
            "start_date": "2026-03-02",
            "end_date": "2026-03-04",
            "certificate_date": "2026-03-03",
        },
    )
    assert response.status_code == 302
    sick = Absence.objects.get(employee=staff.employee)
    assert (sick.kind, sick.days, sick.certificate_date) == ("sick", 3, D(2026, 3, 3))


def test_carry_over_extension_in_the_admin_committed(client, make_user, team):
    _head, staff = team
    hr = make_user(roles.HR_MANAGER)
    client.force_login(hr)
    response = client.post(
        reverse("admin:hr_carryoverextension_add"),
        {"employee": staff.employee.pk, "year": 2026, "expires_on": "2026-06-30", "note": "x"},
    )
    assert response.status_code == 302
    extension = staff.employee.carry_over_extensions.get()
    assert (extension.expires_on, extension.granted_by) == (D(2026, 6, 30), hr)
