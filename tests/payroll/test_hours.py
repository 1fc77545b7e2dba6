"""Hours: the week grid, the CSV import, approval by the department's head, "my hours".

The week used throughout is ISO week 2026-W10 (Monday 2 March to Sunday 8 March 2026).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice import roles
from payroll.models import PayrollChunk, PayrollRun, Payslip, TimeEntry
from payroll.services.hours import Cell, hours_import, time_entries_approve, time_entries_save
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)
WEEK = "2026-W10"


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def cell(employee, offset: int) -> str:
    return f"h-{employee.pk}-{day(offset).isoformat()}"


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def dept():
    return DepartmentFactory(code="PROD")


@pytest.fixture
def clerk(make_user):
    return make_user(roles.DATA_ENTRY_CLERK)


@pytest.fixture
def worker(schedule, dept):
    return profile(schedule, hourly_rate="20.00", employee=EmployeeFactory(department=dept))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _grid_url(department_code="PROD", week=WEEK):
    return f"/payroll/hours/?department={department_code}&week={week}"


def _paid(schedule, employee):
    """A paid March 2026 run with a payslip for the employee that holds the employee's
    approved March hours (as the run's chunk records them): those hours are locked."""
    period = period_for(schedule)
    run = PayrollRun.objects.create(period=period, status=PayrollRun.Status.PAID)
    chunk = PayrollChunk.objects.create(
        run=run, index=0, employee_ids=[employee.pk], status=PayrollChunk.Status.DONE
    )
    slip = Payslip.objects.create(
        run=run,
        period=run.period,
        chunk=chunk,
        employee=employee,
        department=employee.department,
        pay_method="deposit",
        gross=Decimal("100.00"),
        deductions=Decimal("0.00"),
        net=Decimal("100.00"),
        employer_contributions=Decimal("0.00"),
    )
    TimeEntry.objects.filter(
        employee=employee,
        date__range=(period.start, period.end),
        status=TimeEntry.Status.APPROVED,
    ).update(payslip=slip)
    return run


def _approved(employee, offset: int, hours: str = "8") -> TimeEntry:
    return TimeEntry.objects.create(
        employee=employee, date=day(offset), hours=Decimal(hours), status="approved"
    )


# --- The week grid -------------------------------------------------------------------------------


def test_grid_save_writes_the_week_and_warns_about_the_working_hours_act(
    client, clerk, schedule, dept, worker
):
    """A clerk types a week into the grid: the hours are stored as entered, and more than 10
    hours a day, more than 48 a week and an hourly rate below the minimum wage are warnings,
    not errors."""
    cheap = profile(schedule, hourly_rate="12.00", employee=EmployeeFactory(department=dept))
    client.force_login(clerk)
    data = {cell(worker.employee, i): h for i, h in enumerate(["11", "10", "10", "10", "10,5"])}
    data[cell(cheap.employee, 0)] = "8"

    response = client.post(_grid_url(), data, follow=True)

    assert response.status_code == 200
    entries = TimeEntry.objects.filter(employee=worker.employee).order_by("date")
    assert [e.hours for e in entries] == [Decimal(h) for h in ("11", "10", "10", "10", "10.5")]
    assert {e.status for e in entries} == {TimeEntry.Status.ENTERED}
    assert {e.entered_by_id for e in entries} == {clerk.pk}
    texts = _messages(response)
    name = str(worker.employee)
    assert any(name in t and "more than 10" in t and "11.00" in t for t in texts)
    assert not any(name in t and "more than 10" in t and "10.00 hours" in t for t in texts)
    assert any(name in t and "51.50 hours" in t and "more than 48" in t for t in texts)
    assert any(str(cheap.employee) in t and "below the minimum wage" in t for t in texts)
    assert not any(name in t and "minimum wage" in t for t in texts)

    # Saving the same week again changes nothing and warns about nothing again.
    again = _messages(client.post(_grid_url(), data, follow=True))
    assert again == ["Nothing changed."]


def test_rest_under_eleven_hours_is_a_warning_when_start_and_end_are_known(clerk, dept, worker):
    """With start and end times, less than 11 hours between the end of one day and the start
    of the next is a warning; with hours only, no rest can be worked out."""
    rows = {
        worker.employee.pk: {
            day(0): Cell(Decimal("11.5"), datetime.time(8), datetime.time(20), times=True),
            day(1): Cell(Decimal("8"), datetime.time(6), datetime.time(14, 30), times=True),
            day(2): Cell(Decimal("8"), datetime.time(8), datetime.time(16, 30), times=True),
        }
    }
    result = time_entries_save(department=dept, week_start=MONDAY, rows=rows, user=clerk)

    rest = [w for w in result.warnings if "rest" in w]
    assert len(rest) == 1
    assert "10.00 hours' rest" in rest[0] and str(worker.employee) in rest[0]
    assert TimeEntry.objects.get(employee=worker.employee, date=day(1)).start_time == (
        datetime.time(6)
    )

    hours_only = time_entries_save(
        department=dept,
        week_start=MONDAY + datetime.timedelta(days=7),
        rows={worker.employee.pk: {day(7): Decimal("12"), day(8): Decimal("12")}},
        user=clerk,
    )
    assert not [w for w in hours_only.warnings if "rest" in w]


def test_paid_hours_are_locked_and_a_refused_save_writes_nothing(
    client, clerk, schedule, dept, worker
):
    """Hours a paid run holds are refused with an error next to the cell naming the employee
    and the day; the other cells of the same save are not written either."""
    other = profile(schedule, hourly_rate="20.00", employee=EmployeeFactory(department=dept))
    _approved(worker.employee, 0)
    _paid(schedule, worker.employee)
    client.force_login(clerk)

    response = client.post(
        _grid_url(), {cell(worker.employee, 0): "9", cell(other.employee, 0): "8"}
    )

    assert response.status_code == 200
    assert list(TimeEntry.objects.values_list("employee_id", "hours")) == [
        (worker.employee.pk, Decimal("8.00"))
    ]
    errors = (
        response.context["rows"][0]["cells"][0]["errors"]
        + response.context["rows"][1]["cells"][0]["errors"]
    )
    assert len(errors) == 1
    assert str(worker.employee) in errors[0] and "paid" in errors[0]
    assert "02/03/2026" in errors[0] or "02.03.2026" in errors[0]
    assert response.context["cell_errors"] == 1
    # The grid shows the paid day locked.
    assert b"disabled" in response.content


def test_days_of_a_paid_period_without_hours_stay_open(client, clerk, schedule, dept, worker):
    """Work is never lost: a day of a paid period that nobody recorded takes hours after Pay
    (the next run pays them as late hours); only the paid day is locked."""
    _approved(worker.employee, 0)
    _paid(schedule, worker.employee)
    client.force_login(clerk)

    page = client.get(_grid_url())
    assert page.content.decode().count("disabled") == 1
    client.post(_grid_url(), {cell(worker.employee, 1): "7,5"}, follow=True)

    late = TimeEntry.objects.get(employee=worker.employee, date=day(1))
    assert (late.hours, late.status, late.payslip_id) == (Decimal("7.50"), "entered", None)


def test_paid_hours_refused_in_the_service_for_grid_and_import(clerk, schedule, dept, worker):
    """The lock holds whatever the way in: the service refuses the grid's write and the
    import's row, and the database is unchanged."""
    _approved(worker.employee, 2)
    _paid(schedule, worker.employee)
    with pytest.raises(ValidationError):
        time_entries_save(
            department=dept,
            week_start=MONDAY,
            rows={worker.employee.pk: {day(2): Decimal("9")}},
            user=clerk,
        )
    content = f"personnel_number;date;hours\n{worker.employee.personnel_number};2026-03-04;9\n"
    with pytest.raises(ValidationError) as exc:
        hours_import(file=content.encode(), user=clerk)
    assert "Row 2, column “date”" in exc.value.messages[0]
    assert TimeEntry.objects.get().hours == Decimal("8.00")


def test_changing_approved_hours_needs_approval_again(clerk, dept, worker):
    """An approved entry that is changed goes back to "entered"; an unchanged one stays
    approved."""
    head = EmployeeFactory(department=dept)
    for offset in (0, 1):
        TimeEntry.objects.create(
            employee=worker.employee,
            date=day(offset),
            hours=Decimal("8"),
            status=TimeEntry.Status.APPROVED,
            approved_at=datetime.datetime(2026, 3, 9, tzinfo=datetime.UTC),
        )
    result = time_entries_save(
        department=dept,
        week_start=MONDAY,
        rows={worker.employee.pk: {day(0): Decimal("8"), day(1): Decimal("9")}},
        user=clerk,
    )
    assert (result.updated, result.reset) == (1, 1)
    monday, tuesday = TimeEntry.objects.filter(employee=worker.employee).order_by("date")
    assert monday.status == TimeEntry.Status.APPROVED
    assert (tuesday.status, tuesday.hours, tuesday.approved_at) == ("entered", Decimal("9"), None)
    assert head  # a department with more than one employee


def test_clearing_a_cell_removes_entered_hours(client, clerk, dept, worker):
    """An emptied cell removes the day's entered hours."""
    TimeEntry.objects.create(employee=worker.employee, date=day(0), hours=Decimal("8"))
    client.force_login(clerk)
    client.post(_grid_url(), {cell(worker.employee, 0): ""})
    assert not TimeEntry.objects.exists()


def test_grid_refuses_bad_input_naming_the_cell_and_writes_nothing(client, clerk, dept, worker):
    """Hours outside 0..24, more than two decimals or not a number are errors next to their
    cell; nothing of the save is written."""
    client.force_login(clerk)
    for value in ("25", "7.125", "acht", "-1"):
        response = client.post(
            _grid_url(), {cell(worker.employee, 0): value, cell(worker.employee, 1): "8"}
        )
        assert response.status_code == 200
        assert response.context["rows"][0]["cells"][0]["errors"], value
        assert not TimeEntry.objects.exists()


def test_grid_refuses_employees_of_another_department(clerk, schedule, dept, worker):
    """The grid saves one department: an employee of another one is refused by name."""
    stranger = profile(schedule, hourly_rate="20.00")
    with pytest.raises(ValidationError) as exc:
        time_entries_save(
            department=dept,
            week_start=MONDAY,
            rows={stranger.employee.pk: {day(0): Decimal("8")}},
            user=clerk,
        )
    assert str(stranger.employee) in exc.value.messages[0]
    assert not TimeEntry.objects.exists()


def test_grid_shows_the_week_with_totals(client, clerk, dept, worker):
    """The grid lists the department's employees for the week, with totals per row and day."""
    TimeEntry.objects.create(employee=worker.employee, date=day(0), hours=Decimal("8"))
    TimeEntry.objects.create(employee=worker.employee, date=day(1), hours=Decimal("7.5"))
    client.force_login(clerk)
    response = client.get(_grid_url())
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row["employee"] == worker.employee
    assert [c["value"] for c in row["cells"][:3]] == ["8", "7.5", ""]
    assert row["total"] == Decimal("15.5")
    assert response.context["day_totals"][1] == Decimal("7.5")
    assert b'src="/static/js/hours-grid.js"' in response.content
    assert b"<script>" not in response.content


def test_unknown_department_is_not_found(client, clerk):
    client.force_login(clerk)
    assert client.get(_grid_url("NOPE")).status_code == 404


def test_grid_without_a_department_offers_the_choice_and_odd_weeks_fall_back(
    client, clerk, dept, worker
):
    """No department chosen: the page offers the departments. A week that is not a week
    (or far out of range) shows the current week instead of failing."""
    client.force_login(clerk)
    response = client.get("/payroll/hours/")
    assert response.status_code == 200
    assert response.context["department"] is None
    assert dept in response.context["departments"]
    for week in ("9999-W52", "2026-W60", "x"):
        assert client.get(_grid_url(week=week)).status_code == 200, week


def test_grid_queries_do_not_grow_with_the_department(client, clerk, schedule, dept):
    """The grid costs as many queries for 3 employees as for 40, each with a week of hours."""

    def grow_to(n):
        while dept.employees.count() < n:
            p = profile(schedule, hourly_rate="20.00", employee=EmployeeFactory(department=dept))
            for offset in range(5):
                TimeEntry.objects.create(employee=p.employee, date=day(offset), hours=Decimal(8))

    def measure():
        client.get(_grid_url())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_grid_url())
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.context["rows"])

    client.force_login(clerk)
    grow_to(3)
    small, rows = measure()
    assert rows == 3
    grow_to(40)
    large, rows = measure()
    assert rows == 40
    assert large == small


