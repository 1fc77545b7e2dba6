"""Balancing the bank accounts: statement import (CSV and camt.053) with automatic matching,
refusal of bad files with nothing written, manual matching and booking, reconciliation
against the ledger, and who may use the pages."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.bank_formats import camt053_parse, csv_parse, statement_parse
from accounting.models import BankStatement, BankStatementLine, JournalEntry, Payment
from accounting.services import (
    Line,
    journal_entry_post,
    payment_approve,
    payment_create,
    statement_auto_match,
    statement_import,
    statement_line_book,
    statement_line_match,
    statement_reconcile,
)
from accounting.views.bank import LINES_PAGE_SIZE
from backoffice import roles
from tests.accounting.factories import account, open_year
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
CSV_FILE = DATA / "statement_2026_03.csv"
CAMT_FILE = DATA / "statement_2026_04_camt053.xml"

SUPPLIER_IBAN = "DE02120300000000202051"
CUSTOMER_IBAN = "DE12500105170648489890"
LICENCE_IBAN = "DE44500105175407324931"


@pytest.fixture
def year():
    return open_year(2026)


@pytest.fixture
def clerk(make_user):
    return make_user(roles.ACCOUNTANT)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


def posted_payment(*, clerk, approver, direction, amount, iban, reference, due_date, **kw):
    payment = payment_create(
        direction=direction,
        counterparty=kw.pop("counterparty", "Gegenpartei GmbH"),
        iban=iban,
        bic="",
        amount=Decimal(amount),
        due_date=due_date,
        reference=reference,
        bank_account=kw.pop("bank_account", account("1200")),
        counter_account=account("1600" if direction == "out" else "1400"),
        user=clerk,
        **kw,
    )
    return payment_approve(payment=payment, user=approver)


@pytest.fixture
def march_payments(year, clerk, accountant):
    """The two payments the March CSV statement pays: one to a supplier, one from a
    customer."""
    return (
        posted_payment(
            clerk=clerk,
            approver=accountant,
            direction="out",
            amount="119.00",
            iban=SUPPLIER_IBAN,
            reference="RE-2026-0042",
            due_date=datetime.date(2026, 3, 2),
        ),
        posted_payment(
            clerk=clerk,
            approver=accountant,
            direction="in",
            amount="953.50",
            iban=CUSTOMER_IBAN,
            reference="2026-17",
            due_date=datetime.date(2026, 3, 5),
        ),
    )


def opening_balance(amount="1000.00", date=datetime.date(2026, 1, 2)):
    """The bank's opening balance in the ledger: debit bank, credit subscribed capital."""
    return journal_entry_post(
        date=date,
        lines=[
            Line(account=account("1200"), side="D", amount=Decimal(amount)),
            Line(account=account("0800"), side="C", amount=Decimal(amount)),
        ],
        source="test.opening",
    )


def import_file(path: Path, *, user, bank="1200") -> BankStatement:
    with path.open("rb") as handle:
        return statement_import(
            bank_account=account(bank), file=handle, filename=path.name, user=user
        )


def import_bytes(content: bytes, *, user, filename="statement.csv", bank="1200"):
    return statement_import(
        bank_account=account(bank),
        file=SimpleUploadedFile(filename, content),
        filename=filename,
        user=user,
    )


def assert_nothing_written():
    assert BankStatement.objects.count() == 0
    assert BankStatementLine.objects.count() == 0


# --- Parsing ---------------------------------------------------------------------------------


def test_csv_parses_header_lines_and_signed_decimal_amounts():
    """The CSV (BOM, semicolons, decimal comma, IBAN in groups) gives the statement fields and
    signed Decimal amounts."""
    parsed = statement_parse(content=CSV_FILE.read_bytes(), filename=CSV_FILE.name)
    assert parsed.file_format == "csv"
    assert (parsed.reference, parsed.date) == ("2026-03", datetime.date(2026, 3, 31))
    assert (parsed.opening_balance, parsed.closing_balance) == (
        Decimal("1000.00"),
        Decimal("1822.00"),
    )
    assert [ln.amount for ln in parsed.lines] == [
        Decimal("-119.00"),
        Decimal("953.50"),
        Decimal("-12.50"),
    ]
    assert parsed.lines[0].iban == SUPPLIER_IBAN
    assert parsed.lines[0].counterparty == "Bürobedarf Müller GmbH"
    assert all(isinstance(ln.amount, Decimal) for ln in parsed.lines)


