"""CSV written by PostgreSQL (``COPY ... TO STDOUT``): the same bytes as the Python writer for the
same rows, in both dialects: the BOM and the header, the formula apostrophe (a leading ``=``,
``+``, ``-``, ``@``, tab, CR or LF), quotes, delimiters and line breaks inside cells, NULLs and
empty texts, negative amounts that stay numbers, the decimal comma, dates and ints. And the
COPY streams in chunks inside a transaction that ends with the download."""

import datetime
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Value
from django.test.utils import CaptureQueriesContext

from accounting.models import Budget
from backoffice.csv_export import (
    COPY_ROWS_PER_CHUNK,
    DIALECTS,
    FORMULA_TRIGGERS,
    CsvText,
    csv_copy_response,
    csv_decimal,
    csv_response,
)
from hr.models import Department
from tests.accounting.factories import account, open_year

pytestmark = pytest.mark.django_db

HANDPICKED = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    "\nLF",
    '=HYPERLINK("http://x","y")',
    'Sagt "hallo"',
    '"',
    "Miete, Büro",
    "Miete; Büro",
    "Zeile 1\nZeile 2",
    "Zeile 1\r\nZeile 2",
    "Ende\n",
    " führendes Leerzeichen",
    "'schon Text",
    "\\.",
    "\\",
    "Bürobedarf ß € 😀",
    "x",
    "",
]
# Characters that matter to a CSV writer or to the formula rule, and a few that do not.
ALPHABET = [*FORMULA_TRIGGERS, '"', ",", ";", " ", "'", "\\", ".", "a", "Z", "ü", "€", "0", "9"]
HEADER = ["Nr", "=Code", "Name", "Kostenstelle", "Konto", "Betrag", "Saldo", "Beginn"]


def _fuzz(rnd: random.Random, length: int) -> str:
    return "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, length)))


@pytest.fixture
def rows_in_the_database():
    """A budget per department whose code, name and cost center are each a hand-picked or
    random awkward text; every third budget is on an account (its number a text cell), the
    others on a group (the account a NULL)."""
    year = open_year(2026)
    rnd = random.Random(14)
    names = HANDPICKED + [_fuzz(rnd, 12) for _ in range(200)]
    codes: set[str] = set()
    budgets = []
    for i, name in enumerate(names):
        code = HANDPICKED[i % len(HANDPICKED)][:14] + f"#{i}" if i % 2 else _fuzz(rnd, 14) + f"#{i}"
        codes.add(code)
        department = Department.objects.create(code=code, name=name, cost_center=names[-1 - i][:20])
        on_account = i % 3 == 0
        budgets.append(
            Budget(
                department=department,
                fiscal_year=year,
                account=account("4930") if on_account else None,
                account_group="" if on_account else "49",
                amount=Decimal(rnd.randrange(0, 10**9)).scaleb(-2),
            )
        )
    Budget.objects.bulk_create(budgets)
    assert len(codes) == len(names)
    return len(names)


