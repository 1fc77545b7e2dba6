"""Staff self-service: my published payslips, newest first, and their PDFs; another
employee's payslip or one not yet published is not found (404); the dashboard is refused."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from backoffice import roles
from backoffice.money import format_money
from payroll.models import Payslip
from payroll.services.payday import payday_run_approve, payday_run_calculate, payday_run_pay
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def payday(make_user, django_capture_on_commit_callbacks):
    """``payday(schedule, day, pay=True)`` calculates (and pays) the month of ``day``."""
    calculator, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)

    def run_month(schedule, day, *, pay=True):
        with django_capture_on_commit_callbacks(execute=True):
            run = payday_run_calculate(period=period_for(schedule, day), user=calculator)
        if pay:
            payday_run_approve(run=run, user=approver, changes_acknowledged=True)
            with django_capture_on_commit_callbacks(execute=True):
                payday_run_pay(run=run, user=approver)
        run.refresh_from_db()
        return run

    return run_month


@pytest.fixture
def two_staff(make_user):
    """Two staff members with pay profiles on the default schedule."""
    schedule = payroll_setup()
    me, other = make_user(roles.STAFF), make_user(roles.STAFF)
    profile(schedule, employee=me.employee, salary="3000.00")
    profile(schedule, employee=other.employee, salary="5000.00", iban_index=1)
    return schedule, me, other


def test_my_payslips_lists_my_published_payslips_newest_first(client, payday, two_staff):
    """Paid February and March show, March first; the unpaid April and the colleague's
    payslips do not."""
    schedule, me, other = two_staff
    february = payday(schedule, datetime.date(2026, 2, 1))
    march = payday(schedule, datetime.date(2026, 3, 1))
    payday(schedule, datetime.date(2026, 4, 1), pay=False)

    client.force_login(me)
    response = client.get(reverse("payroll:my_payslips"))
    assert response.status_code == 200
    slips = response.context["payslips"]
    assert [s.run_id for s in slips] == [march.pk, february.pk]
    assert {s.employee_id for s in slips} == {me.employee.pk}
    content = response.content.decode()
    assert format_money(slips[0].net) in content
    other_net = Payslip.objects.filter(employee=other.employee).first().net
    assert format_money(other_net) not in content


def test_my_payslip_pdf_downloads(client, payday, two_staff):
    """My published payslip downloads as a PDF attachment."""
    schedule, me, _other = two_staff
    run = payday(schedule, datetime.date(2026, 3, 1))
    slip = Payslip.objects.get(run=run, employee=me.employee)
    client.force_login(me)
    response = client.get(reverse("payroll:my_payslip_pdf", args=[slip.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="payslip-2026-03.pdf"'
    assert response.content.startswith(b"%PDF")


def test_my_payslip_pdf_is_rendered_on_demand_when_not_stored_yet(client, payday, two_staff):
    """A PDF the background task has not reached yet is rendered for the download and kept."""
    schedule, me, _other = two_staff
    run = payday(schedule, datetime.date(2026, 3, 1))
    slip = Payslip.objects.get(run=run, employee=me.employee)
    Payslip.objects.filter(pk=slip.pk).update(pdf="")
    client.force_login(me)
    response = client.get(reverse("payroll:my_payslip_pdf", args=[slip.pk]))
    assert response.content.startswith(b"%PDF")
    slip.refresh_from_db()
    assert slip.pdf


def test_another_employees_payslip_is_not_found(client, payday, two_staff):
    """A colleague's payslip PDF is 404 for staff, as if it did not exist."""
    schedule, me, other = two_staff
    run = payday(schedule, datetime.date(2026, 3, 1))
    theirs = Payslip.objects.get(run=run, employee=other.employee)
    client.force_login(me)
    assert client.get(reverse("payroll:my_payslip_pdf", args=[theirs.pk])).status_code == 404


def test_unpublished_payslip_is_not_found(client, payday, two_staff):
    """A payslip of a run not yet paid is 404, even for its own employee."""
    schedule, me, _other = two_staff
    run = payday(schedule, datetime.date(2026, 3, 1), pay=False)
    mine = Payslip.objects.get(run=run, employee=me.employee)
    client.force_login(me)
    assert client.get(reverse("payroll:my_payslip_pdf", args=[mine.pk])).status_code == 404
    assert client.get(reverse("payroll:my_payslips")).context["payslips"] == []


def test_a_login_without_employee_has_no_payslips(client, make_user, payday, two_staff):
    schedule, me, _other = two_staff
    run = payday(schedule, datetime.date(2026, 3, 1))
    mine = Payslip.objects.get(run=run, employee=me.employee)
    client.force_login(make_user(roles.STAFF, employee=False))
    assert client.get(reverse("payroll:my_payslips")).context["payslips"] == []
    assert client.get(reverse("payroll:my_payslip_pdf", args=[mine.pk])).status_code == 404


def test_staff_see_no_dashboard(client, two_staff):
    """Staff are refused the payday dashboard and the clerk's payslip pages (403)."""
    _schedule, me, _other = two_staff
    client.force_login(me)
    assert client.get(reverse("payroll:dashboard")).status_code == 403
    assert client.get(reverse("payroll:payslip_pdf", args=[1, 1])).status_code == 403


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("payroll:my_payslips"), reverse("payroll:my_payslip_pdf", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_my_payslips_queries_do_not_grow_with_payslips(client, payday, two_staff):
    """The list costs as many queries with six months of payslips as with one."""
    schedule, me, _other = two_staff
    client.force_login(me)
    url = reverse("payroll:my_payslips")
    payday(schedule, datetime.date(2026, 1, 1))

    def measure():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return len(captured.captured_queries), len(response.context["payslips"])

    small, rows = measure()
    assert rows == 1
    for month in range(2, 7):
        payday(schedule, datetime.date(2026, month, 1))
    large, rows = measure()
    assert rows == 6
    assert large == small