# --- Import --------------------------------------------------------------------------------------


def _upload(client, content: bytes):
    return client.post(
        "/payroll/hours/import/",
        {"file": SimpleUploadedFile("hours.csv", content, content_type="text/csv")},
        follow=True,
    )


def test_import_reads_semicolons_decimal_commas_and_a_bom(client, clerk, dept, worker):
    """A file from German Excel (BOM, semicolons, decimal comma, DD.MM.YYYY) imports; start and
    end times are kept."""
    number = worker.employee.personnel_number
    content = (
        "\ufeffpersonnel_number;date;hours;start;end\n"
        f"{number};02.03.2026;8,5;07:00;16:00\n"
        f"{number};2026-03-03;7,25;;\n"
    ).encode()
    client.force_login(clerk)
    response = _upload(client, content)
    assert response.status_code == 200
    entries = list(TimeEntry.objects.filter(employee=worker.employee).order_by("date"))
    assert [e.hours for e in entries] == [Decimal("8.5"), Decimal("7.25")]
    assert (entries[0].start_time, entries[0].end_time) == (datetime.time(7), datetime.time(16))
    assert any("2 new" in t for t in _messages(response))


def test_import_reads_commas_and_decimal_points(clerk, dept, worker):
    content = f"personnel_number,date,hours\n{worker.employee.personnel_number},2026-03-02,8.5\n"
    result = hours_import(file=content.encode(), user=clerk)
    assert result.created == 1
    assert TimeEntry.objects.get().hours == Decimal("8.5")


