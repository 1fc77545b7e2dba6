"""The hours import names every bad cell in one pass, row and column, capped on the page with a
count of the rest; nothing is written when any cell is bad; files above the shared limit are
refused naming it (issue #7, item 6)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice import roles
from payroll.models import TimeEntry
from payroll.services.hours import hours_import
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.payroll.factories import payroll_setup, profile

URL = "/payroll/hours/import/"
HOURS_RANGE = "Hours must be between 0 and 24."


@pytest.fixture
def clerk(make_user):
    return make_user(roles.DATA_ENTRY_CLERK)


@pytest.fixture
def worker(db):
    schedule = payroll_setup()
    employee = EmployeeFactory(department=DepartmentFactory(code="PROD"))
    return profile(schedule, hourly_rate="20.00", employee=employee).employee


def _upload(client, content: str):
    return client.post(
        URL, {"file": SimpleUploadedFile("hours.csv", content.encode(), content_type="text/csv")}
    )


@pytest.mark.django_db
def test_a_bad_date_25_hours_and_minus_4_hours_are_all_named(client, clerk, worker):
    """The case from the issue: before, only the date was named (a cell that could not be read
    kept every other row from being checked)."""
    number = worker.personnel_number
    content = (
        "personnel_number;date;hours\n"
        f"{number};31.02.2026;8\n"
        f"{number};03.03.2026;25\n"
        f"{number};04.03.2026;-4\n"
    )
    client.force_login(clerk)
    response = _upload(client, content)
    assert response.status_code == 200
    assert response.context["errors"] == [
        "Row 2, column “date”: “31.02.2026” is not a date (YYYY-MM-DD or DD.MM.YYYY).",
        f"Row 3, column “hours”: {HOURS_RANGE}",
        f"Row 4, column “hours”: {HOURS_RANGE}",
    ]
    assert response.context["more_errors"] == 0
    page = response.content.decode()
    assert "Row 2, column “date”" in page and "Row 4, column “hours”" in page
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_every_bad_cell_of_one_row_is_named_in_column_order(clerk, worker):
    """A row with an unknown employee, a bad date, too many hours and a bad end time: four
    errors, in the order of the columns; a bad start or end does not add a guess about the
    other one."""
    content = (
        "personnel_number;date;hours;start;end\n"
        "P999999;2026-02-30;25;07:00;7 Uhr\n"
        f"{worker.personnel_number};2026-03-02;9;08:00;12:00\n"
    )
    with pytest.raises(ValidationError) as refused:
        hours_import(file=content.encode(), user=clerk)
    assert refused.value.messages == [
        "Row 2, column “personnel_number”: There is no employee “P999999”.",
        "Row 2, column “date”: “2026-02-30” is not a date (YYYY-MM-DD or DD.MM.YYYY).",
        f"Row 2, column “hours”: {HOURS_RANGE}",
        "Row 2, column “end”: “7 Uhr” is not a time (HH:MM).",
        "Row 3, column “hours”: More hours than between the start and the end time.",
    ]
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_eighty_bad_rows_show_fifty_errors_and_the_count_of_the_rest(client, clerk, worker):
    number = worker.personnel_number
    start = datetime.date(2026, 3, 2)
    rows = "".join(
        f"{number};{(start + datetime.timedelta(days=i)).isoformat()};25\n" for i in range(80)
    )
    client.force_login(clerk)
    response = _upload(client, "personnel_number;date;hours\n" + rows)
    errors = response.context["errors"]
    assert len(errors) == 50
    assert errors[0] == f"Row 2, column “hours”: {HOURS_RANGE}"
    assert errors[-1] == f"Row 51, column “hours”: {HOURS_RANGE}"
    assert response.context["more_errors"] == 30
    assert "… and 30 more errors." in response.content.decode()
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_nothing_is_written_when_one_cell_among_good_rows_is_bad(client, clerk, worker):
    """Good rows, an update of an existing entry and one bad cell: the database is unchanged."""
    existing = TimeEntry.objects.create(
        employee=worker, date=datetime.date(2026, 3, 2), hours=Decimal("4.00")
    )
    number = worker.personnel_number
    content = (
        "personnel_number;date;hours\n"
        f"{number};02.03.2026;8\n"
        f"{number};03.03.2026;7,5\n"
        f"{number};04.03.2026;8,125\n"
    )
    client.force_login(clerk)
    response = _upload(client, content)
    assert response.context["errors"] == [
        "Row 4, column “hours”: Hours have at most two decimal places."
    ]
    assert list(TimeEntry.objects.values_list("pk", "hours")) == [(existing.pk, Decimal("4.00"))]


@pytest.mark.django_db
def test_an_oversized_hours_file_is_refused_naming_the_limit(client, clerk, worker, settings):
    """IMPORT_MAX_UPLOAD_BYTES (5 MB by default), shared with the admin imports."""
    row = f"{worker.personnel_number};02.03.2026;8\n"
    content = "personnel_number;date;hours\n" + row * (5 * 1024 * 1024 // len(row) + 1)
    client.force_login(clerk)
    response = _upload(client, content)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is too large: files up to 5.0\xa0MB can be imported."
    ]
    assert not TimeEntry.objects.exists()

    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    response = _upload(client, "personnel_number;date;hours\n" + row * (1024 * 1024 // len(row)))
    assert response.context["form"].errors["file"] == [
        "The file is too large: files up to 1.0\xa0MB can be imported."
    ]


@pytest.mark.django_db(transaction=True)
def test_hours_import_view_without_a_wrapping_transaction(client, clerk, worker):
    """The import view outside the test's transaction: a good file commits, a file with a bad
    cell writes nothing and names it."""
    number = worker.personnel_number
    client.force_login(clerk)
    response = _upload(client, f"personnel_number;date;hours\n{number};02.03.2026;8\n")
    assert response.status_code == 302
    assert TimeEntry.objects.get().hours == Decimal("8")

    response = _upload(
        client,
        f"personnel_number;date;hours\n{number};02.03.2026;6\n{number};03.03.2026;-4\n",
    )
    assert response.status_code == 200
    assert response.context["errors"] == [f"Row 3, column “hours”: {HOURS_RANGE}"]
    assert list(TimeEntry.objects.values_list("hours", flat=True)) == [Decimal("8")]