def test_camt053_parses_balances_entries_and_related_parties():
    """camt.053: Stmt/Id, PRCD/CLBD balances, signed entries, the counterparty on the right
    side, remittance lines joined, pending entries left out."""
    parsed = statement_parse(content=CAMT_FILE.read_bytes(), filename=CAMT_FILE.name)
    assert parsed.file_format == "camt.053"
    assert (parsed.reference, parsed.date) == ("2026-04-0004", datetime.date(2026, 4, 30))
    assert parsed.iban == "DE89370400440532013000"
    assert (parsed.opening_balance, parsed.closing_balance) == (
        Decimal("1822.00"),
        Decimal("2762.00"),
    )
    debit, credit = parsed.lines
    assert (debit.amount, debit.counterparty, debit.iban) == (
        Decimal("-250.00"),
        "Software Lizenz GmbH",
        LICENCE_IBAN,
    )
    assert debit.reference == "Lizenz LIZ-7781 April 2026"
    assert (credit.amount, credit.counterparty, credit.iban) == (
        Decimal("1190.00"),
        "Kunde AG",
        CUSTOMER_IBAN,
    )
    assert credit.booking_date == datetime.date(2026, 4, 15)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"Auszug;X\nDatum;31.03.2026\nAnfangssaldo;0,00\nEndsaldo;1,00\n\n"
            b"Buchungstag;Betrag\n01.03.2026;1,00\n02.03.2026;12,3x\n",
            ["Row 8", "Betrag"],
        ),
        (
            b"Auszug;X\nDatum;31.03.2026\nAnfangssaldo;0,00\nEndsaldo;1,00\n\n"
            b"Buchungstag;Betrag\n31.02.2026;1,00\n",
            ["Row 7", "Buchungstag"],
        ),
        (b"Auszug;X\nDatum;31.03.2026\nEndsaldo;1,00\n\nBuchungstag;Betrag\n", ["Anfangssaldo"]),
        (b"Buchungstag;Name\n", ["Betrag"]),
        (b"\x00\x01\x02binary", ["not a text file"]),
    ],
)
def test_bad_csv_names_the_row_and_field(content, expected):
    """A malformed CSV is refused with the row and the field named."""
    with pytest.raises(ValidationError) as info:
        csv_parse(content)
    message = " ".join(info.value.messages)
    for part in expected:
        assert part in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<Document><BkToCstmrStmt><Stmt><Id>1</Id>", ["not well-formed"]),
        (b"<Document><Other/></Document>", ["BkToCstmrStmt"]),
        (
            CAMT_FILE.read_bytes().replace(b'<Amt Ccy="EUR">250.00', b'<Amt Ccy="EUR">2,50'),
            ["Entry 1", "Amt"],
        ),
        (
            CAMT_FILE.read_bytes().replace(b"<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>", b"<Sts>"),
            ["Entry 2", "CdtDbtInd"],
        ),
        (
            CAMT_FILE.read_bytes().replace(b"<Cd>CLBD</Cd>", b"<Cd>XXXX</Cd>"),
            ["closing balance", "CLBD"],
        ),
    ],
)
def test_bad_camt053_names_the_entry_and_field(content, expected):
    """A malformed camt.053 is refused with the entry (or balance) and the field named."""
    with pytest.raises(ValidationError) as info:
        camt053_parse(content)
    message = " ".join(info.value.messages)
    for part in expected:
        assert part in message


