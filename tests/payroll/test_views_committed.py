"""Every state-changing page and admin action of payroll, outside the test's transaction
(issue #7, item 1).

pytest-django wraps a test in a transaction: inside it ``select_for_update()`` without
``atomic`` does not fail and ``on_commit`` hooks never run (here: the payday chunks, which the
test settings run eagerly when the transaction that queued them commits). These tests run as
production does, so a missing ``atomic`` is a 500 here too and payday really calculates.
tests/backoffice/test_post_views_committed.py checks that every POST URL has one.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from accounting.models import JournalEntry
from backoffice import roles
from payroll.models import (
    BankFile,
    CompanyAccountChange,
    PayProfileChange,
    PayrollRun,
    PayrollSettings,
    Payslip,
    TimeEntry,
)
from payroll.services.company_account import company_account_change_request
from payroll.services.profiles import pay_profile_change_request
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import VALID_IBANS, payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime.date(2026, 3, 2)
WEEK = "2026-W10"
NEW_IBAN = "DE02120300000000202051"


@pytest.fixture(autouse=True)
def committed():
    """The point of this file: no transaction around the test."""
    assert not connection.in_atomic_block


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def admin_action(client, changelist: str, name: str, *pks, **extra):
    return client.post(
        changelist,
        {"action": name, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "index": 0, **extra},
    )


def calculate(client, period) -> PayrollRun:
    """Press Calculate for ``period``: the chunks run as the request's transaction commits."""
    response = client.post(reverse("payroll:run_calculate"), {"period": period.pk})
    run = PayrollRun.objects.get(period=period)
    assert response.status_code == 302
    assert response["Location"] == reverse("payroll:run_detail", args=[run.pk])
    return run


# --- Payday --------------------------------------------------------------------------------------