def test_import_with_a_bad_row_writes_nothing_and_names_row_and_column(client, clerk, dept, worker):
    """One bad row and nothing is imported; every error names its row and column."""
    number = worker.employee.personnel_number
    content = (
        "personnel_number;date;hours\n"
        f"{number};02.03.2026;8\n"
        f"{number};03.03.2026;acht\n"
        "P999999;04.03.2026;8\n"
        f"{number};31.02.2026;8\n"
    ).encode()
    client.force_login(clerk)
    response = _upload(client, content)
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
    errors = response.context["errors"]
    assert any(e.startswith("Row 3, column “hours”") for e in errors)
    assert any(e.startswith("Row 5, column “date”") for e in errors)
    # An unknown personnel number alone.
    content = f"personnel_number;date;hours\n{number};02.03.2026;8\nP999999;04.03.2026;8\n"
    response = _upload(client, content.encode())
    assert not TimeEntry.objects.exists()
    assert response.context["errors"] == [
        "Row 3, column “personnel_number”: There is no employee “P999999”."
    ]


def test_import_refuses_a_file_without_the_columns(client, clerk):
    client.force_login(clerk)
    response = _upload(client, b"name;day\nx;y\n")
    assert "Row 1" in response.context["errors"][0]
    assert "personnel_number" in response.context["errors"][0]