def test_xml_entities_are_refused():
    """An XML bomb or external entity in an upload is refused, not expanded (defusedxml)."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>'
    )
    with pytest.raises(ValidationError) as info:
        camt053_parse(bomb)
    assert "entities" in " ".join(info.value.messages)


# --- Import ----------------------------------------------------------------------------------


def test_csv_import_matches_payments_automatically(year, march_payments, accountant):
    """Importing the March CSV matches the supplier payment (amount and reference) and the
    customer payment (amount, reference and IBAN); the bank charge stays unmatched."""
    outgoing, incoming = march_payments
    statement = import_file(CSV_FILE, user=accountant)

    assert statement.file_format == "csv"
    lines = list(statement.lines.order_by("booking_date", "id"))
    assert [(ln.status, ln.payment_id) for ln in lines] == [
        ("matched", outgoing.pk),
        ("matched", incoming.pk),
        ("unmatched", None),
    ]
    assert lines[2].amount == Decimal("-12.50")


def test_camt053_import_matches_by_iban_and_reference(year, clerk, accountant):
    """The camt.053 import matches the licence payment by IBAN (its reference differs) and
    the customer payment by reference."""
    licence = posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="out",
        amount="250.00",
        iban=LICENCE_IBAN,
        reference="Vertrag 99",
        due_date=datetime.date(2026, 4, 10),
    )
    customer = posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="in",
        amount="1190.00",
        iban="DE02100500000054540402",
        reference="2026-21",
        due_date=datetime.date(2026, 4, 15),
    )
    statement = import_file(CAMT_FILE, user=accountant)
    assert statement.file_format == "camt.053"
    assert statement.closing_balance == Decimal("2762.00")
    assert dict(statement.lines.values_list("amount", "payment_id")) == {
        Decimal("-250.00"): licence.pk,
        Decimal("1190.00"): customer.pk,
    }


def test_ambiguous_payments_are_left_for_an_accountant(year, clerk, accountant):
    """Two posted payments that fit the same line equally well: the line stays unmatched and
    both are offered as suggestions."""
    for _ in range(2):
        posted_payment(
            clerk=clerk,
            approver=accountant,
            direction="out",
            amount="119.00",
            iban=SUPPLIER_IBAN,
            reference="RE-2026-0042",
            due_date=datetime.date(2026, 3, 2),
        )
    statement = import_file(CSV_FILE, user=accountant)
    line = statement.lines.get(amount=Decimal("-119.00"))
    assert line.status == BankStatementLine.Status.UNMATCHED
    from accounting.selectors import statement_suggestions

    assert len(statement_suggestions(statement=statement, lines=[line])[line.pk]) == 2


def test_a_very_short_reference_alone_does_not_match(year, clerk, accountant):
    """A payment whose reference is only "17" is not matched because "17" happens to appear
    in the line text; with its IBAN it would be."""
    posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="in",
        amount="953.50",
        iban="DE02100500000054540402",
        reference="17",
        due_date=datetime.date(2026, 3, 5),
    )
    statement = import_file(CSV_FILE, user=accountant)
    assert not statement.lines.filter(status=BankStatementLine.Status.MATCHED).exists()


def test_draft_and_other_direction_payments_are_not_matched(year, clerk, accountant):
    """Only posted payments in the line's direction match: a draft with the same amount and
    reference, or an incoming payment of 119.00, is not taken."""
    payment_create(
        direction="out",
        counterparty="Bürobedarf Müller GmbH",
        iban=SUPPLIER_IBAN,
        amount=Decimal("119.00"),
        due_date=datetime.date(2026, 3, 2),
        reference="RE-2026-0042",
        bank_account=account("1200"),
        counter_account=account("1600"),
        user=clerk,
    )
    posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="in",
        amount="119.00",
        iban=SUPPLIER_IBAN,
        reference="RE-2026-0042",
        due_date=datetime.date(2026, 3, 2),
    )
    statement = import_file(CSV_FILE, user=accountant)
    assert not statement.lines.filter(status=BankStatementLine.Status.MATCHED).exists()


def test_malformed_file_is_refused_with_nothing_written(year, march_payments, accountant):
    """A file with one bad amount in its last row writes no statement and no line, even
    though the rows before it were fine."""
    content = CSV_FILE.read_bytes().replace(b"-12,50", b"-12.5O")
    with pytest.raises(ValidationError) as info:
        import_bytes(content, user=accountant)
    assert "Row 10" in str(info.value) and "Betrag" in str(info.value)
    assert_nothing_written()
    assert not Payment.objects.filter(statement_line__isnull=False).exists()


def test_statement_that_does_not_add_up_is_refused(year, accountant):
    """Opening balance plus the lines must give the closing balance; otherwise nothing is
    written and the message shows the figures."""
    content = CSV_FILE.read_bytes().replace(b"Endsaldo;1.822,00", b"Endsaldo;1.822,01")
    with pytest.raises(ValidationError) as info:
        import_bytes(content, user=accountant)
    assert "1822.01" in str(info.value)
    assert_nothing_written()


def test_duplicate_statement_is_refused_clearly(year, accountant):
    """The same statement imported twice into the same account is refused by its reference,
    and the first import stays as it was."""
    first = import_file(CSV_FILE, user=accountant)
    with pytest.raises(ValidationError) as info:
        import_file(CSV_FILE, user=accountant)
    assert "already imported" in str(info.value)
    assert BankStatement.objects.get().pk == first.pk
    assert BankStatementLine.objects.count() == 3


def test_statement_of_another_account_is_refused(year, accountant):
    """A statement whose IBAN is not the chosen bank account's is refused."""
    bank2 = account("1210")
    bank2.iban = "DE75512108001245126199"
    bank2.save(update_fields=["iban"])
    with pytest.raises(ValidationError) as info:
        import_file(CAMT_FILE, user=accountant, bank="1210")
    assert "DE89370400440532013000" in str(info.value)
    assert_nothing_written()