def test_payday_calculated_approved_by_a_second_person_and_paid(
    client, schedule, clerk, accountant
):
    """A fresh run through the pages: the clerk calculates (every payslip written, the run
    calculated), an accountant approves, the clerk pays: the journal entry is posted and the
    bank file is there."""
    profile(schedule, salary="3000.00", iban_index=0)
    profile(schedule, salary="4000.00", iban_index=1)
    period = period_for(schedule)

    client.force_login(clerk)
    run = calculate(client, period)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert Payslip.objects.filter(run=run).count() == 2
    assert client.get(reverse("payroll:run_progress", args=[run.pk])).json()["percent"] == 100

    client.force_login(accountant)
    response = client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    assert "The run is approved; it can be paid now." in messages_of(response)
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (PayrollRun.Status.APPROVED, accountant)

    client.force_login(clerk)
    response = client.post(reverse("payroll:run_pay", args=[run.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    assert (
        "The run is paid: the journal entry is posted and the payslips published."
        in messages_of(response)
    )
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    assert JournalEntry.objects.filter(source=f"payroll.run:{run.pk}").exists()
    assert BankFile.objects.get(run=run).transactions == 2


def test_approve_and_pay_need_their_confirmation_and_large_changes_their_acknowledgement(
    client, schedule, clerk, accountant
):
    """February paid with 1 day of hours, March calculated with 10: March's payslip changed
    a lot. Approve without the confirmation, or without acknowledging the large change, is
    a message and changes nothing; with both it approves. Pay without its confirmation is a
    message and pays nothing; with it, it pays."""
    worker = profile(schedule, hourly_rate="20.00").employee
    TimeEntry.objects.create(
        employee=worker, date=datetime.date(2026, 2, 2), hours=Decimal(8), status="approved"
    )
    client.force_login(clerk)
    february = calculate(client, period_for(schedule, datetime.date(2026, 2, 1)))
    client.force_login(accountant)
    client.post(reverse("payroll:run_approve", args=[february.pk]), {"confirm": "yes"})
    client.force_login(clerk)
    client.post(reverse("payroll:run_pay", args=[february.pk]), {"confirm": "yes"})
    february.refresh_from_db()
    assert february.status == PayrollRun.Status.PAID
    for day in range(2, 14):
        if datetime.date(2026, 3, day).weekday() < 5:
            TimeEntry.objects.create(
                employee=worker,
                date=datetime.date(2026, 3, day),
                hours=Decimal(8),
                status="approved",
            )
    run = calculate(client, period_for(schedule))

    client.force_login(accountant)
    url = reverse("payroll:run_approve", args=[run.pk])
    response = client.post(url)
    assert "Confirm the net total and the payees before approving." in messages_of(response)
    response = client.post(url, {"confirm": "yes"})
    assert any("1 payslip changed by more than 20 %" in m for m in messages_of(response))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    response = client.post(url, {"confirm": "yes", "acknowledge_changes": "yes"})
    assert "The run is approved; it can be paid now." in messages_of(response)

    client.force_login(clerk)
    url = reverse("payroll:run_pay", args=[run.pk])
    response = client.post(url)
    assert "Confirm the net total and the payees before paying." in messages_of(response)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.APPROVED
    assert not JournalEntry.objects.filter(source=f"payroll.run:{run.pk}").exists()
    client.post(url, {"confirm": "yes"})
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID


def test_the_calculator_approving_is_a_message(client, schedule, clerk):
    profile(schedule, salary="3000.00")
    client.force_login(clerk)
    run = calculate(client, period_for(schedule))
    response = client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    assert any("a second person must" in m for m in messages_of(response))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED


def test_calculate_again_needs_confirmation_and_then_replaces_the_payslips(client, schedule, clerk):
    profile(schedule, salary="3000.00")
    client.force_login(clerk)
    run = calculate(client, period_for(schedule))
    first = set(Payslip.objects.filter(run=run).values_list("pk", flat=True))
    url = reverse("payroll:run_recalculate", args=[run.pk])

    response = client.post(url)
    assert any("Confirm" in m for m in messages_of(response))
    assert set(Payslip.objects.filter(run=run).values_list("pk", flat=True)) == first

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert any("Calculating again" in m for m in messages_of(response))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    again = set(Payslip.objects.filter(run=run).values_list("pk", flat=True))
    assert len(again) == 1 and again != first


def test_a_run_marked_failed_after_its_chunks_committed_is_resumed(client, schedule, clerk):
    """Resume on a failed run whose payslips are all written finishes it: calculated again,
    nothing calculated twice."""
    profile(schedule, salary="3000.00")
    client.force_login(clerk)
    run = calculate(client, period_for(schedule))
    slips = set(Payslip.objects.filter(run=run).values_list("pk", flat=True))
    PayrollRun.objects.filter(pk=run.pk).update(
        status=PayrollRun.Status.FAILED, error="worker lost"
    )

    response = client.post(reverse("payroll:run_resume", args=[run.pk]))
    assert response.status_code == 302
    assert "The calculation goes on with the parts not done yet." in messages_of(response)
    run.refresh_from_db()
    assert (run.status, run.error) == (PayrollRun.Status.CALCULATED, "")
    assert set(Payslip.objects.filter(run=run).values_list("pk", flat=True)) == slips


# --- Hours ---------------------------------------------------------------------------------------


def test_hours_entered_in_the_grid_then_approved_by_the_head(client, schedule, make_user):
    """A clerk saves a week in the grid; the department's head approves it."""
    dept = DepartmentFactory(code="PROD")
    worker = profile(schedule, hourly_rate="20.00", employee=EmployeeFactory(department=dept))
    cells = {f"h-{worker.employee.pk}-{(MONDAY + datetime.timedelta(days=i))}": "8" for i in (0, 1)}
    client.force_login(make_user(roles.DATA_ENTRY_CLERK))
    response = client.post(f"{reverse('payroll:hours_grid')}?department=PROD&week={WEEK}", cells)
    assert response.status_code == 302
    assert "Hours saved: 2 new, 0 changed, 0 cleared." in messages_of(response)
    assert TimeEntry.objects.filter(status=TimeEntry.Status.ENTERED).count() == 2

    head = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = head.employee
    dept.save(update_fields=["head"])
    client.force_login(head)
    response = client.post(f"{reverse('payroll:hours_approve')}?department=PROD&week={WEEK}")
    assert response.status_code == 302
    assert "2 entries approved." in messages_of(response)
    assert set(TimeEntry.objects.values_list("status", "approved_by")) == {
        (TimeEntry.Status.APPROVED, head.pk)
    }


def test_admin_exports_the_selected_hours(client, schedule, clerk):
    worker = profile(schedule, hourly_rate="20.00")
    entry = TimeEntry.objects.create(employee=worker.employee, date=MONDAY, hours=Decimal("7.5"))
    client.force_login(clerk)
    response = admin_action(
        client, reverse("admin:payroll_timeentry_changelist"), "export_csv", entry.pk
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[1][:3] == [worker.employee.personnel_number, "2026-03-02", "7,50"]


# --- Requests for a change of pay or of the company account ---------------------------------------


def test_admin_withdraws_ones_own_pay_profile_request(client, schedule, clerk):
    p = profile(schedule, salary="3000.00")
    change = pay_profile_change_request(profile=p, user=clerk, iban=NEW_IBAN, bic="")
    client.force_login(clerk)
    response = admin_action(
        client, reverse("admin:payroll_payprofilechange_changelist"), "withdraw_changes", change.pk
    )
    assert "Changes withdrawn: 1." in messages_of(response)
    change.refresh_from_db()
    p.refresh_from_db()
    assert change.status == PayProfileChange.Status.WITHDRAWN
    assert p.iban == VALID_IBANS[0]


def test_admin_refuses_and_withdraws_company_account_changes(client, schedule, make_user):
    """A second clerk refuses a new company account with a reason; a later request is
    withdrawn by its asker. The paying account stays as approved."""
    asker, second = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    before = PayrollSettings.objects.get().company_iban
    changelist = reverse("admin:payroll_companyaccountchange_changelist")
    change = company_account_change_request(
        user=asker, company_name="Backoffice GmbH", company_iban=NEW_IBAN, company_bic=""
    )
    client.force_login(second)
    response = admin_action(
        client, changelist, "refuse_changes", change.pk, refuse="Refuse", note="Unknown bank."
    )
    assert "Changes refused: 1." in messages_of(response)
    change.refresh_from_db()
    assert (change.status, change.decision_note) == ("refused", "Unknown bank.")

    change = company_account_change_request(
        user=asker, company_name="Backoffice GmbH", company_iban=NEW_IBAN, company_bic=""
    )
    client.force_login(asker)
    response = admin_action(client, changelist, "withdraw_changes", change.pk)
    assert "Changes withdrawn: 1." in messages_of(response)
    change.refresh_from_db()
    assert change.status == CompanyAccountChange.Status.WITHDRAWN
    assert PayrollSettings.objects.get().company_iban == before
