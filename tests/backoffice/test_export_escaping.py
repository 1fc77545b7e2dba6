"""Every CSV the project writes follows one formula-escaping rule (issue #7, item 4): a text cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a
leading apostrophe, numbers stay numbers. Here: the admin's django-import-export exports
(employees, departments, accounts, budgets) and the hours CSV action. The reports' own exports
are tested in tests/accounting/test_reports.py and tests/payroll/test_reports.py, the rule itself
in tests/backoffice/test_csv_export.py.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounting.models import Account, Budget
from accounting.resources import AccountResource, BudgetResource
from backoffice.csv_export import FORMULA_TRIGGERS
from hr.models import Department
from hr.resources import DepartmentResource, EmployeeResource
from payroll.models import TimeEntry
from tests.accounting.factories import open_year
from tests.backoffice.clients import TwoFactorClient as Client
from tests.hr.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

EVIL = [
    '=HYPERLINK("http://x","y")',
    "@SUM(1)",
    "+SUM(1,2)",
    "-2+3",
    "\tX",
    "\rX",
    "\nX",
]


@pytest.fixture
def admin_client():
    """A superuser: this file is about what an export writes, not about who may export."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _export(client, url: str, resource_class) -> tuple[bytes, list[list[str]]]:
    """Export every field of ``resource_class`` as CSV through the admin's export view."""
    prefix = resource_class.__name__.lower()
    fields = {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}
    response = client.post(url, {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _quoted(cell: str) -> bytes:
    """The cell as a CSV writer puts it in the file (quoted when it holds quotes or breaks)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([cell])
    return buffer.getvalue().encode()


def _assert_neutralised(raw: bytes, rows: list[list[str]], values) -> None:
    """Each dangerous value is in the file behind an apostrophe, and no cell of the file
    starts with a trigger."""
    cells = [cell for row in rows for cell in row]
    for value in values:
        assert "'" + value in cells, value
        assert _quoted("'" + value) in raw
    offending = [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert offending == []


def test_employee_export_neutralises_formulas(admin_client):
    department = DepartmentFactory(code="@DEPT", name="Vertrieb")
    for i, value in enumerate(EVIL):
        EmployeeFactory(
            personnel_number=f"=P{i}",
            first_name=value,
            last_name=value,
            phone=value,
            department=department,
        )
    raw, rows = _export(admin_client, "/admin/hr/employee/export/", EmployeeResource)
    assert len(rows) == 1 + len(EVIL)
    _assert_neutralised(raw, rows, [*EVIL, "@DEPT", "=P0"])


def test_department_export_neutralises_formulas(admin_client):
    for i, value in enumerate(EVIL):
        Department.objects.create(code=f"+D{i}", name=value, cost_center=value[:20])
    raw, rows = _export(admin_client, "/admin/hr/department/export/", DepartmentResource)
    assert len(rows) == 1 + len(EVIL)
    _assert_neutralised(raw, rows, [*EVIL[1:], "+D0", EVIL[0][:20]])


def test_account_export_neutralises_formulas(admin_client):
    Account.objects.all().delete()
    for i, value in enumerate(EVIL):
        Account.objects.create(
            number=f"-{i}",
            name_de=value,
            name_en=value,
            type=Account.Type.EXPENSE,
            group=f"@{i}",
            iban=f"={i}",
        )
    raw, rows = _export(admin_client, "/admin/accounting/account/export/", AccountResource)
    assert len(rows) == 1 + len(EVIL)
    _assert_neutralised(raw, rows, [*EVIL, "-0", "@0", "=0"])


def test_budget_export_neutralises_formulas_and_keeps_amounts_numbers(admin_client):
    year = open_year(2026)
    for i, value in enumerate(EVIL):
        Budget.objects.create(
            department=Department.objects.create(code=f"@B{i}", name=value),
            fiscal_year=year,
            account_group=f"-{i}",
            amount=Decimal("2500.00"),
        )
    raw, rows = _export(admin_client, "/admin/accounting/budget/export/", BudgetResource)
    assert rows[0] == ["department", "fiscal_year", "account", "account_group", "amount", "policy"]
    assert len(rows) == 1 + len(EVIL)
    _assert_neutralised(raw, rows, ["@B0", "@B6", "-0", "-6"])
    assert {row[4] for row in rows[1:]} == {"2500.00"}


def test_a_negative_number_stays_a_number_and_number_like_text_does_not():
    """The rule of backoffice.csv_export: an amount the application renders keeps its minus
    sign (a spreadsheet adds it up); the same characters as text are neutralised."""
    budget = Budget(
        department=Department(code="-12.50"),
        account_group="-12.50",
        amount=Decimal("-12.50"),
        policy="warn",
    )
    cells = BudgetResource().export_resource(budget)
    assert cells[0] == "'-12.50"  # department code: text
    assert cells[3] == "'-12.50"  # account group: text
    assert cells[4] == "-12.50"  # amount: a number


def test_admin_exports_offer_only_csv(admin_client):
    """The one format the rule and the imports are made for; no JSON, YAML, HTML or TSV."""
    for url in (
        "/admin/hr/employee/export/",
        "/admin/hr/department/export/",
        "/admin/accounting/account/export/",
        "/admin/accounting/budget/export/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert [label for _v, label in response.context["form"].fields["format"].choices] == ["csv"]


def test_hours_csv_action_neutralises_formulas(admin_client):
    """The hours export of the TimeEntry admin (the project's own CSV writer) follows the same
    rule, a line feed included; hours stay numbers."""
    entries = [
        TimeEntry.objects.create(
            employee=EmployeeFactory(personnel_number=value[:20]),
            date=datetime.date(2026, 3, 2),
            hours=Decimal("7.25"),
        )
        for value in EVIL
    ]
    response = admin_client.post(
        "/admin/payroll/timeentry/",
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(e.pk) for e in entries]},
    )
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + v[:20] for v in EVIL)
    assert {row[2] for row in rows[1:]} == {"7,25"}
    assert [c for row in rows for c in row if c.startswith(FORMULA_TRIGGERS)] == []
