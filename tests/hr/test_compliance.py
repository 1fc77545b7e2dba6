"""The compliance dashboard: only registered checks, counts as a chart, items linked to their
records; HR's and payroll's checks find what they should (issue #8, item 6)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from backoffice import roles
from hr.models import PersonnelFile
from hr.registry import compliance_checks
from payroll.compliance import minimum_wage
from payroll.models import TimeEntry
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, profile

TODAY = timezone.localdate()


def _items(code):
    check = next(c for c in compliance_checks() if c.code == code)
    items = list(check.run(TODAY))
    assert check.count(TODAY) == len(items)
    return items


def _file(employee, **kw):
    values = {"tax_id": "12345678903", "social_insurance_number": "65170839J003"}
    values.update(kw)
    return PersonnelFile.objects.create(employee=employee, **values)


def test_minimum_wage_follows_the_dates_and_the_setting(settings):
    settings.HR_MINIMUM_WAGE = ""
    assert minimum_wage(datetime.date(2025, 6, 1)) == Decimal("12.82")
    assert minimum_wage(datetime.date(2026, 6, 1)) == Decimal("13.90")
    assert minimum_wage(datetime.date(2027, 1, 1)) == Decimal("14.60")
    settings.HR_MINIMUM_WAGE = "15.00"
    assert minimum_wage(datetime.date(2026, 6, 1)) == Decimal("15.00")


@pytest.mark.django_db
def test_probation_fixed_term_and_missing_tax_data():
    soon, later = TODAY + datetime.timedelta(days=10), TODAY + datetime.timedelta(days=40)
    a, b, c, d, e = (EmployeeFactory(last_name=n) for n in "ABCDE")
    _file(a, probation_end=soon)
    _file(b, probation_end=later, contract_type="fixed_term", fixed_term_end=soon)
    _file(c, tax_id="")
    _file(d, social_insurance_number="")
    # e has no personnel file at all
    assert [i.employee_id for i in _items("hr.probation_ending")] == [a.pk]
    assert [i.employee_id for i in _items("hr.fixed_term_ending")] == [b.pk]
    missing = _items("hr.missing_tax_data")
    assert {i.employee_id for i in missing} == {c.pk, d.pk, e.pk}
    assert next(i for i in missing if i.employee_id == e.pk).text.endswith("no personnel file")
    assert missing[0].url == reverse("hr:employee_detail", args=[missing[0].employee_id])


def _entry(employee, day, hours, start=None, end=None):
    return TimeEntry.objects.create(
        employee=employee, date=day, hours=Decimal(hours), start_time=start, end_time=end
    )


@pytest.mark.django_db
def test_working_time_violations():
    t = datetime.time
    monday = TODAY - datetime.timedelta(days=TODAY.weekday() + 7)
    long_day, long_week, short_rest, night, ok = (EmployeeFactory(last_name=n) for n in "LWRNO")
    _entry(long_day, monday, "10.5")
    for i in range(5):
        _entry(long_week, monday + datetime.timedelta(days=i), "10")
    # 22:00 end, 07:00 start next day: 9 h rest.
    _entry(short_rest, monday, "8", t(14, 0), t(22, 0))
    _entry(short_rest, monday + datetime.timedelta(days=1), "8", t(7, 0), t(15, 0))
    # A night shift 22:00-06:00, then 16:00 the next day: 10 h rest.
    _entry(night, monday, "8", t(22, 0), t(6, 0))
    _entry(night, monday + datetime.timedelta(days=1), "8", t(16, 0), t(23, 0))
    # Hours without times say nothing about rest; 11 h exactly is allowed.
    _entry(ok, monday, "8")
    _entry(ok, monday + datetime.timedelta(days=1), "8", t(8, 0), t(16, 0))
    _entry(ok, monday + datetime.timedelta(days=2), "8", t(3, 0), t(11, 0))
    _entry(ok, monday + datetime.timedelta(days=3), "8", t(22, 0), t(23, 0))
    assert [i.employee_id for i in _items("payroll.working_day_over_10h")] == [long_day.pk]
    assert [i.employee_id for i in _items("payroll.working_week_over_48h")] == [long_week.pk]
    rest = _items("payroll.rest_under_11h")
    assert sorted(i.employee_id for i in rest) == sorted([short_rest.pk, night.pk])
    assert any("9.0 h rest" in i.text for i in rest)


@pytest.mark.django_db
def test_pay_below_the_minimum_wage(settings):
    settings.HR_MINIMUM_WAGE = "13.90"
    schedule = payroll_setup()
    low = profile(schedule, hourly_rate=Decimal("13.50"))
    profile(schedule, hourly_rate=Decimal("13.90"))
    salaried_low = profile(schedule, salary=Decimal("2000.00"))
    _file(salaried_low.employee, weekly_hours=Decimal("40"))  # 2000 / 173.2 = 11.55
    fine = profile(schedule, salary=Decimal("2500.00"))
    _file(fine.employee, weekly_hours=Decimal("40"))  # 14.43
    profile(schedule, salary=Decimal("1000.00"))  # no weekly hours: nothing can be said
    items = _items("payroll.below_minimum_wage")
    assert {i.employee_id for i in items} == {low.employee_id, salaried_low.employee_id}
    assert any("€11.55" in i.text for i in items)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [roles.STAFF, roles.PAYROLL_CLERK, roles.AUDITOR, roles.DEPARTMENT_HEAD, roles.ACCOUNTANT],
)
def test_dashboard_is_refused_to_everyone_but_hr_managers(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("hr:compliance_dashboard")).status_code == 403
    url = reverse("hr:compliance_check", args=["hr.missing_tax_data"])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_unknown_check_is_not_found(client, make_user):
    client.force_login(make_user(roles.HR_MANAGER))
    assert client.get(reverse("hr:compliance_check", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_dashboard_shows_every_registered_check_with_its_count_and_links(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    client.force_login(hr)
    nobody = EmployeeFactory(last_name="Ohnedaten")
    response = client.get(reverse("hr:compliance_dashboard"))
    assert response.status_code == 200
    codes = [row["check"].code for row in response.context["rows"]]
    assert codes == [c.code for c in compliance_checks()]
    assert {"hr.trainings_overdue", "payroll.below_minimum_wage"} <= set(codes)
    counts = {row["check"].code: row["count"] for row in response.context["rows"]}
    assert counts["hr.missing_tax_data"] == 2  # the HR manager's own employee and nobody
    body = response.content.decode()
    assert 'data-testid="compliance-chart"' in body
    assert reverse("hr:employee_detail", args=[nobody.pk]) in body
    page = client.get(reverse("hr:compliance_check", args=["hr.missing_tax_data"]))
    assert {i.employee_id for i in page.context["items"]} == {nobody.pk, hr.employee.pk}


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_data(client, make_user):
    client.force_login(make_user(roles.HR_MANAGER))
    schedule = payroll_setup()

    def grow(n):
        for _ in range(n):
            employee = EmployeeFactory(department=DepartmentFactory())
            _entry(employee, TODAY - datetime.timedelta(days=2), "11")
            profile(schedule, employee=employee, hourly_rate=Decimal("10.00"))

    def measure():
        # "Count again now": the summary is counted afresh, not taken from the cache.
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("hr:compliance_dashboard"), {"fresh": "1"})
        assert response.status_code == 200
        return len(captured), response.context["total"]

    grow(2)
    small, small_total = measure()
    grow(20)
    large, large_total = measure()
    assert large == small
    assert large_total > small_total  # really counted again


def test_dashboard_summary_is_kept_for_a_while_and_counted_again_on_request(client, make_user):
    """The counts are cached (they cost a few hundred ms at 10,000 employees); the page says
    when they were counted, and "Count again now" counts at once."""
    client.force_login(make_user(roles.HR_MANAGER))
    PersonnelFile.objects.all().delete()
    first = client.get(reverse("hr:compliance_dashboard"))
    assert 'data-testid="counted-at"' in first.content.decode()
    EmployeeFactory()  # one more employee without tax data
    cached = client.get(reverse("hr:compliance_dashboard"))
    assert cached.context["total"] == first.context["total"]
    fresh = client.get(reverse("hr:compliance_dashboard"), {"fresh": "1"})
    assert fresh.context["total"] > first.context["total"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("hr:discipline_list", []),
        ("hr:discipline_mine", []),
        ("hr:discipline_create", []),
        ("hr:discipline_detail", [1]),
        ("hr:discipline_document_download", [1, 1]),
        ("hr:training_due", []),
        ("hr:my_trainings", []),
        ("hr:training_sessions", []),
        ("hr:training_session_detail", [1]),
        ("hr:compliance_dashboard", []),
        ("hr:compliance_check", ["hr.missing_tax_data"]),
    ],
)
def test_every_page_sends_anonymous_visitors_to_the_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_carried_over_vacation_that_will_expire_unused(settings):
    """Worked by hand, five vacation days a year, on 15 February 2027: A carried five days
    into 2027 and planned none, so they expire on 31 March; B took hers in 2026; C's approved
    leave in early March uses his; D's were extended to September (outside the 90-day notice);
    E joined in 2027. After 31 March only extended days can still expire."""
    from hr.models import Absence, CarryOverExtension

    settings.HR_PUBLIC_HOLIDAY_STATE = "BY"
    settings.HR_VACATION_EXPIRY_NOTICE_DAYS = 90
    hired = datetime.date(2020, 1, 1)
    a, b, c, d = (EmployeeFactory(last_name=n, hire_date=hired) for n in "ABCD")
    e = EmployeeFactory(last_name="E", hire_date=datetime.date(2027, 1, 4))
    for employee in (a, b, c, d, e):
        _file(employee, vacation_days_per_year=5)

    def leave(employee, start, end):
        Absence.objects.create(
            employee=employee, kind=Absence.Kind.VACATION, status=Absence.Status.APPROVED,
            start_date=start, end_date=end, days=Decimal("5"),
        )  # fmt: skip

    leave(b, datetime.date(2026, 9, 7), datetime.date(2026, 9, 11))
    leave(c, datetime.date(2027, 3, 1), datetime.date(2027, 3, 5))
    CarryOverExtension.objects.create(employee=d, year=2027, expires_on=datetime.date(2027, 9, 30))
    check = next(c for c in compliance_checks() if c.code == "hr.vacation_expiring")

    february = datetime.date(2027, 2, 15)
    items = list(check.run(february))
    assert [i.employee_id for i in items] == [a.pk]
    expiry = formats.date_format(datetime.date(2027, 3, 31), "SHORT_DATE_FORMAT")
    assert items[0].text.endswith(
        f"5.0 carried-over vacation days not planned, expiring on {expiry}"
    )
    assert check.count(february) == 1
    assert [i.employee_id for i in check.run(datetime.date(2027, 7, 15))] == [d.pk]
    assert list(check.run(datetime.date(2027, 10, 1))) == []
