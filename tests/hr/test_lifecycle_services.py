"""Hire, transfer and terminate through the services (issue #8, item 2): what a hire creates,
the checklists that apps fill through hr's registry, transfers with effective dates applied by
the daily task, and terminations with their offboarding checklist."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from backoffice import roles
from backoffice.services import user_roles_set
from hr import registry
from hr.models import Checklist, Employee, EmploymentChange, PersonnelFile, Termination
from hr.services import logins_of_terminated_deactivate
from hr.services.lifecycle import (
    checklist_autocomplete,
    checklist_create,
    checklist_item_tick,
    employment_changes_apply_due,
    employment_hire,
    employment_terminate,
    employment_transfer,
    username_for,
)
from hr.tasks import transfers_apply_due
from tests.hr.factories import DepartmentFactory, EmployeeFactory, PositionFactory, UserFactory
from tests.payroll.factories import payroll_setup, profile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def hire(department=None, **kwargs):
    department = department or DepartmentFactory()
    values = {
        "first_name": "Jörg",
        "last_name": "Müller-Weiß",
        "department": department,
        "employment_type": Employee.EmploymentType.SALARIED,
        "hire_date": TODAY,
        "work_email": "joerg.mueller@example.com",
        "contract_type": PersonnelFile.ContractType.FIXED_TERM,
        "weekly_hours": Decimal("38.50"),
        "probation_end": TODAY + datetime.timedelta(days=180),
        "fixed_term_end": TODAY + datetime.timedelta(days=365),
    }
    values.update(kwargs)
    return employment_hire(**values)


def test_hire_creates_employee_file_login_checklist_and_mails_a_working_link(
    client, django_capture_on_commit_callbacks
):
    """One hire: the employee under the department's head, the personnel file with the
    contract's basics, a staff login without a usable password, the onboarding checklist; after
    commit one mail whose absolute link lets the new employee set a password."""
    head = EmployeeFactory()
    department = DepartmentFactory(head=head)
    with django_capture_on_commit_callbacks(execute=True):
        employee = hire(department=department)
    assert employee.manager == head
    assert employee.personnel_number.startswith("H")
    pfile = employee.personnel_file
    assert pfile.weekly_hours == Decimal("38.50")
    assert pfile.contract_start == TODAY
    assert pfile.fixed_term_end == TODAY + datetime.timedelta(days=365)
    user = employee.user
    assert user.username == "joerg.muellerweiss"
    assert user.email == "joerg.mueller@example.com"
    assert not user.has_usable_password()
    assert roles.user_roles(user) == {roles.STAFF}
    checklist = employee.checklists.get()
    assert checklist.kind == Checklist.Kind.ONBOARDING
    assert {"hr.contract_signed", "payroll.pay_profile", "itsupport.laptop_accounts"} <= set(
        checklist.items.values_list("key", flat=True)
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["joerg.mueller@example.com"]
    assert "joerg.muellerweiss" in message.body
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body)[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    assert "new_password1" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Neu-Passw0rt!2026", "new_password2": "Neu-Passw0rt!2026"},
    )
    user.refresh_from_db()
    assert user.check_password("Neu-Passw0rt!2026")


def test_a_failing_hire_leaves_nothing_behind(django_capture_on_commit_callbacks):
    """The position of another department refuses the hire: no login, no employee, no mail."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        hire(position=PositionFactory())
    assert not get_user_model().objects.filter(email="joerg.mueller@example.com").exists()
    assert not Employee.objects.filter(last_name="Müller-Weiß").exists()
    assert mail.outbox == []


def test_usernames_are_derived_and_unique():
    UserFactory(username="anna.schmidt")
    UserFactory(username="anna.schmidt2")
    assert username_for(first_name="Anna", last_name="Schmidt") == "anna.schmidt3"
    assert username_for(first_name="Åsa", last_name="Groß") == "asa.gross"


def test_onboarding_item_registered_by_another_app_appears_on_the_checklist(monkeypatch):
    """An app registers an item in hr's registry (as payroll, IT and inventory do in their
    ready()); a checklist made afterwards carries it, with its owner; an item whose
    ``applies`` leaves the employee out is not there."""
    monkeypatch.setitem(
        registry._checklist_items,
        "fleet.company_car",
        registry.ChecklistItemSpec(
            key="fleet.company_car",
            kind=registry.ONBOARDING,
            title="Company car handed over",
            owner=roles.OFFICE_MANAGER,
        ),
    )
    monkeypatch.setitem(
        registry._checklist_items,
        "fleet.parking",
        registry.ChecklistItemSpec(
            key="fleet.parking",
            kind=registry.ONBOARDING,
            title="Parking space",
            owner=roles.OFFICE_MANAGER,
            applies=lambda employee: False,
        ),
    )
    checklist = checklist_create(employee=EmployeeFactory(), kind=Checklist.Kind.ONBOARDING)
    items = {item.key: item for item in checklist.items.all()}
    assert items["fleet.company_car"].title == "Company car handed over"
    assert items["fleet.company_car"].owner == roles.OFFICE_MANAGER
    assert "fleet.parking" not in items
    # The apps' own registrations from their AppConfig.ready():
    assert items["payroll.pay_profile"].owner == roles.PAYROLL_CLERK
    assert items["itsupport.laptop_accounts"].owner == roles.HELPDESK_AGENT
    assert items["inventory.keys_out"].owner == roles.OFFICE_MANAGER


