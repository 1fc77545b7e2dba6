"""CSV downloads that stream at constant memory, for every app's reports.

``csv_response(rows=..., header=..., filename=..., dialect=...)`` turns an iterable of rows
(a generator over ``QuerySet.values_list(...).iterator()``, say) into a
``StreamingHttpResponse``: rows are written a thousand at a time through ``csv.writer`` into
a small buffer that is emptied after every chunk (the pseudo-buffer of Django's "Streaming
large CSV files", one chunk instead of one row at a time), and sent as UTF-8 while the next
ones are read; nothing holds the whole file.

Dialects:

- ``standard``: comma, decimal point, UTF-8 without BOM (RFC 4180 style).
- ``excel-de``: what Excel in German opens with a double click: semicolon, decimal comma, and a
  UTF-8 byte order mark first (without it Excel reads the file as Windows-1252).

Formula injection: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab,
a carriage return or a line feed as a formula (``=HYPERLINK(...)`` in a memo, ``+cmd|...`` in a
name). Every text cell, the header included, that begins with one of these gets a leading
apostrophe, which makes a spreadsheet show it as text. Numbers are exempt, deliberately:
``Decimal`` and ``int`` values are rendered here, not taken from user input, so their text is
only digits, a sign and a separator; a negative amount stays ``-12.50`` (a number a spreadsheet
can add up), not ``'-12.50`` (text). A *string* that looks like a number (``"-5"``) is still
text from somewhere else and is neutralised. Decimals are written as Python writes them
(``1234.50``; amounts from the database always carry their two places), dates as ISO 8601
(``2026-03-15``), datetimes as ``2026-03-15 14:30:00``, ``None`` as an empty cell, anything else
as its text (neutralised); floats are refused (money is Decimal).

A million-row export goes faster when PostgreSQL writes the CSV itself: ``csv_copy_response(
queryset=..., ...)`` streams ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` from the request's
connection, and Python only passes the bytes on. The queryset's cells are then prepared in SQL
by the same rules: ``CsvText(...)`` for every text cell (the apostrophe, and an empty text as an
empty cell), ``csv_decimal(..., dialect=...)`` for amounts; ints and dates go as they are. The
BOM and the header are written by ``csv_lines`` and the rows end in CRLF as ``csv.writer``'s do,
so both paths give the same bytes for the same rows (tests/backoffice/test_csv_copy.py).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice, repeat
from urllib.parse import quote

from django.db import connections, transaction
from django.db.models import Func, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace
from django.http import StreamingHttpResponse

# The one rule for every CSV and spreadsheet the project writes: our reports (here) and the
# admin's django-import-export exports (backoffice.imports.WholeFileModelResource).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 1000
BOM = "\ufeff"


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal_comma: bool
    bom: bool


DIALECTS: dict[str, Dialect] = {
    "standard": Dialect("standard", delimiter=",", decimal_comma=False, bom=False),
    "excel-de": Dialect("excel-de", delimiter=";", decimal_comma=True, bom=True),
}


def dialect_for(name: str | None) -> Dialect:
    """The dialect called ``name``; anything unknown (or nothing) is ``standard``."""
    return DIALECTS.get(name or "", DIALECTS["standard"])


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_NONE = type(None)
_TEXT = frozenset({str, _NONE})
_DECIMAL = frozenset({Decimal, _NONE})
# csv.writer writes these right itself: an int's digits, a date's ISO form, None as empty.
_AS_IS = frozenset({int, datetime.date, _NONE})


def _cell(value, decimal_comma: bool):
    """One cell of any type, by the rules in the module's docstring."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        raise TypeError("CSV cells take Decimal, not float")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",") if decimal_comma else str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return neutralise(str(value))


def _format_chunk(rows: list[Sequence], decimal_comma: bool) -> Iterable[Sequence]:
    """Rows ready for ``csv.writer``, by the same rules as ``_cell``, a column at a time.

    A million-row export would spend seconds calling Python code for every cell. Instead the
    chunk is turned into columns; a column of only text (or None) is checked for a formula
    trigger in one pass of C-level calls and rewritten only when a cell needs the apostrophe;
    a column of Decimals is rewritten only for the decimal comma; ints, dates and None pass
    through. A column of anything else goes cell by cell through ``_cell``."""
    lengths = set(map(len, rows))
    if len(lengths) != 1 or 0 in lengths:
        return [[_cell(v, decimal_comma) for v in row] for row in rows]
    columns: list[Sequence] = list(zip(*rows, strict=True))
    for i, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds <= _TEXT:
            if any(map(str.startswith, filter(None, column), repeat(FORMULA_TRIGGERS))):
                columns[i] = [neutralise(v) if v else v for v in column]
        elif kinds <= _DECIMAL:
            if decimal_comma:
                columns[i] = [None if v is None else str(v).replace(".", ",") for v in column]
        elif not kinds <= _AS_IS:
            columns[i] = [_cell(v, decimal_comma) for v in column]
    return zip(*columns, strict=True)


