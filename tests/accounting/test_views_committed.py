"""Every state-changing page and admin action of accounting, outside the test's transaction
(issue #7, item 1).

pytest-django wraps a test in a transaction: inside it ``select_for_update()`` without
``atomic`` does not fail and ``on_commit`` hooks never run. These tests run as production does,
each request its own transaction, so a service that forgot ``@transaction.atomic`` answers 500
here too. tests/backoffice/test_post_views_committed.py checks that every POST URL has one.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounting.models import (
    Account,
    BankStatement,
    Budget,
    Finding,
    FiscalYear,
    JournalEntry,
    Payment,
    Period,
)
from accounting.resources import AccountResource, BudgetResource
from accounting.services import (
    Line,
    journal_entry_post,
    payment_approve,
    payment_create,
    statement_import,
)
from backoffice import roles
from tests.accounting.factories import account, open_year, post_expense
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).parent / "data"
CSV_STATEMENT = DATA / "statement_2026_03.csv"
SUPPLIER_IBAN = "DE02120300000000202051"
CUSTOMER_IBAN = "DE12500105170648489890"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def committed():
    """The point of this file: no transaction around the test."""
    assert not connection.in_atomic_block


@pytest.fixture
def year():
    open_year(timezone.localdate().year)  # reversals are dated today
    return open_year(2026)


@pytest.fixture
def clerk(make_user):
    return make_user(roles.ACCOUNTANT)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def draft(user, *, direction="out", amount="119.00", iban=SUPPLIER_IBAN, **kw) -> Payment:
    return payment_create(
        direction=direction,
        counterparty=kw.pop("counterparty", "Bürobedarf Müller GmbH"),
        iban=iban,
        bic="",
        amount=Decimal(amount),
        due_date=kw.pop("due_date", datetime.date(2026, 3, 2)),
        reference=kw.pop("reference", "RE-2026-0042"),
        bank_account=account("1200"),
        counter_account=account("1600" if direction == "out" else "1400"),
        department=None,
        user=user,
    )


def admin_action(client, changelist: str, name: str, *pks, **extra):
    return client.post(
        changelist,
        {"action": name, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "index": 0, **extra},
    )


# --- Payments ------------------------------------------------------------------------------------


def test_payment_recorded_on_the_page(client, year, clerk):
    """The new-payment form records a draft that waits for a second person."""
    client.force_login(clerk)
    response = client.post(
        reverse("accounting:payment_create"),
        {
            "direction": "out",
            "counterparty": "Druckerei Lehmann",
            "iban": "DE02 1203 0000 0000 2020 51",
            "bic": "",
            "amount": "240.50",
            "due_date": "2026-03-10",
            "reference": "RE-77",
            "bank_account": account("1200").pk,
            "counter_account": account("1600").pk,
            "department": "",
        },
    )
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounting:payment_detail", args=[payment.pk])
    assert (payment.status, payment.amount, payment.iban, payment.created_by) == (
        Payment.Status.DRAFT,
        Decimal("240.50"),
        SUPPLIER_IBAN,
        clerk,
    )
    assert "The payment was recorded; a second person must approve it." in messages_of(response)


def test_payment_approved_on_its_page_posts_the_entry(client, year, clerk, accountant):
    """Approve on the payment's page (it answered 500 when the service's lock ran outside a
    transaction): the payment is posted, one balanced entry, and the page says so."""
    payment = draft(clerk)
    client.force_login(accountant)
    response = client.post(reverse("accounting:payment_approve", args=[payment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounting:payment_detail", args=[payment.pk])
    assert "The payment was approved and posted." in messages_of(response)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.POSTED
    assert payment.approved_by == accountant
    assert payment.entry.source == f"accounting.payment:{payment.pk}"


def test_approving_ones_own_payment_is_a_message_not_a_500(client, year, clerk):
    """The creator pressing Approve gets the four-eyes rule as a message; nothing is posted."""
    payment = draft(clerk)
    client.force_login(clerk)
    response = client.post(reverse("accounting:payment_approve", args=[payment.pk]), follow=True)
    assert response.status_code == 200
    assert any("cannot approve" in m for m in messages_of(response))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert not JournalEntry.objects.exists()


def test_payment_cancelled_on_its_page(client, year, clerk, accountant):
    payment = draft(clerk)
    client.force_login(accountant)
    response = client.post(reverse("accounting:payment_cancel", args=[payment.pk]))
    assert response.status_code == 302
    assert "The payment was cancelled." in messages_of(response)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert not JournalEntry.objects.exists()


def test_admin_approves_and_cancels_payments_in_bulk(client, year, clerk, accountant):
    """The admin's bulk approve posts another's payment and refuses one's own with a message
    (both answered 500 before); the bulk cancel cancels."""
    theirs, mine, spare = draft(clerk), draft(accountant), draft(clerk, amount="50.00")
    client.force_login(accountant)
    changelist = reverse("admin:accounting_payment_changelist")
    response = admin_action(client, changelist, "approve_payments", theirs.pk, mine.pk)
    assert response.status_code == 302
    texts = messages_of(response)
    assert "1 payment approved and posted." in texts
    assert any(str(mine) in t and "cannot approve" in t for t in texts)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == Payment.Status.POSTED and theirs.entry_id is not None
    assert mine.status == Payment.Status.DRAFT

    response = admin_action(client, changelist, "cancel_payments", spare.pk)
    assert "1 payment cancelled." in messages_of(response)
    spare.refresh_from_db()
    assert spare.status == Payment.Status.CANCELLED


# --- Bank statements -----------------------------------------------------------------------------


def _posted(clerk, approver, **kw) -> Payment:
    return payment_approve(payment=draft(clerk, **kw), user=approver)


def _opening_balance(amount="1000.00"):
    journal_entry_post(
        date=datetime.date(2026, 1, 2),
        lines=[
            Line(account=account("1200"), side="D", amount=Decimal(amount)),
            Line(account=account("0800"), side="C", amount=Decimal(amount)),
        ],
        source="test.opening",
    )


def test_statement_imported_on_the_page_matches_payments(client, year, clerk, accountant):
    """The March CSV uploaded through the page is stored, its customer line matched to the
    posted payment, and its page opens."""
    _posted(
        clerk,
        accountant,
        direction="in",
        amount="953.50",
        iban=CUSTOMER_IBAN,
        reference="2026-17",
        counterparty="Kunde AG",
        due_date=datetime.date(2026, 3, 5),
    )
    client.force_login(accountant)
    with CSV_STATEMENT.open("rb") as handle:
        response = client.post(
            reverse("accounting:statement_import"),
            {"bank_account": account("1200").pk, "file": handle},
        )
    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounting:statement_detail", args=[statement.pk])
    assert statement.lines.filter(status="matched").count() == 1
    assert any("line matched to a payment" in m for m in messages_of(response))


def test_statement_lines_matched_booked_and_reconciled_on_the_page(client, year, clerk, accountant):
    """Match a line to a payment, book the bank charge, reconcile: each form of the
    statement page commits, and the statement ends reconciled with no open line."""
    _opening_balance()
    _posted(
        clerk,
        accountant,
        direction="in",
        amount="953.50",
        iban=CUSTOMER_IBAN,
        reference="2026-17",
        counterparty="Kunde AG",
        due_date=datetime.date(2026, 3, 5),
    )
    other = _posted(clerk, accountant, iban="DE89370400440532013000", reference="anders")
    with CSV_STATEMENT.open("rb") as handle:
        statement = statement_import(
            bank_account=account("1200"), file=handle, filename=CSV_STATEMENT.name, user=clerk
        )
    supplier = statement.lines.get(amount=Decimal("-119.00"))
    charge = statement.lines.get(amount=Decimal("-12.50"))
    client.force_login(accountant)

    response = client.post(
        reverse("accounting:statement_line_match", args=[supplier.pk]), {"payment": other.pk}
    )
    assert "The line was matched to the payment." in messages_of(response)
    supplier.refresh_from_db()
    assert (supplier.status, supplier.payment) == ("matched", other)

    response = client.post(
        reverse("accounting:statement_line_book", args=[charge.pk]),
        {"account": account("4970").pk, "department": ""},
    )
    assert "The line was booked." in messages_of(response)
    charge.refresh_from_db()
    assert charge.status == "booked" and charge.entry_id is not None

    response = client.post(reverse("accounting:statement_reconcile", args=[statement.pk]))
    assert response.status_code == 302
    assert "The statement is reconciled." in messages_of(response)
    statement.refresh_from_db()
    assert statement.reconciled_at is not None and statement.reconciled_by == accountant


def test_suggested_payment_matched_with_one_click(client, year, clerk, accountant):
    """The statement page offers the fitting payment under the line; its button posts the
    payment and the line is matched, committed."""
    best = _posted(clerk, accountant, iban="DE89370400440532013000", reference="anders")
    with CSV_STATEMENT.open("rb") as handle:
        statement = statement_import(
            bank_account=account("1200"), file=handle, filename=CSV_STATEMENT.name, user=clerk
        )
    supplier = statement.lines.get(amount=Decimal("-119.00"))
    assert supplier.status == "unmatched"  # only the amount fits: left for a person
    client.force_login(accountant)
    page = client.get(reverse("accounting:statement_detail", args=[statement.pk]))
    line = next(ln for ln in page.context["lines"] if ln.pk == supplier.pk)
    assert [p.pk for p in line.suggestions] == [best.pk]
    assert f'data-testid="match-{supplier.pk}-{best.pk}"' in page.content.decode()

    response = client.post(
        reverse("accounting:statement_line_match", args=[supplier.pk]), {"payment": best.pk}
    )
    assert response.status_code == 302
    assert "The line was matched to the payment." in messages_of(response)
    supplier.refresh_from_db()
    assert (supplier.status, supplier.payment_id) == ("matched", best.pk)


# --- Audit ---------------------------------------------------------------------------------------


def _finding() -> Finding:
    return Finding.objects.create(
        check_code="round_amounts",
        key="entry:1",
        title="Runder Betrag",
        severity=Finding.Severity.LOW,
    )


def test_finding_acknowledged_then_resolved_on_its_page(client, auditor):
    finding = _finding()
    client.force_login(auditor)
    response = client.post(reverse("accounting:finding_acknowledge", args=[finding.pk]))
    assert "The finding is acknowledged." in messages_of(response)
    finding.refresh_from_db()
    assert (finding.status, finding.acknowledged_by) == (Finding.Status.ACKNOWLEDGED, auditor)

    response = client.post(
        reverse("accounting:finding_resolve", args=[finding.pk]), {"comment": "Geklärt."}
    )
    assert response.status_code == 302
    assert "The finding is resolved." in messages_of(response)
    finding.refresh_from_db()
    assert (finding.status, finding.comment, finding.resolved_by) == (
        Finding.Status.RESOLVED,
        "Geklärt.",
        auditor,
    )


def test_audit_run_from_the_page_records_findings_once(client, year, auditor):
    """Run the checks: a round amount becomes one finding, and a second run adds none."""
    when = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=BERLIN)
    with mock.patch("django.utils.timezone.now", return_value=when):
        entry = post_expense(amount="30000.00")
    client.force_login(auditor)
    response = client.post(reverse("accounting:audit_run"))
    assert response.status_code == 302
    assert "The audit checks ran: 1 new finding." in messages_of(response)
    assert Finding.objects.get().key == f"entry:{entry.pk}"
    response = client.post(reverse("accounting:audit_run"))
    assert "The audit checks ran: 0 new findings." in messages_of(response)
    assert Finding.objects.count() == 1


def test_admin_acknowledges_findings_in_bulk(client, auditor):
    finding = _finding()
    client.force_login(auditor)
    response = admin_action(
        client, reverse("admin:accounting_finding_changelist"), "acknowledge_findings", finding.pk
    )
    assert "1 finding acknowledged." in messages_of(response)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACKNOWLEDGED


# --- Ledger admin: periods, years, reversals, the entries import -------------------------------


def test_admin_closes_and_reopens_a_period(client, year, accountant):
    """Close March: posting into it is refused; reopen it: posting works again."""
    march = Period.objects.get(fiscal_year=year, month=3)
    client.force_login(accountant)
    changelist = reverse("admin:accounting_period_changelist")
    response = admin_action(client, changelist, "close_periods", march.pk)
    assert "1 period closed." in messages_of(response)
    march.refresh_from_db()
    assert (march.status, march.closed_by) == (Period.Status.CLOSED, accountant)

    response = admin_action(client, changelist, "reopen_periods", march.pk)
    assert "1 period reopened." in messages_of(response)
    march.refresh_from_db()
    assert march.status == Period.Status.OPEN
    assert post_expense(amount="10.00", date=datetime.date(2026, 3, 20)).pk


def test_admin_opens_the_following_fiscal_year(client, year, accountant):
    latest = FiscalYear.objects.order_by("-year").first()
    client.force_login(accountant)
    response = admin_action(
        client,
        reverse("admin:accounting_fiscalyear_changelist"),
        "open_following_year",
        latest.pk,
    )
    following = FiscalYear.objects.get(year=latest.year + 1)
    assert following.periods.count() == 12
    assert f"Fiscal year {following.year} is open with its twelve periods." in messages_of(response)


def test_admin_reverses_an_entry_once(client, year, accountant):
    entry = post_expense(amount="42.00")
    client.force_login(accountant)
    changelist = reverse("admin:accounting_journalentry_changelist")
    response = admin_action(client, changelist, "reverse_entries", entry.pk)
    assert "1 entry reversed." in messages_of(response)
    reversal = JournalEntry.objects.get(reverses=entry)
    assert reversal.date == timezone.localdate()

    response = admin_action(client, changelist, "reverse_entries", entry.pk)
    assert any("was reversed before" in m for m in messages_of(response))
    assert JournalEntry.objects.filter(reverses=entry).count() == 1


def test_admin_entries_import_posts_the_file(client, year, accountant):
    DepartmentFactory(code="EINK")
    content = (
        "entry,date,account,side,amount,department,memo\n"
        "A1,2026-03-02,4930,D,100.00,EINK,Papier\n"
        "A1,2026-03-02,1576,D,19.00,,\n"
        "A1,2026-03-02,1600,C,119.00,,\n"
    )
    client.force_login(accountant)
    response = client.post(
        reverse("admin:accounting_journalentry_import_entries"),
        {"file": SimpleUploadedFile("entries.csv", content.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    assert "1 entry posted; 0 of the file were posted before." in messages_of(response)
    entry = JournalEntry.objects.get()
    assert entry.posted_by == accountant and entry.lines.count() == 3


# --- django-import-export: accounts and budgets in and out --------------------------------------


def _import(client, upload_url: str, confirm_url: str, content: str):
    """Upload, then confirm, as the admin's two pages do."""
    upload = client.post(
        upload_url,
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile(
                "rows.csv", content.encode(), content_type="text/csv"
            ),
        },
    )
    assert upload.status_code == 200
    confirm = upload.context["confirm_form"]
    return client.post(
        confirm_url, {name: confirm.initial.get(name, "") for name in confirm.fields}
    )