def test_import_warns_like_the_grid(clerk, dept, worker):
    """Imported hours get the same Working Hours Act warnings, including rest times."""
    number = worker.employee.personnel_number
    content = (
        "personnel_number;date;hours;start;end\n"
        f"{number};02.03.2026;12;07:00;19:30\n"
        f"{number};03.03.2026;8;05:00;13:30\n"
    ).encode()
    result = hours_import(file=content, user=clerk)
    assert any("more than 10" in w for w in result.warnings)
    assert any("9.50 hours' rest" in w for w in result.warnings)


# --- Approval ------------------------------------------------------------------------------------


@pytest.fixture
def head(make_user, dept):
    user = make_user(roles.DEPARTMENT_HEAD, department=dept)
    dept.head = user.employee
    dept.save(update_fields=["head"])
    return user


def test_the_head_approves_the_departments_week(client, head, dept, worker):
    """The department's head approves every entered entry of the week, once; entries of the
    week after stay entered."""
    for offset in (0, 1, 7):
        TimeEntry.objects.create(employee=worker.employee, date=day(offset), hours=Decimal(8))
    client.force_login(head)
    page = client.get(f"/payroll/hours/approve/?department=PROD&week={WEEK}")
    assert page.status_code == 200
    assert page.context["entered"] == 2

    response = client.post(f"/payroll/hours/approve/?department=PROD&week={WEEK}", follow=True)
    assert response.status_code == 200
    assert any("2 entries approved" in t for t in _messages(response))
    approved = TimeEntry.objects.filter(status=TimeEntry.Status.APPROVED)
    assert {e.date for e in approved} == {day(0), day(1)}
    assert {e.approved_by_id for e in approved} == {head.pk}
    assert TimeEntry.objects.get(date=day(7)).status == TimeEntry.Status.ENTERED

    # Idempotent: nothing left to approve.
    assert time_entries_approve(department=dept, week_start=MONDAY, user=head) == 0


