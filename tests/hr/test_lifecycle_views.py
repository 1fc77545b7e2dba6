"""The lifecycle's pages (issue #8, item 2): HR managers everywhere and department heads in
their own department hire, transfer and terminate; a head of another department finds nothing
(404), staff and other roles are forbidden (403). Checklist items are ticked by the roles that
own them. The writes run outside the test's transaction (tests/backoffice/
test_post_views_committed.py)."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice import roles
from hr.models import Checklist, Employee, EmploymentChange, Termination
from hr.services.lifecycle import checklist_create
from tests.hr.factories import DepartmentFactory, EmployeeFactory, PositionFactory

TODAY = timezone.localdate()


@pytest.fixture
def department(db):
    return DepartmentFactory(code="VERT")


@pytest.fixture
def hr_manager(make_user):
    return make_user(roles.HR_MANAGER)


@pytest.fixture
def head(make_user, department):
    user = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = user.employee
    department.save(update_fields=["head"])
    return user


@pytest.fixture
def other_head(make_user):
    other = DepartmentFactory(code="EINK")
    user = make_user(roles.DEPARTMENT_HEAD, department=other)
    other.head = user.employee
    other.save(update_fields=["head"])
    return user


def hire_data(department, **kwargs):
    data = {
        "first_name": "Lena",
        "last_name": "Vogel",
        "work_email": "lena.vogel@example.com",
        "department": department.pk,
        "position": "",
        "manager": "",
        "employment_type": "salaried",
        "hire_date": TODAY.isoformat(),
        "personnel_number": "",
        "contract_type": "permanent",
        "weekly_hours": "40",
        "probation_end": (TODAY + datetime.timedelta(days=180)).isoformat(),
        "fixed_term_end": "",
    }
    data.update(kwargs)
    return data


# --- Hire ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_hr_manager_hires_from_the_portal(client, hr_manager, department):
    """The form posted: employee, login, checklist; the mail goes out after commit; the page
    that follows is the onboarding checklist."""
    client.force_login(hr_manager)
    position = PositionFactory(department=department)
    response = client.post(reverse("hr:hire"), hire_data(department, position=position.pk))
    employee = Employee.objects.get(last_name="Vogel")
    checklist = employee.checklists.get(kind=Checklist.Kind.ONBOARDING)
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:checklist", kwargs={"pk": checklist.pk})
    assert employee.position == position
    assert employee.user.username == "lena.vogel"
    assert employee.personnel_file.weekly_hours == 40
    assert [m.to for m in mail.outbox] == [["lena.vogel@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_head_hires_into_their_own_department_only(client, head, department):
    other = DepartmentFactory(code="EINK")
    client.force_login(head)
    refused = client.post(reverse("hr:hire"), hire_data(other))
    assert refused.status_code == 200
    assert "department" in refused.context["form"].errors
    assert not Employee.objects.filter(last_name="Vogel").exists()
    assert client.post(reverse("hr:hire"), hire_data(department)).status_code == 302
    assert Employee.objects.get(last_name="Vogel").department == department


@pytest.mark.django_db(transaction=True)
def test_hire_with_a_taken_email_says_so_and_writes_nothing(client, hr_manager, department):
    client.force_login(hr_manager)
    response = client.post(reverse("hr:hire"), hire_data(department, work_email=hr_manager.email))
    assert response.status_code == 200
    assert "work_email" in response.context["form"].errors
    assert not Employee.objects.filter(last_name="Vogel").exists()
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.STAFF, roles.PAYROLL_CLERK, roles.RECRUITER])
def test_others_may_not_hire(client, make_user, role, department):
    client.force_login(make_user(role))
    assert client.get(reverse("hr:hire")).status_code == 403
    assert client.post(reverse("hr:hire"), hire_data(department)).status_code == 403
    assert not Employee.objects.filter(last_name="Vogel").exists()


# --- Checklists ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_hr_ticks_an_item_with_a_note_and_the_page_shows_who(client, hr_manager, department):
    checklist = checklist_create(employee=EmployeeFactory(department=department), kind="onboarding")
    item = checklist.items.get(key="hr.contract_signed")
    client.force_login(hr_manager)
    url = reverse("hr:checklist_item_tick", kwargs={"pk": checklist.pk, "item_pk": item.pk})
    assert client.post(url, {"done": "1", "note": "per Post"}).status_code == 302
    item.refresh_from_db()
    assert item.done_by == hr_manager and item.note == "per Post"
    page = client.get(reverse("hr:checklist", kwargs={"pk": checklist.pk}))
    assert page.context["done"] == 1
    row = page.content.decode().split('data-testid="item-hr.contract_signed"')[1].split("</tr>")[0]
    assert hr_manager.get_username() in row and "per Post" in row


@pytest.mark.django_db(transaction=True)
def test_payroll_clerk_ticks_payroll_items_only(client, make_user, department):
    """A role that owns an item sees the checklist and ticks its own item; another item is
    forbidden; a checklist without their items is not found."""
    clerk = make_user(roles.PAYROLL_CLERK)
    checklist = checklist_create(employee=EmployeeFactory(department=department), kind="onboarding")
    offboarding = checklist_create(employee=EmployeeFactory(), kind="offboarding")
    client.force_login(clerk)
    assert client.get(reverse("hr:checklist", kwargs={"pk": checklist.pk})).status_code == 200
    assert client.get(reverse("hr:checklist", kwargs={"pk": offboarding.pk})).status_code == 404
    pay = checklist.items.get(key="payroll.pay_profile")
    contract = checklist.items.get(key="hr.contract_signed")
    tick = "hr:checklist_item_tick"
    ok = client.post(reverse(tick, kwargs={"pk": checklist.pk, "item_pk": pay.pk}), {"done": "1"})
    refused = client.post(
        reverse(tick, kwargs={"pk": checklist.pk, "item_pk": contract.pk}), {"done": "1"}
    )
    assert (ok.status_code, refused.status_code) == (302, 403)
    contract.refresh_from_db()
    pay.refresh_from_db()
    assert pay.done_at is not None and contract.done_at is None


@pytest.mark.django_db(transaction=True)
def test_head_of_another_department_and_staff_cannot_tick(client, make_user, other_head):
    checklist = checklist_create(employee=EmployeeFactory(), kind="onboarding")
    item = checklist.items.get(key="hr.contract_signed")
    url = reverse("hr:checklist_item_tick", kwargs={"pk": checklist.pk, "item_pk": item.pk})
    for user in (other_head, make_user(roles.STAFF)):
        client.force_login(user)
        assert client.get(reverse("hr:checklist", kwargs={"pk": checklist.pk})).status_code == 404
        assert client.post(url, {"done": "1"}).status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.django_db
def test_staff_has_no_checklist_list(client, make_user):
    client.force_login(make_user(roles.STAFF))
    assert client.get(reverse("hr:checklist_list")).status_code == 403


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.mark.django_db
def test_checklist_list_queries_do_not_grow(client, hr_manager, department):
    client.force_login(hr_manager)
    url = reverse("hr:checklist_list")
    checklist_create(employee=EmployeeFactory(department=department), kind="onboarding")
    small, _r = _count(client, url)
    for _ in range(15):
        checklist_create(employee=EmployeeFactory(), kind="onboarding")
        checklist_create(employee=EmployeeFactory(), kind="offboarding")
    large, response = _count(client, url)
    assert len(response.context["checklists"]) == 31
    assert large == small


@pytest.mark.django_db
def test_checklist_page_queries_do_not_grow_with_the_company(client, hr_manager, department):
    client.force_login(hr_manager)
    checklist = checklist_create(employee=EmployeeFactory(department=department), kind="onboarding")
    url = reverse("hr:checklist", kwargs={"pk": checklist.pk})
    small, _r = _count(client, url)
    EmployeeFactory.create_batch(40, department=department)
    large, _r = _count(client, url)
    assert large == small


# --- Transfer -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_head_transfers_their_employee_with_a_future_date(client, head, department):
    """A head moves people within their department (a new position, say); moving them into
    another department is HR's: that department is not offered, and a forged one is refused."""
    employee = EmployeeFactory(department=department)
    target = PositionFactory(department=department, title="Teamleitung")
    client.force_login(head)
    url = reverse("hr:employee_transfer", kwargs={"pk": employee.pk})
    elsewhere = DepartmentFactory(code="IT")
    response = client.post(
        url, {"department": elsewhere.pk, "position": "", "manager": "", "valid_from": TODAY}
    )
    assert response.status_code == 200 and "department" in response.context["form"].errors
    valid_from = TODAY + datetime.timedelta(days=10)
    response = client.post(
        url,
        {
            "department": department.pk,
            "position": target.pk,
            "manager": "",
            "valid_from": valid_from,
        },
    )
    assert response.status_code == 302
    change = EmploymentChange.objects.get(employee=employee)
    assert (change.new_position, change.valid_from, change.applied_at) == (
        target,
        valid_from,
        None,
    )
    employee.refresh_from_db()
    assert employee.position != target
    page = client.get(url)
    assert list(page.context["changes"]) == [change]


