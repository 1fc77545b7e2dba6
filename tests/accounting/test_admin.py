"""The accounting admin: posted entries are read-only with a "reverse" action, periods are
closed by an action, fiscal years open with their periods, imports check the whole file (one
bad row and nothing is written, the row and column named) and refusals never turn into 500s."""

import datetime
from decimal import Decimal

import pytest
import tablib
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounting.models import (
    Account,
    Budget,
    Finding,
    FiscalYear,
    JournalEntry,
    JournalLine,
    Payment,
    Period,
)
from accounting.resources import AccountResource, BudgetResource, parse_amount
from accounting.services import PostingRefused, period_close
from backoffice import roles
from tests.accounting.factories import account, open_year, post_expense
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

ENTRIES_URL = "/admin/accounting/journalentry/"
IMPORT_URL = reverse("admin:accounting_journalentry_import_entries")


@pytest.fixture
def year():
    """2026 for the test data, and the current year, where reversals are dated (today)."""
    open_year(timezone.localdate().year)
    return open_year(2026)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


def action(client, url, name, *pks):
    return client.post(url, {"action": name, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]})


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Journal entries: read-only, reversed by an action ----------------------------------------


def test_posted_entry_is_read_only_in_the_admin(client, accountant, year):
    """An accountant sees an entry but cannot add, change or delete one through the admin."""
    entry = post_expense(amount="10.00")
    client.force_login(accountant)
    change_url = reverse("admin:accounting_journalentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"memo": "geändert"}).status_code == 403
    delete_url = reverse("admin:accounting_journalentry_delete", args=[entry.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:accounting_journalentry_add")).status_code == 403
    response = action(client, ENTRIES_URL, "delete_selected", entry.pk)
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
    assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.memo == "Testbuchung"


def test_reverse_action_posts_a_linked_reversal_once(client, accountant, year):
    entry = post_expense(amount="123.45")
    client.force_login(accountant)
    response = action(client, ENTRIES_URL, "reverse_entries", entry.pk)
    assert response.status_code == 302
    reversal = JournalEntry.objects.get(reverses=entry)
    assert reversal.date == timezone.localdate()
    assert reversal.posted_by == accountant
    assert set(reversal.lines.values_list("side", "amount")) == {
        ("C", Decimal("123.45")),
        ("D", Decimal("123.45")),
    }
    response = action(client, ENTRIES_URL, "reverse_entries", entry.pk)
    assert JournalEntry.objects.filter(reverses=entry).count() == 1
    response = client.get(ENTRIES_URL)
    assert "reversed before" in messages_of(response)


def test_reverse_refused_by_the_ledger_shows_a_message(client, accountant, year):
    """Reversing into a closed period (today's) is refused with a message, not an error page."""
    entry = post_expense(amount="50.00")
    today = timezone.localdate()
    period_close(
        period=Period.objects.get(fiscal_year__year=today.year, month=today.month),
        user=accountant,
    )
    client.force_login(accountant)
    response = action(client, ENTRIES_URL, "reverse_entries", entry.pk)
    assert response.status_code == 302
    assert not JournalEntry.objects.filter(reverses=entry).exists()
    assert "not reversed" in messages_of(client.get(ENTRIES_URL))


def test_auditor_cannot_reverse(client, make_user, year):
    entry = post_expense(amount="10.00")
    client.force_login(make_user(roles.AUDITOR))
    assert client.get(ENTRIES_URL).status_code == 200
    action(client, ENTRIES_URL, "reverse_entries", entry.pk)
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_staff_cannot_open_the_accounting_admin(client, make_user, year):
    client.force_login(make_user(roles.STAFF))
    for url in (ENTRIES_URL, IMPORT_URL, "/admin/accounting/account/export/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# --- Periods and fiscal years -----------------------------------------------------------------


def test_close_period_action_then_posting_is_refused(client, accountant, year):
    march = Period.objects.get(fiscal_year=year, month=3)
    client.force_login(accountant)
    action(client, "/admin/accounting/period/", "close_periods", march.pk)
    march.refresh_from_db()
    assert march.status == Period.Status.CLOSED and march.closed_by == accountant
    with pytest.raises(PostingRefused):
        post_expense(amount="10.00", date=datetime.date(2026, 3, 20))
    action(client, "/admin/accounting/period/", "reopen_periods", march.pk)
    march.refresh_from_db()
    assert march.status == Period.Status.OPEN
    post_expense(amount="10.00", date=datetime.date(2026, 3, 20))


def test_auditor_cannot_close_periods(client, make_user, year):
    march = Period.objects.get(fiscal_year=year, month=3)
    client.force_login(make_user(roles.AUDITOR))
    action(client, "/admin/accounting/period/", "close_periods", march.pk)
    march.refresh_from_db()
    assert march.status == Period.Status.OPEN


def test_adding_a_fiscal_year_opens_its_twelve_periods(client, accountant):
    client.force_login(accountant)
    response = client.post(reverse("admin:accounting_fiscalyear_add"), {"year": "2031"})
    assert response.status_code == 302
    fy = FiscalYear.objects.get(year=2031)
    assert (fy.start, fy.end) == (datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))
    assert list(fy.periods.order_by("month").values_list("month", flat=True)) == list(range(1, 13))
    response = client.post(reverse("admin:accounting_fiscalyear_add"), {"year": "2031"})
    assert response.status_code == 200  # already there: a form error
    assert FiscalYear.objects.filter(year=2031).count() == 1
    response = action(client, "/admin/accounting/fiscalyear/", "open_following_year", fy.pk)
    assert FiscalYear.objects.get(year=2032).periods.count() == 12


# --- Entries import ---------------------------------------------------------------------------

GOOD = (
    "entry,date,account,side,amount,department,memo\n"
    "A1,2026-03-02,4930,D,100.00,EINK,Papier\n"
    "A1,2026-03-02,1576,D,19.00,,\n"
    "A1,2026-03-02,1600,C,119.00,,\n"
    'A2,05.03.2026,4210,D,"1.500,50",EINK,Miete\n'
    'A2,05.03.2026,1200,C,"1500,50",,\n'
)


def upload(client, content: str, name="entries.csv"):
    return client.post(
        IMPORT_URL, {"file": SimpleUploadedFile(name, content.encode(), content_type="text/csv")}
    )


def test_entries_import_posts_the_whole_file_and_never_twice(client, accountant, year):
    DepartmentFactory(code="EINK")
    client.force_login(accountant)
    response = upload(client, GOOD)
    assert response.status_code == 302
    entries = JournalEntry.objects.order_by("number")
    assert entries.count() == 2
    assert all(e.source.startswith("import:") and e.posted_by == accountant for e in entries)
    rent = JournalLine.objects.get(account__number="4210")
    assert rent.amount == Decimal("1500.50") and rent.department.code == "EINK"

    response = upload(client, GOOD, name="again.csv")
    assert response.status_code == 302
    assert JournalEntry.objects.count() == 2
    assert "0 entries posted" in messages_of(client.get(ENTRIES_URL))


def test_entries_import_with_one_bad_row_posts_nothing_and_names_row_and_column(
    client, accountant, year
):
    DepartmentFactory(code="EINK")
    bad = GOOD.replace("A2,05.03.2026,1200,C", "A2,05.03.2026,9999,C")
    client.force_login(accountant)
    response = upload(client, bad)
    assert response.status_code == 200
    errors = response.context["import_errors"]
    assert len(errors) == 1
    assert "Row 6" in errors[0] and "account" in errors[0] and "9999" in errors[0]
    assert JournalEntry.objects.count() == 0


def test_entries_import_reports_every_bad_cell_and_unbalanced_entries(client, accountant, year):
    content = (
        "entry;date;account;side;amount;department;memo\n"
        "X;2026-02-30;4930;D;10,00;;\n"
        "X;2026-03-01;1200;Q;10,00;NOPE;\n"
        "Y;2026-03-01;4930;D;1,005;;\n"
        "Z;2026-03-01;4930;D;10,00;;\n"
        "Z;2026-03-01;1200;C;9,99;;\n"
    )
    client.force_login(accountant)
    errors = " | ".join(upload(client, content).context["import_errors"])
    assert "Row 2, column “date”" in errors
    assert "Row 3, column “side”" in errors
    assert "Row 3, column “department”" in errors
    assert "Row 4, column “amount”" in errors
    assert JournalEntry.objects.count() == 0
    content = (
        "entry;date;account;side;amount\nZ;2026-03-01;4930;D;10,00\nZ;2026-03-01;1200;C;9,99\n"
    )
    errors = " | ".join(upload(client, content).context["import_errors"])
    assert "rows 2, 3" in errors and "“amount”" in errors
    assert JournalEntry.objects.count() == 0


def test_entries_import_into_a_closed_period_names_the_rows(client, accountant, year):
    DepartmentFactory(code="EINK")
    period_close(period=Period.objects.get(fiscal_year=year, month=3), user=accountant)
    client.force_login(accountant)
    response = upload(client, GOOD)
    assert response.status_code == 200
    errors = response.context["import_errors"]
    assert len(errors) == 5
    assert "Row 2, column “date”" in errors[0] and "2026-03" in errors[0]
    assert JournalEntry.objects.count() == 0


def test_entries_import_refused_by_the_ledger_shows_on_the_form(client, accountant, year):
    """A budget with the block policy refuses the posting: the reason (naming the budget)
    shows on the form and nothing of the file is posted."""
    eink = DepartmentFactory(code="EINK")
    Budget.objects.create(
        department=eink,
        fiscal_year=year,
        account=account("4930"),
        amount=Decimal("50.00"),
        policy=Budget.Policy.BLOCK,
    )
    client.force_login(accountant)
    response = upload(client, GOOD)
    assert response.status_code == 200
    [error] = response.context["import_errors"]
    assert "EINK 2026 4930" in error
    assert JournalEntry.objects.count() == 0


def test_entries_import_needs_the_add_permission(client, make_user, year):
    client.force_login(make_user(roles.AUDITOR))
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert JournalEntry.objects.count() == 0


def test_amounts_take_a_decimal_point_or_comma_never_binary_floats():
    assert parse_amount("1.234,56") == Decimal("1234.56")
    assert parse_amount("1,234.56") == Decimal("1234.56")
    assert parse_amount("12,5") == Decimal("12.5")
    for bad in ("", "abc", "1.001,005", "NaN", "1000000000000,00"):
        with pytest.raises(ValueError):
            parse_amount(bad)


# --- Account and budget import and export -----------------------------------------------------

ACCOUNTS = "number,name_de,name_en,type,group,is_bank,iban,active\n"


def test_account_import_with_one_bad_row_writes_nothing():
    data = ACCOUNTS + "4931,Porto,Postage,expense,49,0,,1\n4932,Kaffee,Coffee,expensive,49,0,,1\n"
    result = AccountResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2 and "type" in invalid.field_specific_errors
    assert not Account.objects.filter(number__in=["4931", "4932"]).exists()


def test_account_import_updates_by_number(client, accountant):
    data = (
        ACCOUNTS
        + "4931,Porto,Postage,expense,49,0,,1\n4930,Bürobedarf,Stationery,expense,49,0,,1\n"
    )
    result = AccountResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert not result.has_errors() and not result.has_validation_errors()
    assert Account.objects.get(number="4931").name_en == "Postage"
    assert Account.objects.get(number="4930").name_en == "Stationery"


def test_account_import_does_not_change_a_bank_accounts_iban(accountant):
    """The house bank's IBAN is what payroll pays from: an import naming another one is a
    row error and changes nothing."""
    from accounting.services import bank_account_details_set

    bank_account_details_set(
        account=Account.objects.get(number="1200"), iban="DE02120300000000202051"
    )
    data = ACCOUNTS + "1200,Bank,Bank,asset,12,1,DE89370400440532013000,1\n"
    result = AccountResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert "iban" in invalid.field_specific_errors
    assert Account.objects.get(number="1200").iban == "DE02120300000000202051"


def test_admin_account_import_names_row_and_field_and_writes_nothing(client, accountant):
    before = Account.objects.count()
    data = ACCOUNTS + "4931,Porto,Postage,expense,49,0,,1\n4932,Kaffee,Coffee,expensive,49,0,,1\n"
    client.force_login(accountant)
    response = client.post(
        "/admin/accounting/account/import/",
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("a.csv", data.encode(), content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "expensive" in page
    assert Account.objects.count() == before


def test_import_and_export_need_accounting_permissions(client, make_user):
    """An admin user of another area (helpdesk) may neither import nor export accounts."""
    client.force_login(make_user(roles.HELPDESK_AGENT))
    assert client.get("/admin/accounting/account/import/").status_code == 403
    assert client.get("/admin/accounting/account/export/").status_code == 403


def test_budget_import_by_department_code_account_number_and_year(year):
    DepartmentFactory(code="VERT")
    data = (
        "department,fiscal_year,account,account_group,amount,policy\n"
        'VERT,2026,,46,"12.000,00",warn\n'
        "VERT,2026,4930,,2500.00,block\n"
    )
    result = BudgetResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert not result.has_errors() and not result.has_validation_errors()
    assert Budget.objects.get(account_group="46").amount == Decimal("12000.00")
    assert Budget.objects.get(account=account("4930")).policy == Budget.Policy.BLOCK
    exported = BudgetResource().export().csv
    assert "VERT,2026,4930" in exported


def test_budget_import_with_unknown_department_writes_nothing(year):
    DepartmentFactory(code="VERT")
    data = (
        "department,fiscal_year,account,account_group,amount,policy\n"
        "VERT,2026,,46,1000.00,warn\n"
        "NOPE,2026,,49,1000.00,warn\n"
        "VERT,2026,4930,49,1000.00,warn\n"
    )
    result = BudgetResource().import_data(tablib.Dataset().load(data, format="csv"))
    assert result.has_validation_errors()
    numbers = {row.number: row for row in result.invalid_rows}
    assert "department" in numbers[2].field_specific_errors
    assert 3 in numbers  # account and group both given
    assert Budget.objects.count() == 0


# --- Payments and findings --------------------------------------------------------------------


def _draft(user) -> Payment:
    return Payment.objects.create(
        direction=Payment.Direction.OUTGOING,
        counterparty="Büroprofi GmbH",
        iban="DE89370400440532013000",
        amount=Decimal("119.00"),
        due_date=datetime.date(2026, 3, 2),
        bank_account=account("1200"),
        counter_account=account("1600"),
        created_by=user,
    )


def test_approve_action_posts_a_payment_but_not_for_its_creator(client, make_user, year):
    creator, approver = make_user(roles.ACCOUNTANT), make_user(roles.ACCOUNTANT)
    mine, theirs = _draft(approver), _draft(creator)
    client.force_login(approver)
    response = action(client, "/admin/accounting/payment/", "approve_payments", mine.pk, theirs.pk)
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Payment.Status.DRAFT and mine.approved_by is None
    assert theirs.status == Payment.Status.POSTED and theirs.entry_id is not None
    assert "Payment" in messages_of(client.get("/admin/accounting/payment/"))


def test_findings_cannot_be_deleted_or_edited_in_the_admin(client, make_user):
    finding = Finding.objects.create(
        check_code="round_amounts", key="entry:1", title="Rund", severity="low"
    )
    client.force_login(make_user(roles.AUDITOR))
    change_url = reverse("admin:accounting_finding_change", args=[finding.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"title": "x"}).status_code == 403
    delete_url = reverse("admin:accounting_finding_delete", args=[finding.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    action(client, "/admin/accounting/finding/", "acknowledge_findings", finding.pk)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACKNOWLEDGED
    assert finding.title == "Rund"


def test_a_bank_accounts_iban_is_read_only_in_the_admin(client, accountant):
    """The house bank's IBAN and BIC are shown, not edited, on its admin page (they change
    through bank_account_details_set); another account's form keeps its fields."""
    client.force_login(accountant)
    bank = Account.objects.get(number="1200")
    page = client.get(f"/admin/accounting/account/{bank.pk}/change/").content.decode()
    assert 'name="iban"' not in page and 'name="bic"' not in page
    assert 'name="name_de"' in page
    other = Account.objects.get(number="4930")
    page = client.get(f"/admin/accounting/account/{other.pk}/change/").content.decode()
    assert 'name="iban"' in page