def test_a_head_never_approves_their_own_hours(head, dept, worker):
    """The head's own entries stay entered for someone else to approve; the team's are
    approved."""
    TimeEntry.objects.create(employee=head.employee, date=day(0), hours=Decimal(8))
    TimeEntry.objects.create(employee=worker.employee, date=day(0), hours=Decimal(8))
    assert time_entries_approve(department=dept, week_start=MONDAY, user=head) == 1
    assert TimeEntry.objects.get(employee=head.employee).status == TimeEntry.Status.ENTERED
    assert TimeEntry.objects.get(employee=worker.employee).status == TimeEntry.Status.APPROVED


def test_approval_leaves_paid_hours_alone_and_approves_late_ones(head, schedule, dept, worker):
    """Hours a paid run holds are locked, for approval too; hours recorded in the paid period
    after Pay are approved like any others (the next run pays them)."""
    paid = _approved(worker.employee, 0)
    _paid(schedule, worker.employee)
    TimeEntry.objects.filter(pk=paid.pk).update(status=TimeEntry.Status.ENTERED)
    late = TimeEntry.objects.create(employee=worker.employee, date=day(1), hours=Decimal(8))
    assert time_entries_approve(department=dept, week_start=MONDAY, user=head) == 1
    statuses = dict(TimeEntry.objects.values_list("pk", "status"))
    assert statuses == {paid.pk: "entered", late.pk: "approved"}


def test_approval_page_queries_do_not_grow_with_the_department(client, head, schedule, dept):
    """The head's week costs as many queries for 3 employees as for 30."""

    def grow_to(n):
        while dept.employees.count() < n:
            p = profile(schedule, hourly_rate="20.00", employee=EmployeeFactory(department=dept))
            for offset in range(5):
                TimeEntry.objects.create(employee=p.employee, date=day(offset), hours=Decimal(8))

    def measure():
        url = f"/payroll/hours/approve/?department=PROD&week={WEEK}"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    client.force_login(head)
    grow_to(3)
    small = measure()
    grow_to(30)
    assert measure() == small


def test_another_head_cannot_approve(client, make_user, head, dept, worker):
    """The head of another department gets 404 for this one, and the service refuses them."""
    TimeEntry.objects.create(employee=worker.employee, date=day(0), hours=Decimal(8))
    other_dept = DepartmentFactory(code="VERT")
    other = make_user(roles.DEPARTMENT_HEAD, department=other_dept)
    other_dept.head = other.employee
    other_dept.save(update_fields=["head"])
    client.force_login(other)

    assert client.get(f"/payroll/hours/approve/?department=PROD&week={WEEK}").status_code == 404
    assert client.post(f"/payroll/hours/approve/?department=PROD&week={WEEK}").status_code == 404
    with pytest.raises(PermissionDenied):
        time_entries_approve(department=dept, week_start=MONDAY, user=other)
    assert TimeEntry.objects.get().status == TimeEntry.Status.ENTERED


def test_department_head_role_without_a_department_is_refused(client, make_user):
    """Approval is for heads of a department: the role alone is not enough."""
    client.force_login(make_user(roles.DEPARTMENT_HEAD))
    assert client.get("/payroll/hours/approve/").status_code == 403


def test_clerks_cannot_approve(client, clerk, make_user):
    """Data-entry and payroll clerks enter hours; they do not approve them."""
    client.force_login(clerk)
    assert client.get("/payroll/hours/approve/").status_code == 403
    client.force_login(make_user(roles.PAYROLL_CLERK))
    assert client.post("/payroll/hours/approve/").status_code == 403


def test_heads_cannot_enter_hours(client, head):
    client.force_login(head)
    assert client.get(_grid_url()).status_code == 403


# --- Staff: my hours, and nothing else ------------------------------------------------------------