def csv_lines(
    *, rows: Iterable[Sequence], header: Sequence, dialect: Dialect | str = "standard"
) -> Iterator[str]:
    """The CSV text in chunks: BOM and header first (so a download starts at once), then the
    rows a thousand at a time. ``csv.writer`` writes each chunk into a small buffer that is
    emptied after every chunk, so memory stays constant whatever the number of rows.

    When the download stops early (the client went away), closing this generator closes
    ``rows`` too, so a database cursor and its transaction end at once."""
    if isinstance(dialect, str):
        dialect = dialect_for(dialect)
    comma = dialect.decimal_comma
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")

    def drain() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_cell(value, comma) for value in header])
    yield (BOM if dialect.bom else "") + drain()
    iterator = iter(rows)
    try:
        while chunk := list(islice(iterator, ROWS_PER_CHUNK)):
            writer.writerows(_format_chunk(chunk, comma))
            yield drain()
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def csv_response(
    *,
    rows: Iterable[Sequence],
    header: Sequence,
    filename: str,
    dialect: Dialect | str = "standard",
) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` under ``header``, saved as ``filename``."""
    if isinstance(dialect, str):
        dialect = dialect_for(dialect)
    return _download(_encoded(csv_lines(rows=rows, header=header, dialect=dialect)), filename)


def _download(chunks: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _content_disposition(filename)
    # A download of current figures: never from a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _encoded(lines: Iterator[str]) -> Iterator[bytes]:
    """UTF-8 bytes of ``lines``; the response closes this when it is closed, and this closes
    ``lines``."""
    try:
        for chunk in lines:
            yield chunk.encode("utf-8")
    finally:
        lines.close()


def _content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    ascii_name = (
        "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
        or "export.csv"
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- Rows that PostgreSQL writes itself -----------------------------------------------------------

# Rows passed on per chunk of a COPY download (about 100 KB of a ledger).
COPY_ROWS_PER_CHUNK = 1000


class CsvText(Func):
    """A text cell prepared in SQL by ``neutralise``'s rule: a leading apostrophe when the text
    begins with a formula trigger; NULL for an empty text, which COPY writes as an empty cell
    (as ``csv.writer`` writes ``""``; COPY would write an empty text as ``""``)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        triggers = ", ".join(f"chr({ord(c)})" for c in FORMULA_TRIGGERS)
        return (
            f"(CASE WHEN left({sql}, 1) IN ({triggers}) THEN '''' || {sql}"
            f" ELSE NULLIF({sql}, '') END)",
            (*params, *params, *params),
        )


def csv_decimal(expression, *, dialect: Dialect):
    """An amount cell prepared in SQL: numeric's text (``1234.50``, as ``str(Decimal)``), with
    the decimal comma when the dialect has one; a number, so never neutralised."""
    if not dialect.decimal_comma:
        return expression
    text = TextField()
    return Replace(Cast(expression, text), Value("."), Value(","), output_field=text)


def csv_copy_response(
    *, queryset: QuerySet, header: Sequence, filename: str, dialect: Dialect | str = "standard"
) -> StreamingHttpResponse:
    """A streamed CSV download of ``queryset`` (a ``values_list`` of cells prepared with
    ``CsvText`` and ``csv_decimal``, or ints and dates), written by PostgreSQL's COPY."""
    if isinstance(dialect, str):
        dialect = dialect_for(dialect)
    return _download(copy_csv_chunks(queryset=queryset, header=header, dialect=dialect), filename)


def copy_csv_chunks(*, queryset: QuerySet, header: Sequence, dialect: Dialect) -> Iterator[bytes]:
    """BOM and header first (from ``csv_lines``, so a download starts at once), then the rows
    as PostgreSQL writes them, a thousand at a time.

    The COPY runs when the body is read, after the view has returned, on the request's
    connection, in a transaction of its own that ends with this generator (also when the client
    goes away: closing the generator cancels the COPY and rolls back). One statement reads one
    snapshot, so a file is consistent even while others post."""
    yield "".join(csv_lines(rows=(), header=header, dialect=dialect)).encode("utf-8")
    using = queryset.db
    connection = connections[using]
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # A single process: with parallel workers PostgreSQL sorts in each worker and merges,
        # so no row leaves before every row is sorted (2 s of a million-line ledger), where one
        # process walks the (date, id) index and sends the first row at once, as a cursor's
        # plan does. Without JIT: compiling the plan delays the first row and gains nothing on
        # these expressions. Dates in ISO 8601 whatever the server's default.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        statement = connection.ops.compose_sql(
            f"COPY ({sql}) TO STDOUT (FORMAT csv, DELIMITER %s)", (*params, dialect.delimiter)
        )
        with cursor.copy(statement) as copy:
            rows: list = []
            # The protocol sends a COPY TO's rows one CopyData message each, ending in LF.
            for row in copy:
                rows.append(row)
                if len(rows) == COPY_ROWS_PER_CHUNK:
                    yield _crlf(rows)
                    rows = []
            if rows:
                yield _crlf(rows)


def _crlf(rows: list) -> bytes:
    """COPY's rows with CRLF line ends, as ``csv.writer`` writes them. Without a quote in the
    chunk no cell holds a line break, so every LF ends a row; otherwise row by row, keeping the
    line breaks inside quoted cells as they are."""
    chunk = b"".join(rows)
    if b'"' not in chunk:
        return chunk.replace(b"\n", b"\r\n")
    return b"\r\n".join(row[:-1] for row in rows) + b"\r\n"