@pytest.mark.django_db(transaction=True)
def test_hr_transfer_to_an_unknown_manager_is_refused(client, hr_manager, department):
    employee = EmployeeFactory(department=department)
    client.force_login(hr_manager)
    response = client.post(
        reverse("hr:employee_transfer", kwargs={"pk": employee.pk}),
        {"department": department.pk, "manager": "NOPE", "valid_from": TODAY},
    )
    assert response.status_code == 200
    assert "manager" in response.context["form"].errors
    assert not EmploymentChange.objects.exists()


# --- Termination --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_hr_terminates_and_lands_on_the_offboarding_checklist(client, hr_manager, department):
    employee = EmployeeFactory(department=department)
    client.force_login(hr_manager)
    last_day = TODAY + datetime.timedelta(days=28)
    response = client.post(
        reverse("hr:employee_terminate", kwargs={"pk": employee.pk}),
        {"reason": "mutual", "notice_given_on": TODAY, "last_day": last_day, "note": ""},
    )
    checklist = employee.checklists.get(kind="offboarding")
    assert response["Location"] == reverse("hr:checklist", kwargs={"pk": checklist.pk})
    termination = Termination.objects.get(employee=employee)
    assert (termination.reason, termination.last_day) == ("mutual", last_day)


@pytest.mark.django_db(transaction=True)
def test_termination_before_the_hire_is_refused_on_the_page(client, head, department):
    employee = EmployeeFactory(department=department, hire_date=datetime.date(2024, 3, 1))
    client.force_login(head)
    response = client.post(
        reverse("hr:employee_terminate", kwargs={"pk": employee.pk}),
        {"reason": "dismissal", "notice_given_on": "2024-01-01", "last_day": "2024-02-01"},
    )
    assert response.status_code == 200
    assert "last_day" in response.context["form"].errors
    assert not Termination.objects.exists()
    employee.refresh_from_db()
    assert employee.termination_date is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url_name", ["hr:employee_transfer", "hr:employee_terminate"])
