"""The payslip admin list stays cheap on a large table: newest first along the primary key,
a pay method filter with fixed choices, an estimated count when unfiltered; its queries at
two data sizes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice import roles
from backoffice.admin_site import EstimatedCountPaginator
from payroll.models import PayrollChunk, PayrollRun, Payslip
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for

pytestmark = pytest.mark.django_db

PAYSLIPS = "/admin/payroll/payslip/"


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def clerk_client(client, make_user):
    client.force_login(make_user(roles.PAYROLL_CLERK))
    return client


def _slips(schedule, count: int, day=datetime.date(2026, 3, 1)) -> PayrollRun:
    """A paid run with ``count`` payslips, one in five paid by cheque."""
    run = PayrollRun.objects.create(period=period_for(schedule, day), status=PayrollRun.Status.PAID)
    chunk = PayrollChunk.objects.create(run=run, index=0, employee_ids=[], status="done")
    department = DepartmentFactory()
    Payslip.objects.bulk_create(
        Payslip(
            run=run,
            period=run.period,
            chunk=chunk,
            employee=EmployeeFactory(department=department),
            department=department,
            pay_method="cheque" if i % 5 == 0 else "deposit",
            gross=Decimal("100.00"),
            deductions=Decimal("0.00"),
            net=Decimal("100.00"),
            employer_contributions=Decimal("0.00"),
        )
        for i in range(count)
    )
    return run


def _get(client, url, params=None):
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def test_payslip_list_is_newest_first_without_the_runs_ordering(clerk_client, schedule):
    """The list reads the newest payslips along the primary key: no join to the run and its
    period only to sort."""
    _slips(schedule, 3, datetime.date(2026, 2, 1))
    _slips(schedule, 3, datetime.date(2026, 3, 1))
    response, queries = _get(clerk_client, PAYSLIPS)
    shown = [slip.pk for slip in response.context["cl"].result_list]
    assert shown == sorted(Payslip.objects.values_list("pk", flat=True), reverse=True)
    (listing,) = [q for q in queries if q.startswith('SELECT "payroll_payslip"."id"')]
    order_by = listing.split("ORDER BY", 1)[1]
    assert '"payroll_payslip"."id" DESC' in order_by
    assert "payroll_payperiod" not in order_by


def test_pay_method_filter_has_fixed_choices_and_filters(clerk_client, schedule):
    """The filter offers cheque and direct deposit without reading the payslips (no DISTINCT),
    and filtering keeps only the chosen method."""
    _slips(schedule, 10)
    response, queries = _get(clerk_client, PAYSLIPS)
    assert not [q for q in queries if "DISTINCT" in q]
    (spec,) = [f for f in response.context["cl"].filter_specs if f.title == "pay method"]
    assert {c["display"] for c in spec.choices(response.context["cl"])} >= {
        "Cheque",
        "Direct deposit",
    }
    response, _q = _get(clerk_client, PAYSLIPS, {"pay_method__exact": "cheque"})
    methods = {slip.pay_method for slip in response.context["cl"].result_list}
    assert methods == {"cheque"}
    assert response.context["cl"].result_count == 2


def test_payslip_list_queries_do_not_grow_filtered_or_not(clerk_client, schedule):
    """Unfiltered and filtered by pay method, 40 payslips cost the queries 4 do."""
    _slips(schedule, 4, datetime.date(2026, 2, 1))
    small = [len(_get(clerk_client, PAYSLIPS, p)[1]) for p in ({}, {"pay_method__exact": "cheque"})]
    _slips(schedule, 36, datetime.date(2026, 3, 1))
    large = [len(_get(clerk_client, PAYSLIPS, p)[1]) for p in ({}, {"pay_method__exact": "cheque"})]
    assert large == small


def test_unfiltered_count_is_the_tables_estimate_past_the_threshold(schedule, monkeypatch):
    """A large table's unfiltered count is PostgreSQL's estimate, in one query that never
    counts the table; a small or filtered one is counted exactly."""
    _slips(schedule, 12)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE payroll_payslip")
    everything = Payslip.objects.order_by("-pk")

    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 10)
    with CaptureQueriesContext(connection) as captured:
        assert EstimatedCountPaginator(everything, 100).count == 12
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert "reltuples" in sql

    # The estimate is what the table held when last analysed, not a count.
    Payslip.objects.filter(pk=everything.last().pk).delete()
    assert EstimatedCountPaginator(everything, 100).count == 12
    assert EstimatedCountPaginator(everything.filter(pay_method="cheque"), 100).count == 2

    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 1000)
    assert EstimatedCountPaginator(everything, 100).count == 11
