"""The payroll admin: pay profiles save through the services (sensitive fields as requests for
a second person's approval, bank details history kept), the
deduction rules say they are configurable and not a certified payroll, and runs, payslips,
cheques and bank files are read-only."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from backoffice import roles
from payroll.models import (
    BankDetailsChange,
    DeductionRule,
    PayProfile,
    PayProfileChange,
    PayrollChunk,
    PayrollRun,
    PayrollSettings,
    Payslip,
    PayslipLine,
    TimeEntry,
)
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import VALID_IBANS, payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def clerk(make_user, client):
    user = make_user(roles.PAYROLL_CLERK)
    client.force_login(user)
    return user


# The management forms of the profile's read-only inlines (requests, bank details history).
INLINES = {
    f"{prefix}-{name}": value
    for prefix in ("change_requests", "bank_changes")
    for name, value in (
        ("TOTAL_FORMS", "0"),
        ("INITIAL_FORMS", "0"),
        ("MIN_NUM_FORMS", "0"),
        ("MAX_NUM_FORMS", "1000"),
    )
}


def _profile_form(p: PayProfile, **changes) -> dict:
    data = {
        "schedule": p.schedule_id,
        "hourly_rate": p.hourly_rate or "",
        "monthly_salary": p.monthly_salary or "",
        "pay_method": p.pay_method,
        "iban": p.iban,
        "bic": p.bic,
        "account_holder": p.account_holder,
        **INLINES,
    }
    data.update(changes)
    return data


def _paid_run(schedule, employees):
    run = PayrollRun.objects.create(period=period_for(schedule), status=PayrollRun.Status.PAID)
    chunk = PayrollChunk.objects.create(
        run=run, index=0, employee_ids=[e.pk for e in employees], status="done"
    )
    for employee in employees:
        slip = Payslip.objects.create(
            run=run,
            period=run.period,
            chunk=chunk,
            employee=employee,
            department=employee.department,
            pay_method="deposit",
            iban=VALID_IBANS[0],
            gross=Decimal("3000.00"),
            deductions=Decimal("600.00"),
            net=Decimal("2400.00"),
            employer_contributions=Decimal("279.00"),
        )
        PayslipLine.objects.create(
            payslip=slip, kind="earning", code="salary", label="Gehalt", amount=Decimal("3000")
        )
    return run


def test_changing_the_iban_in_the_admin_waits_for_a_second_person(
    client, clerk, schedule, make_user
):
    """A payroll clerk changes an IBAN in the admin: the profile keeps the old IBAN and shows
    the waiting request; a second clerk approves it in the list of requests, and then the
    IBAN changes and the history names who asked and who approved."""
    p = profile(schedule, salary="4000.00", iban_index=0)
    url = f"/admin/payroll/payprofile/{p.pk}/change/"
    response = client.post(url, _profile_form(p, iban="de02 1203 0000 0000 2020 51", bic=""))
    assert response.status_code == 302, response.context["adminform"].form.errors
    p.refresh_from_db()
    assert p.iban == VALID_IBANS[0]
    assert not BankDetailsChange.objects.exists()
    request = PayProfileChange.objects.get(profile=p, status="pending")
    assert request.requested_by == clerk
    assert request.changes == {"iban": "DE02120300000000202051", "bic": "BYLADEM1001"}
    page = client.get(url)
    assert "waits for a second person" in page.content.decode()
    pending = page.content.decode().split('data-testid="pending-change"')[1]
    assert "DE02120300000000202051" in pending and VALID_IBANS[0] in pending

    second = make_user(roles.PAYROLL_CLERK)
    client.force_login(second)
    response = client.post(
        "/admin/payroll/payprofilechange/",
        {"action": "approve_changes", "_selected_action": [request.pk], "index": 0},
        follow=True,
    )
    assert "Changes approved: 1." in response.content.decode()
    p.refresh_from_db()
    assert (p.iban, p.bic) == ("DE02120300000000202051", "BYLADEM1001")
    change = BankDetailsChange.objects.get(profile=p)
    assert (change.old_iban, change.new_iban) == (VALID_IBANS[0], "DE02120300000000202051")
    assert (change.requested_by, change.changed_by) == (clerk, second)
    page = client.get(url)
    assert b"bank details history" in page.content.lower()
    assert b"requests and decisions" in page.content.lower()


def test_a_salary_change_in_the_admin_waits_and_records_no_bank_change(client, clerk, schedule):
    p = profile(schedule, salary="4000.00", iban_index=0, bic="COBADEFFXXX")
    url = f"/admin/payroll/payprofile/{p.pk}/change/"
    response = client.post(url, _profile_form(p, monthly_salary="4100.00"), follow=True)
    assert response.status_code == 200
    assert "The change of monthly salary waits for a second person" in response.content.decode()
    p.refresh_from_db()
    assert p.monthly_salary == Decimal("4000.00")
    assert PayProfileChange.objects.get(profile=p).changes == {"monthly_salary": "4100.00"}
    assert not BankDetailsChange.objects.exists()


def test_invalid_iban_in_the_admin_is_a_field_error_and_changes_nothing(client, clerk, schedule):
    p = profile(schedule, salary="4000.00", iban_index=0)
    response = client.post(
        f"/admin/payroll/payprofile/{p.pk}/change/",
        _profile_form(p, iban="DE89370400440532013001"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "check digits" in errors["iban"][0]
    p.refresh_from_db()
    assert p.iban == VALID_IBANS[0]
    assert not BankDetailsChange.objects.exists()


def test_adding_a_profile_in_the_admin_goes_through_the_service(client, clerk, schedule):
    employee = EmployeeFactory()
    data = {
        "employee": employee.pk,
        "schedule": schedule.pk,
        "hourly_rate": "17.50",
        "monthly_salary": "",
        "pay_method": "deposit",
        "iban": VALID_IBANS[1],
        "bic": "",
        "account_holder": "",
        **INLINES,
    }
    response = client.post("/admin/payroll/payprofile/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = PayProfile.objects.get(employee=employee)
    assert created.hourly_rate == Decimal("17.50")
    # Not paid until a second person approves it; the history starts then.
    assert not created.is_approved
    assert created.change_requests.get().kind == "create"
    assert not created.bank_changes.exists()


def test_deduction_rules_say_they_are_not_a_certified_payroll(client, clerk, schedule):
    rule = DeductionRule.objects.get(code="RV")
    for url in ("/admin/payroll/deductionrule/", f"/admin/payroll/deductionrule/{rule.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"not a certified German payroll" in response.content, url


def test_paid_runs_and_payslips_are_read_only(client, clerk, schedule):
    """A paid run, its payslips, cheques and bank files can be looked at, never changed, added
    or deleted in the admin."""
    employee = profile(schedule, salary="3000.00").employee
    run = _paid_run(schedule, [employee])
    slip = Payslip.objects.get(run=run)

    page = client.get(f"/admin/payroll/payrollrun/{run.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    run_url = f"/admin/payroll/payrollrun/{run.pk}"
    assert client.post(f"{run_url}/change/", {"status": "draft"}).status_code == 403
    assert client.get("/admin/payroll/payrollrun/add/").status_code == 403
    assert client.post(f"{run_url}/delete/", {"post": "yes"}).status_code == 403
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID

    page = client.get(f"/admin/payroll/payslip/{slip.pk}/change/")
    assert page.status_code == 200
    assert b"Gehalt" in page.content  # the lines, inline
    assert b'name="_save"' not in page.content
    slip_url = f"/admin/payroll/payslip/{slip.pk}"
    assert client.post(f"{slip_url}/change/", {"net": "1"}).status_code == 403
    assert client.post(f"{slip_url}/delete/", {"post": "yes"}).status_code == 403
    slip.refresh_from_db()
    assert slip.net == Decimal("2400.00")
    for url in ("/admin/payroll/cheque/add/", "/admin/payroll/bankfile/add/"):
        assert client.get(url).status_code == 403
    for url in ("/admin/payroll/cheque/", "/admin/payroll/bankfile/"):
        assert client.get(url).status_code == 200


def test_hours_are_read_only_in_the_admin(client, clerk, schedule):
    """Hours change only through the grid and the import, where the lock and re-approval
    rules apply."""
    entry = TimeEntry.objects.create(
        employee=profile(schedule, hourly_rate="20").employee,
        date=datetime.date(2026, 3, 2),
        hours=Decimal(8),
    )
    assert client.get("/admin/payroll/timeentry/").status_code == 200
    assert client.get("/admin/payroll/timeentry/add/").status_code == 403
    response = client.post(f"/admin/payroll/timeentry/{entry.pk}/change/", {"hours": "9"})
    assert response.status_code == 403


def test_settings_are_one_row(client, clerk, schedule):
    assert PayrollSettings.objects.count() == 1
    assert client.get("/admin/payroll/payrollsettings/add/").status_code == 403
    pk = PayrollSettings.objects.get().pk
    assert client.get(f"/admin/payroll/payrollsettings/{pk}/change/").status_code == 200


def test_period_with_a_run_has_fixed_dates(client, clerk, schedule):
    run = _paid_run(schedule, [profile(schedule, salary="3000").employee])
    page = client.get(f"/admin/payroll/payperiod/{run.period_id}/change/")
    assert page.status_code == 200
    assert b'name="start"' not in page.content


@pytest.mark.parametrize("role", [roles.STAFF, roles.DATA_ENTRY_CLERK, roles.DEPARTMENT_HEAD])
def test_portal_roles_do_not_reach_the_payroll_admin(client, make_user, role):
    client.force_login(make_user(role))
    for url in ("/admin/payroll/payprofile/", "/admin/payroll/payslip/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_auditor_sees_but_does_not_change_profiles(client, make_user, schedule):
    p = profile(schedule, salary="4000.00")
    client.force_login(make_user(roles.AUDITOR))
    assert client.get("/admin/payroll/payprofile/").status_code == 200
    response = client.post(f"/admin/payroll/payprofile/{p.pk}/change/", _profile_form(p))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url", ["/admin/payroll/payslip/", "/admin/payroll/payprofile/", "/admin/payroll/timeentry/"]
)
def test_admin_lists_do_not_query_per_row(client, clerk, schedule, url):
    """The big payroll lists cost as many queries with 30 rows as with 3."""

    def grow_to(n):
        departments = [DepartmentFactory() for _ in range(3)]
        new = []
        while PayProfile.objects.count() < n:
            employee = EmployeeFactory(department=departments[len(new) % 3])
            profile(schedule, hourly_rate="20", employee=employee)
            TimeEntry.objects.create(employee=employee, date=datetime.date(2026, 3, 2), hours=8)
            new.append(employee)
        _paid_run_for_new(new)

    def _paid_run_for_new(employees):
        run = PayrollRun.objects.filter(period=period_for(schedule)).first()
        if run is None:
            _paid_run(schedule, employees)
            return
        chunk = run.chunks.get()
        for employee in employees:
            Payslip.objects.create(
                run=run,
                period=run.period,
                chunk=chunk,
                employee=employee,
                department=employee.department,
                pay_method="deposit",
                gross=Decimal("10.00"),
                deductions=Decimal("0.00"),
                net=Decimal("10.00"),
                employer_contributions=Decimal("0.00"),
            )

    def measure():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    grow_to(3)
    small = measure()
    grow_to(30)
    assert measure() == small


def test_hours_export_reads_back_through_the_import(client, clerk, schedule):
    """The admin's hours export uses the import's columns (German Excel dialect): the file
    imports again unchanged."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from payroll.services.hours import hours_import

    employee = profile(schedule, hourly_rate="20").employee
    entry = TimeEntry.objects.create(
        employee=employee,
        date=datetime.date(2026, 3, 2),
        hours=Decimal("7.25"),
        start_time=datetime.time(7),
        end_time=datetime.time(14, 45),
    )
    response = client.post(
        "/admin/payroll/timeentry/",
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(entry.pk)]},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeffpersonnel_number;date;hours;start;end".encode())
    assert f"{employee.personnel_number};2026-03-02;7,25;07:00:00;14:45:00".encode() in content
    result = hours_import(file=content, user=clerk)
    assert result.changed == 0
