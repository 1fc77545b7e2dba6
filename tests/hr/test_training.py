"""Training: completion with certificate expiry, who is overdue or expiring (HR: all, heads:
their department), enrolment and status pages, the reminder once per training and expiry
(issue #8, item 5)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice import roles
from backoffice.models import Notification
from hr.models import Course, Enrolment, RequiredTraining, TrainingReminder, TrainingSession
from hr.services.training import enrolment_status_set, months_added
from hr.tasks import training_reminders_send
from tests.hr.factories import DepartmentFactory, EmployeeFactory, PositionFactory

TODAY = timezone.localdate()


def test_months_added_keeps_the_day_or_takes_the_month_s_last():
    assert months_added(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert months_added(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert months_added(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)
    assert months_added(datetime.date(2026, 3, 15), -3) == datetime.date(2025, 12, 15)


def _session(course, days_ago=400, capacity=20):
    start = timezone.now() - datetime.timedelta(days=days_ago)
    return TrainingSession.objects.create(
        course=course,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        capacity=capacity,
    )


def _completed(employee, course, certificate_date):
    enrolment = Enrolment.objects.create(employee=employee, session=_session(course), course=course)
    return enrolment_status_set(
        enrolment_id=enrolment.pk, status="completed", certificate_date=certificate_date, user=None
    )


@pytest.fixture
def setup(make_user):
    """A department with a head; one position requiring first aid (12 months) and data
    protection (never expires); four employees in four states."""
    department = DepartmentFactory(code="PROD")
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save(update_fields=["head"])
    position = PositionFactory(department=department)
    first_aid = Course.objects.create(title="Erste Hilfe", validity_months=12)
    privacy = Course.objects.create(title="Datenschutz", category="it")
    RequiredTraining.objects.create(position=position, course=first_aid)
    RequiredTraining.objects.create(position=position, course=privacy)
    people = {
        name: EmployeeFactory(department=department, position=position, last_name=name)
        for name in ("Never", "Expired", "Expiring", "Current")
    }
    for person in people.values():
        _completed(person, privacy, TODAY - datetime.timedelta(days=800))
    _completed(people["Expired"], first_aid, months_added(TODAY, -12) - datetime.timedelta(days=1))
    _completed(
        people["Expiring"], first_aid, months_added(TODAY, -12) + datetime.timedelta(days=10)
    )
    _completed(people["Current"], first_aid, TODAY - datetime.timedelta(days=30))
    return {"department": department, "head": head, "people": people, "first_aid": first_aid}


@pytest.mark.django_db
def test_completion_sets_the_expiry_from_the_course_validity(setup):
    enrolment = Enrolment.objects.get(
        employee=setup["people"]["Current"], course=setup["first_aid"]
    )
    assert enrolment.expires_on == months_added(TODAY - datetime.timedelta(days=30), 12)
    unlimited = Enrolment.objects.filter(employee=setup["people"]["Current"]).exclude(
        course=setup["first_aid"]
    )
    assert unlimited.get().expires_on is None


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["hr", "head"])
def test_due_list_shows_overdue_and_expiring_only(client, make_user, setup, who):
    user = make_user(roles.HR_MANAGER) if who == "hr" else setup["head"]
    client.force_login(user)
    response = client.get(reverse("hr:training_due"))
    rows = {
        (r["last_name"], r["req_course_title"], r["due_state"]) for r in response.context["rows"]
    }
    assert rows == {
        ("Never", "Erste Hilfe", "overdue"),
        ("Expired", "Erste Hilfe", "overdue"),
        ("Expiring", "Erste Hilfe", "expiring"),
    }
    overdue = client.get(reverse("hr:training_due"), {"which": "overdue"}).context["rows"]
    assert {r["last_name"] for r in overdue} == {"Never", "Expired"}


@pytest.mark.django_db
def test_head_does_not_see_another_department(client, make_user, setup):
    other = DepartmentFactory()
    other_head = make_user(roles.DEPARTMENT_HEAD, department=other)
    other.head = other_head.employee
    other.save(update_fields=["head"])
    client.force_login(other_head)
    assert client.get(reverse("hr:training_due")).context["rows"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.STAFF, roles.PAYROLL_CLERK, roles.AUDITOR])
def test_due_list_and_sessions_are_refused_to_others(client, make_user, setup, role):
    client.force_login(make_user(role))
    session = TrainingSession.objects.first()
    assert client.get(reverse("hr:training_due")).status_code == 403
    assert client.get(reverse("hr:training_sessions")).status_code == 403
    assert client.get(reverse("hr:training_session_detail", args=[session.pk])).status_code == 403


@pytest.mark.django_db
def test_head_may_not_manage_sessions(client, setup):
    client.force_login(setup["head"])
    assert client.get(reverse("hr:training_sessions")).status_code == 403


@pytest.mark.django_db
def test_my_trainings_shows_my_own_state(client, make_user, setup):
    user = make_user(roles.STAFF, employee=False)
    person = setup["people"]["Expiring"]
    person.user = user
    person.save(update_fields=["user"])
    client.force_login(user)
    response = client.get(reverse("hr:my_trainings"))
    states = {r["req_course_title"]: r["state"] for r in response.context["requirements"]}
    assert states == {"Erste Hilfe": "expiring", "Datenschutz": "current"}


@pytest.mark.django_db(transaction=True)
def test_hr_enrols_and_records_completion(client, make_user, setup):
    hr = make_user(roles.HR_MANAGER)
    session = _session(setup["first_aid"], days_ago=-7, capacity=1)
    client.force_login(hr)
    never = setup["people"]["Never"]
    response = client.post(
        reverse("hr:training_enrol", args=[session.pk]),
        {"personnel_number": never.personnel_number},
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(session=session)
    # Full: one place only.
    other = setup["people"]["Expired"]
    client.post(
        reverse("hr:training_enrol", args=[session.pk]),
        {"personnel_number": other.personnel_number},
    )
    assert Enrolment.objects.filter(session=session).count() == 1
    response = client.post(
        reverse("hr:training_enrolment_status", args=[enrolment.pk]),
        {"status": "completed", "certificate_date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"
    assert enrolment.expires_on == months_added(TODAY, 12)
    # A completion in the future is refused; the enrolment stays as it was.
    client.post(
        reverse("hr:training_enrolment_status", args=[enrolment.pk]),
        {
            "status": "completed",
            "certificate_date": (TODAY + datetime.timedelta(days=3)).isoformat(),
        },
    )
    enrolment.refresh_from_db()
    assert enrolment.certificate_date == TODAY


@pytest.mark.django_db(transaction=True)
def test_staff_and_heads_cannot_enrol_or_set_status(client, make_user, setup):
    session = _session(setup["first_aid"], days_ago=-7)
    enrolment = Enrolment.objects.filter(employee=setup["people"]["Current"]).first()
    for user in (make_user(roles.STAFF), setup["head"]):
        client.force_login(user)
        response = client.post(
            reverse("hr:training_enrol", args=[session.pk]),
            {"personnel_number": setup["people"]["Never"].personnel_number},
        )
        assert response.status_code == 403
        response = client.post(
            reverse("hr:training_enrolment_status", args=[enrolment.pk]), {"status": "no_show"}
        )
        assert response.status_code == 403
    assert not Enrolment.objects.filter(session=session).exists()
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"


@pytest.mark.django_db(transaction=True)
def test_reminder_tells_employee_and_head_once_per_training_and_expiry(make_user, setup):
    staff = make_user(roles.STAFF, employee=False)
    never = setup["people"]["Never"]
    never.user = staff
    never.save(update_fields=["user"])

    assert training_reminders_send.delay().get() == 3
    assert TrainingReminder.objects.filter(notified_at__isnull=False).count() == 3
    mine = Notification.objects.get(user=staff)
    assert "Erste Hilfe: required for the position, not completed yet." in mine.body
    head_note = Notification.objects.get(user=setup["head"])  # one message, three lines
    assert {line.split(" (")[0] for line in head_note.body.splitlines()} == {
        person.full_name for name, person in setup["people"].items() if name != "Current"
    }
    # A second run (or a second delivery) reminds nobody again.
    assert training_reminders_send.delay().get() == 0
    assert Notification.objects.count() == 2
    # Completing and then expiring again is a new expiry: reminded again, once.
    _completed(never, setup["first_aid"], months_added(TODAY, -12) + datetime.timedelta(days=5))
    assert training_reminders_send.delay().get() == 1
    assert training_reminders_send.delay().get() == 0


@pytest.mark.django_db
def test_due_list_queries_do_not_grow_with_the_data(client, make_user, setup):
    client.force_login(make_user(roles.HR_MANAGER))

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("hr:training_due"))
        return len(captured), len(response.context["rows"])

    small, rows = measure()
    assert rows == 3
    position = setup["people"]["Never"].position
    for _ in range(60):
        EmployeeFactory(department=DepartmentFactory(), position=position)
    large, rows = measure()
    assert rows == 50
    assert large == small