def test_pay_profile_item_ticks_itself_once_payroll_set_it_up():
    employee = EmployeeFactory()
    checklist = checklist_create(employee=employee, kind=Checklist.Kind.ONBOARDING)
    assert checklist_autocomplete(checklist=checklist) == 0
    profile(payroll_setup(), employee=employee, salary="3000.00")
    assert checklist_autocomplete(checklist=checklist) == 1
    item = checklist.items.get(key="payroll.pay_profile")
    assert item.done_at is not None and item.done_by is None
    assert checklist_autocomplete(checklist=checklist) == 0


def test_ticking_every_item_completes_the_checklist_and_unticking_reopens_it():
    user = UserFactory()
    checklist = checklist_create(employee=EmployeeFactory(), kind=Checklist.Kind.OFFBOARDING)
    items = list(checklist.items.all())
    for item in items:
        checklist_item_tick(item=item, user=user, note="erledigt")
    checklist.refresh_from_db()
    assert checklist.completed_at is not None
    first = checklist.items.get(pk=items[0].pk)
    assert first.done_by == user and first.note == "erledigt"
    checklist_item_tick(item=first, user=user, done=False)
    checklist.refresh_from_db()
    assert checklist.completed_at is None


def test_checklist_create_is_idempotent():
    employee = EmployeeFactory()
    first = checklist_create(employee=employee, kind=Checklist.Kind.ONBOARDING)
    second = checklist_create(employee=employee, kind=Checklist.Kind.ONBOARDING)
    assert first.pk == second.pk
    assert second.items.count() == len(registry.checklist_items(registry.ONBOARDING))


# --- Transfers ----------------------------------------------------------------------------------


def test_transfer_today_takes_effect_and_keeps_the_history():
    old_head, new_head = EmployeeFactory(), EmployeeFactory()
    old = DepartmentFactory(head=old_head)
    new = DepartmentFactory(head=new_head)
    position = PositionFactory(department=new)
    employee = EmployeeFactory(department=old, manager=old_head)
    by = UserFactory()
    user_roles_set(user=by, roles=[roles.HR_MANAGER])
    change = employment_transfer(
        employee=employee, department=new, position=position, manager=None, valid_from=TODAY, by=by
    )
    employee.refresh_from_db()
    assert (employee.department, employee.position, employee.manager) == (new, position, new_head)
    assert change.applied_at is not None
    assert (change.old_department, change.old_manager, change.created_by) == (old, old_head, by)


def test_a_head_transfers_only_within_the_departments_they_head_and_at_most_a_year_ahead():
    head = EmployeeFactory(user=UserFactory())
    user_roles_set(user=head.user, roles=[roles.DEPARTMENT_HEAD])
    own, other = DepartmentFactory(head=head), DepartmentFactory()
    employee = EmployeeFactory(department=own)
    with pytest.raises(ValidationError) as refused:
        employment_transfer(
            employee=employee, department=other, position=None, manager=None,
            valid_from=TODAY, by=head.user,
        )  # fmt: skip
    assert "department" in refused.value.message_dict
    with pytest.raises(ValidationError) as far:
        employment_transfer(
            employee=employee, department=own, position=PositionFactory(department=own),
            manager=None, valid_from=TODAY + datetime.timedelta(days=400), by=head.user,
        )  # fmt: skip
    assert "valid_from" in far.value.message_dict
    change = employment_transfer(
        employee=employee, department=own, position=PositionFactory(department=own),
        manager=None, valid_from=TODAY, by=head.user,
    )  # fmt: skip
    assert change.applied_at is not None
    assert not EmploymentChange.objects.filter(new_department=other).exists()


def test_future_transfer_waits_for_the_daily_task_which_applies_it_once():
    old, new = DepartmentFactory(), DepartmentFactory()
    employee = EmployeeFactory(department=old)
    day = TODAY + datetime.timedelta(days=7)
    change = employment_transfer(
        employee=employee, department=new, position=None, manager=None, valid_from=day
    )
    assert transfers_apply_due() == 0
    employee.refresh_from_db()
    assert employee.department == old and change.applied_at is None

    assert employment_changes_apply_due(today=day) == 1
    assert employment_changes_apply_due(today=day) == 0
    employee.refresh_from_db()
    change.refresh_from_db()
    assert employee.department == new and change.applied_at is not None