# --- Matching by hand, booking, reconciling --------------------------------------------------


def test_manual_match_and_book(year, clerk, accountant):
    """An accountant matches a line to the payment the automatic match could not decide and
    books the bank charge to 4970: it posts one entry bank against the account."""
    payment = posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="out",
        amount="119.00",
        iban="DE89370400440532013000",
        reference="anders",
        due_date=datetime.date(2026, 3, 2),
    )
    statement = import_file(CSV_FILE, user=accountant)
    line = statement.lines.get(amount=Decimal("-119.00"))
    assert line.status == BankStatementLine.Status.UNMATCHED

    line = statement_line_match(line=line, payment=payment, user=accountant)
    assert (line.status, line.payment_id) == ("matched", payment.pk)

    charge = statement.lines.get(amount=Decimal("-12.50"))
    department = DepartmentFactory()
    entries_before = JournalEntry.objects.count()
    charge = statement_line_book(
        line=charge, account=account("4970"), user=accountant, department=department
    )
    assert charge.status == BankStatementLine.Status.BOOKED
    assert JournalEntry.objects.count() == entries_before + 1
    entry = charge.entry
    assert entry.source == f"accounting.statement_line:{charge.pk}"
    assert entry.date == datetime.date(2026, 3, 31)
    assert {
        (ln.account.number, ln.side, ln.amount, ln.department_id)
        for ln in entry.lines.select_related("account")
    } == {("4970", "D", Decimal("12.50"), department.pk), ("1200", "C", Decimal("12.50"), None)}

    with pytest.raises(ValidationError):
        statement_line_book(line=charge, account=account("4970"), user=accountant)
    assert JournalEntry.objects.count() == entries_before + 1


def test_manual_match_refuses_a_payment_that_does_not_fit(year, march_payments, accountant):
    """A payment of another amount or direction, or one already matched, cannot be matched by
    hand."""
    outgoing, incoming = march_payments
    statement = import_file(CSV_FILE, user=accountant)
    charge = statement.lines.get(amount=Decimal("-12.50"))
    for payment in (incoming, outgoing):
        with pytest.raises(ValidationError):
            statement_line_match(line=charge, payment=payment, user=accountant)
    charge.refresh_from_db()
    assert charge.status == BankStatementLine.Status.UNMATCHED