def test_head_of_another_department_finds_nothing_and_staff_are_forbidden(
    client, make_user, other_head, head, department, url_name
):
    employee = EmployeeFactory(department=department)
    staff = make_user(roles.STAFF, department=department)
    clerk = make_user(roles.PAYROLL_CLERK)
    data = {
        "department": department.pk,
        "valid_from": TODAY,
        "reason": "other",
        "notice_given_on": TODAY,
        "last_day": TODAY,
    }
    cases = [
        (other_head, employee, 404),
        (staff, employee, 404),  # not even in their own department
        (staff, staff.employee, 403),  # themselves: visible, not theirs to change
        (clerk, employee, 403),  # sees every employee, manages none
        (head, head.employee, 403),  # a head does not transfer or terminate themselves
    ]
    for user, target, status in cases:
        client.force_login(user)
        url = reverse(url_name, kwargs={"pk": target.pk})
        assert client.get(url).status_code == status, (user, status)
        assert client.post(url, data).status_code == status, (user, status)
    assert not EmploymentChange.objects.exists() and not Termination.objects.exists()


@pytest.mark.django_db
def test_employee_page_links_to_the_lifecycle_for_those_who_manage(client, head, department):
    employee = EmployeeFactory(department=department)
    client.force_login(head)
    page = client.get(reverse("hr:employee_detail", kwargs={"pk": employee.pk}))
    assert reverse("hr:employee_transfer", kwargs={"pk": employee.pk}) in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_nobody_transfers_or_terminates_themselves_hr_included(client, hr_manager):
    client.force_login(hr_manager)
    own = hr_manager.employee
    for name in ("hr:employee_transfer", "hr:employee_terminate"):
        assert client.get(reverse(name, kwargs={"pk": own.pk})).status_code == 403
    response = client.post(
        reverse("hr:employee_terminate", kwargs={"pk": own.pk}),
        {"reason": "resignation", "notice_given_on": TODAY, "last_day": TODAY},
    )
    assert response.status_code == 403
    assert not Termination.objects.filter(employee=own).exists()
