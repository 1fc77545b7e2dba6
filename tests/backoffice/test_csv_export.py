"""The shared CSV download helper: dialects, formula injection, streaming, file name."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse

from backoffice.csv_export import csv_lines, csv_response, neutralise


def _read(response, *, delimiter=","):
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=delimiter))


def test_standard_dialect_is_comma_decimal_point_utf8_without_bom():
    """The standard file: commas, decimal points, UTF-8 umlauts, no BOM, CRLF line ends."""
    response = csv_response(
        rows=[("4930", "Bürobedarf", Decimal("1234.50"), 3, datetime.date(2026, 3, 15), None)],
        header=["Konto", "Name", "Betrag", "Anzahl", "Datum", "Leer"],
        filename="x.csv",
    )
    body, rows = _read(response)
    assert not body.startswith("\ufeff")
    assert body.split("\r\n")[0] == "Konto,Name,Betrag,Anzahl,Datum,Leer"
    assert rows[1] == ["4930", "Bürobedarf", "1234.50", "3", "2026-03-15", ""]
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_excel_de_dialect_has_bom_semicolons_and_decimal_comma():
    """Excel in German: the UTF-8 BOM first, semicolons, and a decimal comma in amounts; a
    comma or semicolon inside text is quoted, not a column break."""
    response = csv_response(
        rows=[("Miete; Büro", Decimal("-1234.50"), Decimal("0.05"))],
        header=["Text", "Betrag", "Klein"],
        filename="x.csv",
        dialect="excel-de",
    )
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8").removeprefix("\ufeff")
    assert text.split("\r\n")[1] == '"Miete; Büro";-1234,50;0,05'
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [["Text", "Betrag", "Klein"], ["Miete; Büro", "-1234,50", "0,05"]]


@pytest.mark.parametrize(
    "dangerous", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx"]
)
def test_formula_injection_is_neutralised_in_cells_and_headers(dangerous):
    """A text cell, header included, that a spreadsheet would run as a formula gets a leading
    apostrophe; the rest of the text is kept."""
    response = csv_response(rows=[(dangerous, "harmlos")], header=[dangerous, "ok"], filename="x")
    _body, rows = _read(response)
    assert rows[0] == ["'" + dangerous, "ok"]
    assert rows[1] == ["'" + dangerous, "harmlos"]


def test_numbers_stay_numbers_but_number_like_text_is_neutralised():
    """Decimals and ints are rendered by the helper, so a negative amount stays a number a
    spreadsheet can add up; the same characters as text from elsewhere are neutralised."""
    lines = "".join(csv_lines(rows=[(Decimal("-12.50"), -3, "-12.50")], header=["a", "b", "c"]))
    assert lines.split("\r\n")[1] == "-12.50,-3,'-12.50"
    assert neutralise("=A1") == "'=A1"
    assert neutralise("") == ""
    assert neutralise("Bürobedarf") == "Bürobedarf"


def test_every_cell_follows_the_rules_whatever_mix_of_types_a_column_holds():
    """The column-at-a-time fast paths give the same cells as the rules: one dangerous text
    among many in a column, text mixed with numbers and dates, rows of different lengths,
    datetimes, booleans and lazy translations."""
    from django.utils.translation import gettext_lazy

    rows = [("Miete", Decimal("1.50"), 1, datetime.date(2026, 1, 2))] * 1500
    rows[1200] = ("=cmd", None, 2, datetime.datetime(2026, 1, 2, 14, 30))
    rows[1300] = (-5, "-5", True, None)
    rows.append(("short",))
    text = "".join(csv_lines(rows=rows, header=[gettext_lazy("Date")], dialect="excel-de"))
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[0] == "Date"
    assert lines[1] == "Miete;1,50;1;2026-01-02"
    assert lines[1201] == "'=cmd;;2;2026-01-02 14:30:00"
    assert lines[1301] == "-5;'-5;1;"
    assert lines[1501] == "short"
    assert sum(1 for line in lines if line.startswith("'")) == 1


def test_float_is_refused():
    """Money is Decimal: a float cell is a programming error, not a rounded number."""
    with pytest.raises(TypeError):
        "".join(csv_lines(rows=[(1.5,)], header=["x"]))


def test_rows_are_read_lazily_and_sent_in_chunks():
    """The response streams: nothing is read from the rows until the body is consumed, the
    header comes first on its own, and rows go out in bounded chunks."""
    consumed = []

    def rows():
        for i in range(2500):
            consumed.append(i)
            yield (i, f"Zeile {i}")

    response = csv_response(rows=rows(), header=["n", "text"], filename="x.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert consumed == []
    chunks = iter(response.streaming_content)
    assert next(chunks) == b"n,text\r\n"
    assert consumed == []
    rest = list(chunks)
    assert len(rest) == 3  # 1000 + 1000 + 500 rows
    assert len(consumed) == 2500
    assert b"".join(rest).count(b"\r\n") == 2500


def test_filename_goes_to_content_disposition_with_a_safe_ascii_fallback():
    """The download is saved under the given name; a non-ASCII name has an ASCII fallback and
    its UTF-8 form, and quotes cannot break out of the header."""
    response = csv_response(rows=[], header=["a"], filename='Hauptbuch März "2026".csv')
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Hauptbuch_M_rz__2026_.csv"')
    assert "filename*=UTF-8''Hauptbuch%20M%C3%A4rz%20%222026%22.csv" in disposition


def test_unknown_dialect_falls_back_to_standard():
    """A made-up ?dialect= value gives the standard file, not an error."""
    lines = "".join(csv_lines(rows=[(Decimal("1.50"),)], header=["x"], dialect="nonsense"))
    assert lines == "x\r\n1.50\r\n"


def test_closing_the_response_closes_the_rows():
    """A client that goes away mid-download: closing the response closes the row source at
    once (a database cursor, a transaction), not whenever garbage is collected."""
    closed = []

    def rows():
        try:
            for i in range(5000):
                yield (i,)
        finally:
            closed.append(True)

    response = csv_response(rows=rows(), header=["n"], filename="x.csv")
    chunks = iter(response.streaming_content)
    next(chunks)
    next(chunks)
    assert closed == []
    _close_as_the_server_would(response)
    assert closed == [True]


def _close_as_the_server_would(response):
    """What the WSGI server does when a client goes away mid-download: close the response.
    Its request_finished signal would close the test's database connection (still in the
    test's transaction); the test client avoids that for streams read to the end, this does
    it for a stream closed early."""
    from unittest import mock

    from django.db import connection

    with mock.patch.object(connection, "close_if_unusable_or_obsolete"):
        response.close()