def test_reconcile_succeeds_only_when_closing_balance_equals_ledger(
    year, march_payments, accountant
):
    """Reconciling is refused while a line is unmatched and while the ledger's bank balance
    on the statement date differs from the closing balance; it succeeds once both hold."""
    statement = import_file(CSV_FILE, user=accountant)
    with pytest.raises(ValidationError) as info:
        statement_reconcile(statement=statement, user=accountant)
    assert "unmatched" in str(info.value)

    charge = statement.lines.get(status=BankStatementLine.Status.UNMATCHED)
    statement_line_book(line=charge, account=account("4970"), user=accountant)
    # The ledger lacks the opening balance of 1,000.00 so far.
    with pytest.raises(ValidationError) as info:
        statement_reconcile(statement=statement, user=accountant)
    assert "differs" in str(info.value)
    statement.refresh_from_db()
    assert statement.reconciled_at is None

    opening_balance("1000.00")
    statement = statement_reconcile(statement=statement, user=accountant)
    statement.refresh_from_db()
    assert statement.reconciled_at is not None
    assert statement.reconciled_by == accountant  # who reconciled stays on record

    # A line of a reconciled statement no longer changes.
    with pytest.raises(ValidationError):
        statement_line_book(line=statement.lines.first(), account=account("4970"), user=accountant)


def test_reconcile_ignores_postings_after_the_statement_date(year, march_payments, accountant):
    """The ledger balance compared is the one up to the statement date: a payment posted in
    April does not stop March from reconciling."""
    opening_balance("1000.00")
    statement = import_file(CSV_FILE, user=accountant)
    statement_line_book(
        line=statement.lines.get(status="unmatched"), account=account("4970"), user=accountant
    )
    journal_entry_post(
        date=datetime.date(2026, 4, 1),
        lines=[
            Line(account=account("4930"), side="D", amount=Decimal("50.00")),
            Line(account=account("1200"), side="C", amount=Decimal("50.00")),
        ],
    )
    assert statement_reconcile(statement=statement, user=accountant).reconciled_at


def test_auto_match_again_changes_nothing(year, march_payments, accountant):
    """Running the automatic match again matches nothing more and keeps the matches."""
    statement = import_file(CSV_FILE, user=accountant)
    before = list(statement.lines.values_list("pk", "status", "payment_id"))
    assert statement_auto_match(statement=statement) == 0
    assert list(statement.lines.values_list("pk", "status", "payment_id")) == before


# --- Pages -----------------------------------------------------------------------------------


def test_import_page_imports_and_shows_the_statement(client, year, march_payments, accountant):
    """Uploading the CSV through the page imports it and opens its detail page."""
    client.force_login(accountant)
    with CSV_FILE.open("rb") as handle:
        response = client.post(
            reverse("accounting:statement_import"),
            {"bank_account": account("1200").pk, "file": handle},
        )
    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounting:statement_detail", args=[statement.pk])
    detail = client.get(response["Location"])
    assert detail.context["counts"] == {"unmatched": 1, "matched": 2, "booked": 0}