def test_admin_imports_accounts(client, accountant):
    client.force_login(accountant)
    response = _import(
        client,
        reverse("admin:accounting_account_import"),
        reverse("admin:accounting_account_process_import"),
        "number,name_de,name_en,type,group,is_bank,iban,active\n"
        "4931,Porto,Postage,expense,49,0,,1\n",
    )
    assert response.status_code == 302
    assert Account.objects.get(number="4931").name_en == "Postage"


def test_admin_imports_budgets(client, year, accountant):
    DepartmentFactory(code="VERT")
    client.force_login(accountant)
    response = _import(
        client,
        reverse("admin:accounting_budget_import"),
        reverse("admin:accounting_budget_process_import"),
        "department,fiscal_year,account,account_group,amount,policy\n"
        "VERT,2026,4930,,2500.00,block\n",
    )
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert (budget.amount, budget.policy) == (Decimal("2500.00"), Budget.Policy.BLOCK)


@pytest.mark.parametrize(
    ("url_name", "resource_class", "expected"),
    [
        ("admin:accounting_account_export", AccountResource, "1200"),
        ("admin:accounting_budget_export", BudgetResource, "VERT"),
    ],
)
def test_admin_exports_accounts_and_budgets(
    client, year, accountant, url_name, resource_class, expected
):
    """The export form posted: a CSV of the rows, nothing written."""
    vert = DepartmentFactory(code="VERT")
    Budget.objects.create(
        department=vert, fiscal_year=year, account=account("4930"), amount=Decimal("10.00")
    )
    prefix = resource_class.__name__.lower()
    fields = {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}
    client.force_login(accountant)
    response = client.post(reverse(url_name), {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert expected in response.content.decode("utf-8-sig")