def test_transfer_refuses_nothing_to_change_and_a_day_before_the_hire():
    employee = EmployeeFactory(hire_date=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        employment_transfer(
            employee=employee,
            department=employee.department,
            position=None,
            manager=None,
            valid_from=TODAY,
        )
    with pytest.raises(ValidationError) as info:
        employment_transfer(
            employee=employee,
            department=DepartmentFactory(),
            position=None,
            manager=None,
            valid_from=datetime.date(2023, 12, 31),
        )
    assert "valid_from" in info.value.message_dict
    assert not EmploymentChange.objects.exists()


# --- Termination --------------------------------------------------------------------------------


def test_termination_records_reason_and_opens_the_offboarding_checklist():
    user = UserFactory()
    employee = EmployeeFactory(user=user)
    last_day = TODAY + datetime.timedelta(days=30)
    termination = employment_terminate(
        employee=employee,
        reason=Termination.Reason.RESIGNATION,
        notice_given_on=TODAY,
        last_day=last_day,
    )
    employee.refresh_from_db()
    assert employee.termination_date == last_day
    assert termination.get_reason_display() == "Resignation"
    keys = set(employee.checklists.get(kind="offboarding").items.values_list("key", flat=True))
    assert {"hr.return_documents", "hr.final_certificate", "inventory.keys_returned"} <= keys
    # The login stays open until the last day has passed.
    assert logins_of_terminated_deactivate(today=last_day) == 0
    assert logins_of_terminated_deactivate(today=last_day + datetime.timedelta(days=1)) == 1
    user.refresh_from_db()
    assert not user.is_active


def test_termination_refuses_a_last_day_before_the_hire_and_a_second_termination():
    employee = EmployeeFactory(hire_date=datetime.date(2024, 5, 1))
    with pytest.raises(ValidationError) as info:
        employment_terminate(
            employee=employee,
            reason=Termination.Reason.DISMISSAL,
            notice_given_on=datetime.date(2024, 1, 1),
            last_day=datetime.date(2024, 4, 30),
        )
    assert "last_day" in info.value.message_dict
    assert not Termination.objects.exists() and not Checklist.objects.exists()
    employment_terminate(
        employee=employee,
        reason=Termination.Reason.DISMISSAL,
        notice_given_on=TODAY,
        last_day=TODAY + datetime.timedelta(days=14),
    )
    with pytest.raises(ValidationError):
        employment_terminate(
            employee=employee,
            reason=Termination.Reason.OTHER,
            notice_given_on=TODAY,
            last_day=TODAY + datetime.timedelta(days=20),
        )


def test_termination_drops_transfers_planned_after_the_last_day():
    employee = EmployeeFactory()
    employment_transfer(
        employee=employee,
        department=DepartmentFactory(),
        position=None,
        manager=None,
        valid_from=TODAY + datetime.timedelta(days=60),
    )
    employment_terminate(
        employee=employee,
        reason=Termination.Reason.RETIREMENT,
        notice_given_on=TODAY,
        last_day=TODAY + datetime.timedelta(days=30),
    )
    assert not EmploymentChange.objects.filter(employee=employee).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_email", ["joerg.mueller@example.com", "jm@example.com"])
def test_two_hires_at_once_neither_fail_with_a_duplicate_nor_make_two_logins(second_email):
    """A double click on Hire (or two HR managers at once): the second waits for the first.
    The same address is refused in words; another address gets the next username and number.
    (Both used to pass the checks and the second answered 500 on the unique username.)"""
    department = DepartmentFactory()
    started, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                hire(department)
                started.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(timeout=10)
    threading.Timer(1.0, release.set).start()
    try:
        if second_email == "joerg.mueller@example.com":
            with pytest.raises(ValidationError) as refused:
                hire(department, work_email=second_email)
            assert "work_email" in refused.value.message_dict
        else:
            hire(department, work_email=second_email)
    finally:
        release.set()
        thread.join(timeout=30)
    hired = Employee.objects.filter(last_name="Müller-Weiß")
    logins = get_user_model().objects.filter(last_name="Müller-Weiß")
    expected = 1 if second_email == "joerg.mueller@example.com" else 2
    assert hired.count() == logins.count() == expected
    assert len({e.personnel_number for e in hired}) == expected
    assert get_user_model().objects.filter(email__iexact="joerg.mueller@example.com").count() == 1


def test_an_end_of_fixed_term_on_a_permanent_contract_is_refused_in_words():
    with pytest.raises(ValidationError) as refused:
        hire(contract_type=PersonnelFile.ContractType.PERMANENT)
    assert refused.value.message_dict["fixed_term_end"] == [
        "Only a fixed-term contract has an end of fixed term."
    ]
    assert not Employee.objects.filter(last_name="Müller-Weiß").exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_termination_at_once_waits_and_is_refused_in_words():
    """A double click on Terminate: the second request used to pass the "recorded already"
    check and answer 500 on the unique key."""
    employee = EmployeeFactory(hire_date=datetime.date(2020, 1, 1))
    values = {
        "reason": Termination.Reason.RESIGNATION,
        "notice_given_on": TODAY,
        "last_day": TODAY + datetime.timedelta(days=30),
    }
    started, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                employment_terminate(employee=employee, **values)
                started.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(timeout=10)
    threading.Timer(1.0, release.set).start()
    try:
        with pytest.raises(ValidationError) as refused:
            employment_terminate(employee=employee, **values)
    finally:
        release.set()
        thread.join(timeout=30)
    assert "recorded already" in refused.value.messages[0]
    assert Termination.objects.filter(employee=employee).count() == 1
    assert employee.checklists.filter(kind=Checklist.Kind.OFFBOARDING).count() == 1