@pytest.mark.parametrize(
    "content",
    [
        b"kaputt",
        b"<Document>",
        b"\xff\xfe\x00garbage\x00",
        CSV_FILE.read_bytes().replace(b"Endsaldo;1.822,00", b"Endsaldo;9,99"),
    ],
)
def test_import_page_shows_errors_on_the_form_never_a_500(client, year, accountant, content):
    """A bad upload comes back on the form with a message, and writes nothing."""
    client.force_login(accountant)
    response = client.post(
        reverse("accounting:statement_import"),
        {"bank_account": account("1200").pk, "file": SimpleUploadedFile("x.csv", content)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert_nothing_written()


def test_match_book_and_reconcile_through_the_pages(client, year, clerk, accountant):
    """The detail page's forms match a line, book another and reconcile the statement."""
    opening_balance("1000.00")
    posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="in",
        amount="953.50",
        iban=CUSTOMER_IBAN,
        reference="2026-17",
        due_date=datetime.date(2026, 3, 5),
    )
    other = posted_payment(
        clerk=clerk,
        approver=accountant,
        direction="out",
        amount="119.00",
        iban="DE89370400440532013000",
        reference="anders",
        due_date=datetime.date(2026, 3, 2),
    )
    statement = import_file(CSV_FILE, user=accountant)
    client.force_login(accountant)
    detail = client.get(reverse("accounting:statement_detail", args=[statement.pk]))
    supplier_line = statement.lines.get(amount=Decimal("-119.00"))
    line = next(ln for ln in detail.context["lines"] if ln.pk == supplier_line.pk)
    assert [p.pk for p in line.suggestions] == [other.pk]

    client.post(
        reverse("accounting:statement_line_match", args=[supplier_line.pk]), {"payment": other.pk}
    )
    charge = statement.lines.get(amount=Decimal("-12.50"))
    client.post(
        reverse("accounting:statement_line_book", args=[charge.pk]),
        {"account": account("4970").pk, "department": ""},
    )
    response = client.post(
        reverse("accounting:statement_reconcile", args=[statement.pk]), follow=True
    )
    assert response.status_code == 200
    statement.refresh_from_db()
    assert statement.reconciled_at is not None
    assert not statement.lines.filter(status="unmatched").exists()


def test_bad_posts_show_a_message_not_a_500(client, year, accountant):
    """Unknown payments, missing accounts and an early reconcile are messages on the page."""
    statement = import_file(CSV_FILE, user=accountant)
    line = statement.lines.first()
    client.force_login(accountant)
    for url, data in (
        (reverse("accounting:statement_line_match", args=[line.pk]), {"payment": "999999"}),
        (reverse("accounting:statement_line_match", args=[line.pk]), {"payment": "abc"}),
        (reverse("accounting:statement_line_book", args=[line.pk]), {"account": ""}),
        (reverse("accounting:statement_reconcile", args=[statement.pk]), {}),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert not statement.lines.exclude(status="unmatched").exists()
    assert (
        client.post(reverse("accounting:statement_line_book", args=[999999]), {}).status_code == 404
    )


def test_bank_balances_compare_the_latest_statement_with_the_ledger(
    client, year, march_payments, accountant
):
    """The balance page shows the latest statement's closing balance next to the ledger's
    balance on its date, and the difference."""
    import_file(CSV_FILE, user=accountant)
    client.force_login(accountant)
    response = client.get(reverse("accounting:bank_balances"))
    bank = next(a for a in response.context["accounts"] if a.number == "1200")
    assert bank.statement_reference == "2026-03"
    assert bank.statement_closing == Decimal("1822.00")
    assert bank.ledger_at_statement == Decimal("834.50")
    assert bank.difference == Decimal("987.50")


def _bank_urls(statement, line) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounting:statement_list")),
        ("get", reverse("accounting:statement_import")),
        ("post", reverse("accounting:statement_import")),
        ("get", reverse("accounting:statement_detail", args=[statement.pk])),
        ("post", reverse("accounting:statement_line_match", args=[line.pk])),
        ("post", reverse("accounting:statement_line_book", args=[line.pk])),
        ("post", reverse("accounting:statement_reconcile", args=[statement.pk])),
    ]


@pytest.mark.parametrize("role", [roles.STAFF, roles.DEPARTMENT_HEAD, roles.PAYROLL_CLERK])
def test_other_roles_get_403_on_every_statement_page(client, year, accountant, make_user, role):
    """Staff, department heads and payroll clerks reach no statement page and change
    nothing."""
    statement = import_file(CSV_FILE, user=accountant)
    line = statement.lines.first()
    client.force_login(make_user(role))
    for method, url in _bank_urls(statement, line):
        assert getattr(client, method)(url).status_code == 403, (method, url)
    assert not statement.lines.exclude(status="unmatched").exists()


def test_auditor_may_look_but_not_import_match_book_or_reconcile(
    client, year, accountant, make_user
):
    """Auditors see statements but change none."""
    statement = import_file(CSV_FILE, user=accountant)
    line = statement.lines.first()
    client.force_login(make_user(roles.AUDITOR))
    for method, url in _bank_urls(statement, line):
        expected = 200 if method == "get" and "import" not in url else 403
        assert getattr(client, method)(url).status_code == expected, (method, url)


# --- Query counts ----------------------------------------------------------------------------


def _measure(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def _statement_with(size: int, *, reference: str, clerk, accountant) -> BankStatement:
    """A statement of ``size`` lines: a third matched to posted payments, a third booked, a
    third unmatched with a payment to suggest each."""
    statement = BankStatement.objects.create(
        bank_account=account("1200"),
        reference=reference,
        date=datetime.date(2026, 3, 31),
        opening_balance=Decimal("0.00"),
        closing_balance=Decimal("0.00"),
        file_format="csv",
        imported_by=accountant,
    )
    for i in range(size):
        amount = Decimal("-10.00") - i
        line = BankStatementLine.objects.create(
            statement=statement,
            booking_date=datetime.date(2026, 3, 1 + i % 28),
            amount=amount,
            counterparty=f"Lieferant {i}",
            reference=f"{reference}-{i}",
        )
        if i % 3 == 2:
            statement_line_book(line=line, account=account("4970"), user=accountant)
            continue
        payment = posted_payment(
            clerk=clerk,
            approver=accountant,
            direction="out",
            amount=str(-amount),
            iban=SUPPLIER_IBAN,
            reference=f"P-{reference}-{i}",
            due_date=datetime.date(2026, 3, 1 + i % 28),
        )
        if i % 3 == 0:
            statement_line_match(line=line, payment=payment, user=accountant)
    return statement


def test_statement_detail_queries_do_not_grow_with_lines(client, year, clerk, accountant):
    """The statement page (lines with payments, entries, suggestions and forms) costs as many
    queries with 60 lines as with 6."""
    client.force_login(accountant)
    small = _statement_with(6, reference="S", clerk=clerk, accountant=accountant)
    large = _statement_with(60, reference="L", clerk=clerk, accountant=accountant)

    small_count, response = _measure(
        client, reverse("accounting:statement_detail", args=[small.pk])
    )
    assert len(response.context["lines"]) == 6
    assert any(ln.suggestions for ln in response.context["lines"])
    large_count, response = _measure(
        client, reverse("accounting:statement_detail", args=[large.pk])
    )
    assert len(response.context["lines"]) == 60 <= LINES_PAGE_SIZE

    assert large_count == small_count


def test_statement_list_queries_do_not_grow(client, year, clerk, accountant):
    """The statement list costs as many queries with 12 statements as with 2."""
    client.force_login(accountant)
    for i in range(2):
        _statement_with(3, reference=f"A{i}", clerk=clerk, accountant=accountant)
    small, _response = _measure(client, reverse("accounting:statement_list"))
    for i in range(10):
        _statement_with(3, reference=f"B{i}", clerk=clerk, accountant=accountant)
    large, response = _measure(client, reverse("accounting:statement_list"))
    assert len(response.context["statements"]) == 12
    assert large == small


# --- Ranked suggestions, one-click match, booking without a preset account (issue 9) ------------


def _line(statement, *, amount, counterparty, reference, iban="", day=10) -> BankStatementLine:
    return BankStatementLine.objects.create(
        statement=statement,
        booking_date=datetime.date(2026, 3, day),
        amount=Decimal(amount),
        counterparty=counterparty,
        iban=iban,
        reference=reference,
    )


def test_suggestions_rank_reference_iban_name_then_the_closest_date(year, clerk, accountant):
    """Of the payments with the line's amount and direction, the one whose reference the line
    names comes first, then the same IBAN, then the same counterparty name, then the closest
    due date; another amount, a matched payment or the other direction is never offered."""
    from accounting.selectors import statement_suggestions

    statement = BankStatement.objects.create(
        bank_account=account("1200"),
        reference="RANK",
        date=datetime.date(2026, 3, 31),
        opening_balance=Decimal("0.00"),
        closing_balance=Decimal("0.00"),
        file_format="csv",
        imported_by=accountant,
    )

    def pay(reference, *, iban=LICENCE_IBAN, counterparty="Irgendwer KG", day=10, **kw):
        return posted_payment(
            clerk=clerk,
            approver=accountant,
            direction=kw.pop("direction", "out"),
            amount=kw.pop("amount", "480.00"),
            iban=iban,
            reference=reference,
            counterparty=counterparty,
            due_date=datetime.date(2026, 3, day),
        )

    far = pay("X-1", day=2)
    near = pay("X-2", day=9)
    by_name = pay("X-3", counterparty="Softwarehaus Krause AG", day=2)
    by_iban = pay("X-4", iban=SUPPLIER_IBAN, day=2)
    by_reference = pay("RE-2026-0777", day=2)
    pay("RE-2026-0777", amount="480.01")  # another amount
    pay("RE-2026-0777", direction="in", amount="480.00")  # money in, not out
    taken = pay("RE-2026-0777")
    line = _line(
        statement,
        amount="-480.00",
        counterparty="SOFTWAREHAUS KRAUSE AG, MUENCHEN",
        iban=SUPPLIER_IBAN.lower(),
        reference="Rechnung RE-2026-0777",
    )
    other = _line(statement, amount="-480.00", counterparty="", reference="x", day=1)
    statement_line_match(line=other, payment=taken, user=accountant)

    suggestions = statement_suggestions(statement=statement, lines=[line])[line.pk]
    assert [p.pk for p in suggestions] == [
        by_reference.pk,
        by_iban.pk,
        by_name.pk,
        near.pk,
        far.pk,
    ]
    assert suggestions[0].suggested_by == ["reference"]
    assert suggestions[1].suggested_by == ["iban"]
    assert suggestions[2].suggested_by == ["name"]
    assert (suggestions[3].suggested_by, suggestions[3].days_apart) == ([], 1)


def test_suggestions_for_a_page_of_lines_take_two_queries(year, clerk, accountant):
    """Suggestions for one line or for thirty cost the same two queries (the ranking and
    the payments), however many payments fit."""
    from accounting.selectors import statement_suggestions

    statement = BankStatement.objects.create(
        bank_account=account("1200"),
        reference="Q",
        date=datetime.date(2026, 3, 31),
        opening_balance=Decimal("0.00"),
        closing_balance=Decimal("0.00"),
        file_format="csv",
        imported_by=accountant,
    )
    for i in range(8):
        posted_payment(
            clerk=clerk,
            approver=accountant,
            direction="out",
            amount="75.00",
            iban=SUPPLIER_IBAN,
            reference=f"QREF-{i}",
            due_date=datetime.date(2026, 3, 1 + i),
        )
    lines = [
        _line(statement, amount="-75.00", counterparty=f"L {i}", reference=f"QREF-{i}")
        for i in range(30)
    ]
    with CaptureQueriesContext(connection) as one:
        few = statement_suggestions(statement=statement, lines=lines[:1])
    with CaptureQueriesContext(connection) as many:
        suggestions = statement_suggestions(statement=statement, lines=lines)
    assert len(one.captured_queries) == len(many.captured_queries) == 2
    assert len(few[lines[0].pk]) == 5
    assert all(len(found) == 5 for found in suggestions.values())
    assert suggestions[lines[3].pk][0].reference == "QREF-3"


def test_the_booking_form_presets_no_counter_account(client, year, clerk, accountant):
    """The accountant chooses the account of every booking: the page preselects none, and
    booking without one is refused with a message, nothing posted."""
    statement = import_file(CSV_FILE, user=accountant)
    charge = statement.lines.get(amount=Decimal("-12.50"))
    client.force_login(accountant)
    page = client.get(reverse("accounting:statement_detail", args=[statement.pk]))
    html = page.content.decode()
    select = html[html.index(f'id="account-{charge.pk}"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>' in select
    assert select.count(" selected") == 1

    entries = JournalEntry.objects.count()
    response = client.post(
        reverse("accounting:statement_line_book", args=[charge.pk]),
        {"account": "", "department": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose the account to book the line against." in response.content.decode()
    charge.refresh_from_db()
    assert charge.status == BankStatementLine.Status.UNMATCHED and charge.entry_id is None
    assert JournalEntry.objects.count() == entries