def _budgets():
    return Budget.objects.order_by("pk").annotate(
        balance=ExpressionWrapper(
            F("amount") - Value(Decimal("5000000.00")),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
    )


def _python_file(dialect) -> bytes:
    rows = _budgets().values_list(
        "pk",
        "department__code",
        "department__name",
        "department__cost_center",
        "account__number",
        "amount",
        "balance",
        "fiscal_year__start",
    )
    response = csv_response(rows=rows, header=HEADER, filename="x.csv", dialect=dialect)
    return b"".join(response.streaming_content)


def _sql_response(dialect):
    queryset = _budgets().values_list(
        "pk",
        CsvText("department__code"),
        CsvText("department__name"),
        CsvText("department__cost_center"),
        CsvText("account__number"),
        csv_decimal("amount", dialect=dialect),
        csv_decimal("balance", dialect=dialect),
        "fiscal_year__start",
    )
    return csv_copy_response(queryset=queryset, header=HEADER, filename="x.csv", dialect=dialect)


@pytest.mark.parametrize("chunk_rows", [COPY_ROWS_PER_CHUNK, 1])
@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())
def test_postgresql_writes_the_same_bytes_as_the_python_writer(
    rows_in_the_database, dialect, chunk_rows, monkeypatch
):
    """Every cell of the SQL path follows the project's rule exactly as the Python writer
    applies it: compared byte for byte over hand-picked and random awkward texts, in one chunk
    and in small chunks (some without a quoted cell, which take the fast line-end path)."""
    monkeypatch.setattr("backoffice.csv_export.COPY_ROWS_PER_CHUNK", chunk_rows)
    expected = _python_file(dialect)
    response = _sql_response(dialect)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    actual = b"".join(response.streaming_content)

    assert actual.split(b"\r\n")[0] == expected.split(b"\r\n")[0]  # BOM and header
    assert actual.splitlines() == expected.splitlines()
    assert actual == expected
    # The comparison is about something: the file has the rows, apostrophes and negatives.
    assert expected.count(b"\r\n") >= rows_in_the_database + 1
    assert b"'=1+1" in expected and b"'+cmd" in expected and b'"\'\nLF"' in expected
    point, delimiter = (b",", b";") if dialect.decimal_comma else (b".", b",")
    negative = rb"-\d+" + re.escape(point) + rb"\d\d" + delimiter + rb"2026-01-01\r\n"
    assert re.search(negative, expected)


def test_an_empty_text_and_a_null_are_both_an_empty_cell_never_quoted():
    """COPY quotes an empty text (``""``) to tell it from NULL; the Python writer writes both
    as nothing, so the SQL path turns an empty text into NULL."""
    year = open_year(2026)
    Budget.objects.create(
        department=Department.objects.create(code="E", name="Leer", cost_center=""),
        fiscal_year=year,
        account_group="49",
        amount=Decimal("1.00"),
    )
    queryset = Budget.objects.values_list(
        CsvText("department__cost_center"), CsvText("account__number"), "amount"
    )
    response = csv_copy_response(queryset=queryset, header=["a", "b", "c"], filename="x")
    body = b"".join(response.streaming_content)
    assert body == b"a,b,c\r\n,,1.00\r\n"


def test_the_copy_streams_in_chunks_inside_one_transaction(rows_in_the_database, monkeypatch):
    """The header goes out before the COPY starts; rows follow in chunks while the COPY's
    transaction is open; it closes with the last chunk. One COPY statement for the rows."""
    monkeypatch.setattr("backoffice.csv_export.COPY_ROWS_PER_CHUNK", 50)
    assert COPY_ROWS_PER_CHUNK > 50
    before = len(connection.savepoint_ids)
    response = _sql_response(DIALECTS["standard"])
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as captured:
        header = next(chunks)
        assert header == ",".join(["Nr", "'=Code", *HEADER[2:]]).encode() + b"\r\n"
        assert len(captured) == 0
        first = next(chunks)
        assert first.count(b"\r\n") >= 50
        assert len(connection.savepoint_ids) == before + 1
        rest = list(chunks)
    assert len(rest) >= 3
    assert len(connection.savepoint_ids) == before
    copies = [q["sql"] for q in captured if q["sql"].startswith("COPY")]
    assert len(copies) == 1
    assert (first + b"".join(rest)).count(b"\r\n") >= rows_in_the_database


def test_a_date_is_iso_whatever_the_sessions_datestyle():
    """The server's DateStyle might be German or SQL style; the file still says 2026-01-01."""
    open_year(2026)
    from accounting.models import FiscalYear

    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle = 'German, DMY'")
    try:
        queryset = FiscalYear.objects.values_list("start")
        body = b"".join(
            csv_copy_response(queryset=queryset, header=["d"], filename="x").streaming_content
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET DateStyle = 'ISO, MDY'")
    assert body == b"d\r\n" + str(datetime.date(2026, 1, 1)).encode() + b"\r\n"