def test_my_hours_shows_only_my_own(client, make_user, dept, worker):
    """A staff user sees their own hours of the month and nobody else's."""
    me = make_user(roles.STAFF, department=dept)
    TimeEntry.objects.create(employee=me.employee, date=day(0), hours=Decimal("7.25"))
    TimeEntry.objects.create(employee=me.employee, date=day(1), hours=Decimal("8"))
    TimeEntry.objects.create(employee=worker.employee, date=day(0), hours=Decimal("9.75"))
    client.force_login(me)
    response = client.get("/payroll/my/hours/?month=2026-03")
    assert response.status_code == 200
    assert {e.employee_id for e in response.context["entries"]} == {me.employee.pk}
    assert response.context["total"] == Decimal("15.25")
    assert b"9.75" not in response.content
    # Another month, another page; garbage in the parameter falls back to this month.
    assert client.get("/payroll/my/hours/?month=2026-02").context["entries"] == []
    for month in ("../x", "9999-12", "2026-13"):
        assert client.get(f"/payroll/my/hours/?month={month}").status_code == 200, month


def test_staff_are_refused_grid_import_and_approval(client, make_user, dept):
    """A staff user gets 403 on every hours page but their own."""
    client.force_login(make_user(roles.STAFF, department=dept))
    for url in (
        _grid_url(),
        "/payroll/hours/",
        "/payroll/hours/import/",
        "/payroll/hours/approve/",
        f"/payroll/hours/approve/?department=PROD&week={WEEK}",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    assert client.get("/payroll/my/hours/").status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    for url in ("/payroll/hours/", "/payroll/hours/import/", "/payroll/my/hours/"):
        assert client.get(url).status_code == 302


def test_home_links_follow_the_roles(client, make_user, head):
    """Clerks see hours entry, heads see approval, everyone with an employee record sees
    their hours."""
    client.force_login(make_user(roles.DATA_ENTRY_CLERK))
    keys = {link.key for link in client.get("/").context["links"]}
    assert {"payroll.hours_grid", "payroll.my_hours"} <= keys
    assert "payroll.hours_approve" not in keys
    client.force_login(head)
    keys = {link.key for link in client.get("/").context["links"]}
    assert {"payroll.hours_approve", "payroll.my_hours"} <= keys
    assert "payroll.hours_grid" not in keys
    client.force_login(make_user(roles.STAFF, employee=False))
    keys = {link.key for link in client.get("/").context["links"]}
    assert "payroll.my_hours" not in keys


# --- In the browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_keyboard_entry_in_the_browser(page, live_server, make_user, password):
    """A clerk types a week with the keyboard only: arrow keys move between cells (the script
    loads under the Content-Security-Policy), totals follow, Save stores the hours."""
    from playwright.sync_api import expect

    schedule = payroll_setup()
    dept = DepartmentFactory(code="PROD")
    first = profile(schedule, hourly_rate="20", employee=EmployeeFactory(department=dept))
    second = profile(schedule, hourly_rate="20", employee=EmployeeFactory(department=dept))
    user = make_user(roles.DATA_ENTRY_CLERK)
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + _grid_url())

    rows = sorted([first.employee, second.employee], key=lambda e: (e.last_name, e.first_name))
    start = page.locator(f'input[name="{cell(rows[0], 0)}"]')
    start.click()
    page.keyboard.type("8")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f'input[name="{cell(rows[0], 1)}"]')).to_be_focused()
    page.keyboard.type("7,5")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f'input[name="{cell(rows[1], 1)}"]')).to_be_focused()
    page.keyboard.type("9")
    page.keyboard.press("ArrowUp")
    expect(page.locator(f'input[name="{cell(rows[0], 1)}"]')).to_be_focused()
    expect(page.locator('[data-row-total="0"]')).to_have_text("15,50")
    expect(page.locator('[data-day-total="1"]')).to_have_text("16,50")

    page.get_by_test_id("save-hours").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    stored = {(e.employee_id, e.date): e.hours for e in TimeEntry.objects.all()}
    assert stored == {
        (rows[0].pk, day(0)): Decimal("8"),
        (rows[0].pk, day(1)): Decimal("7.5"),
        (rows[1].pk, day(1)): Decimal("9"),
    }
