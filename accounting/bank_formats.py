"""Parsers for the bank statements German banks deliver: a CSV export and camt.053 XML.

Both parsers take the file's bytes and return a :class:`ParsedStatement` (signed amounts:
positive is money in, negative is money out), or raise ``ValidationError`` naming the row or
entry and the field. No database access happens here.

CSV (semicolon separated, decimal comma, UTF-8 with or without BOM; Windows-1252 is accepted
as well, as older German bank exports use it). A preamble of ``key;value`` rows names the
statement, then a header row starting with ``Buchungstag`` introduces the lines::

    Auszug;2026-03
    Konto;DE89370400440532013000
    Datum;31.03.2026
    Anfangssaldo;1.000,00
    Endsaldo;1.834,50

    Buchungstag;Betrag;Name;IBAN;Verwendungszweck
    02.03.2026;-119,00;Bürobedarf Müller GmbH;DE02120300000000202051;RE-2026-0042
    05.03.2026;953,50;Kunde AG;DE12500105170648489890;Rechnung 2026-17

Preamble keys (German or English, case-insensitive): ``Auszug``/``Statement`` (the statement
reference, required), ``Datum``/``Date`` (statement date, required), ``Anfangssaldo``/
``Opening balance`` and ``Endsaldo``/``Closing balance`` (required), ``Konto``/``IBAN``/
``Account`` (the account's IBAN, optional). Line columns are found by their header name, in
any order: ``Buchungstag`` and ``Betrag`` are required, ``Name``, ``IBAN`` and
``Verwendungszweck`` optional; other columns are ignored. Dates are ``DD.MM.YYYY`` (or ISO
``YYYY-MM-DD``); amounts are ``-1.234,56`` (thousands dots optional, at most two decimals).

camt.053 (ISO 20022 ``BkToCstmrStmt``, any version): exactly one ``Stmt`` per file. Its
``Id`` is the reference; balances ``OPBD`` (or ``PRCD``) and ``CLBD`` give opening and closing
balance, the ``CLBD`` date the statement date. Each ``Ntry`` becomes one line: ``Amt`` signed
by ``CdtDbtInd``, ``BookgDt``, and from the first ``NtryDtls/TxDtls`` the counterparty (the
debtor for credits, the creditor for debits), its IBAN and the unstructured remittance
information ``RmtInf/Ustrd``. Entries with status ``PDNG`` (pending) are left out.
XML is parsed with defusedxml only.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backoffice.money import ZERO

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
MAX_AMOUNT = Decimal("999999999999.99")  # what a money field (14 digits, 2 places) holds

FORMAT_CSV = "csv"
FORMAT_CAMT053 = "camt.053"


@dataclass(frozen=True)
class ParsedLine:
    position: int  # row (CSV) or entry number (camt.053), for messages
    booking_date: datetime.date
    amount: Decimal  # signed: positive is money in
    counterparty: str = ""
    iban: str = ""
    reference: str = ""


@dataclass(frozen=True)
class ParsedStatement:
    file_format: str
    reference: str
    date: datetime.date
    opening_balance: Decimal
    closing_balance: Decimal
    lines: list[ParsedLine] = field(default_factory=list)
    iban: str = ""


def statement_parse(*, content: bytes, filename: str = "") -> ParsedStatement:
    """Parse CSV or camt.053 (chosen by the file name, else by the content) and check that
    the opening balance plus the lines gives the closing balance."""
    if not content or not content.strip():
        raise ValidationError(_("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    name = (filename or "").lower()
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if name.endswith(".xml") or (not name.endswith(".csv") and head == b"<"):
        parsed = camt053_parse(content)
    else:
        parsed = csv_parse(content)
    statement_check_balance(parsed)
    return parsed


def statement_check_balance(parsed: ParsedStatement) -> None:
    total = sum((line.amount for line in parsed.lines), ZERO)
    if parsed.opening_balance + total != parsed.closing_balance:
        raise ValidationError(
            _(
                "The statement does not add up: opening balance %(opening)s plus the lines "
                "%(total)s gives %(expected)s, but the closing balance is %(closing)s."
            )
            % {
                "opening": parsed.opening_balance,
                "total": total,
                "expected": parsed.opening_balance + total,
                "closing": parsed.closing_balance,
            }
        )


# --- CSV -------------------------------------------------------------------------------------

_PREAMBLE_KEYS = {
    "auszug": "reference",
    "kontoauszug": "reference",
    "statement": "reference",
    "datum": "date",
    "date": "date",
    "anfangssaldo": "opening",
    "opening balance": "opening",
    "endsaldo": "closing",
    "closing balance": "closing",
    "konto": "iban",
    "iban": "iban",
    "account": "iban",
}
_PREAMBLE_LABELS = {
    "reference": "Auszug",
    "date": "Datum",
    "opening": "Anfangssaldo",
    "closing": "Endsaldo",
    "iban": "Konto",
}
_COLUMNS = {
    "buchungstag": "booking_date",
    "betrag": "amount",
    "name": "counterparty",
    "iban": "iban",
    "verwendungszweck": "reference",
}
_GERMAN_AMOUNT = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="strict")


def _german_amount(value: str, *, where: str, field_name: str) -> Decimal:
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if not _GERMAN_AMOUNT.match(text):
        raise ValidationError(
            _("%(where)s, field %(field)s: “%(value)s” is not an amount like -1.234,56.")
            % {"where": where, "field": field_name, "value": value[:40]}
        )
    amount = Decimal(text.replace(".", "").replace(",", ".")).quantize(Decimal("0.01"))
    return _bounded(amount, where=where, field_name=field_name)


def _bounded(amount: Decimal, *, where: str, field_name: str) -> Decimal:
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(
            _("%(where)s, field %(field)s: the amount is too large.")
            % {"where": where, "field": field_name}
        )
    return amount


def _date(value: str, *, where: str, field_name: str) -> datetime.date:
    text = value.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _("%(where)s, field %(field)s: “%(value)s” is not a date like 31.03.2026.")
        % {"where": where, "field": field_name, "value": value[:40]}
    )


def csv_parse(content: bytes) -> ParsedStatement:
    try:
        text = _decode(content)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is neither UTF-8 nor Windows-1252 text.")) from exc
    if "\x00" in text:
        raise ValidationError(_("The file is not a text file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    meta: dict[str, str] = {}
    columns: dict[str, int] | None = None
    lines: list[ParsedLine] = []
    try:
        for row in reader:
            number = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if columns is None:
                if cells[0].lower() == "buchungstag":
                    columns = _csv_columns(cells, number)
                    continue
                key = _PREAMBLE_KEYS.get(cells[0].lower().rstrip(":"))
                if key is None:
                    raise ValidationError(
                        _(
                            "Row %(row)d: “%(value)s” is neither a known statement field "
                            "(Auszug, Datum, Anfangssaldo, Endsaldo, Konto) nor the header "
                            "row starting with Buchungstag."
                        )
                        % {"row": number, "value": cells[0][:40]}
                    )
                meta[key] = cells[1] if len(cells) > 1 else ""
                continue
            if len(lines) >= MAX_LINES:
                raise ValidationError(
                    _("The file has more than %(max)d lines.") % {"max": MAX_LINES}
                )
            lines.append(_csv_line(cells, columns, number))
    except csv.Error as exc:
        raise ValidationError(
            _("Row %(row)d: the CSV is malformed (%(error)s).")
            % {"row": reader.line_num, "error": exc}
        ) from exc
    if columns is None:
        raise ValidationError(
            _("The file has no header row starting with Buchungstag;Betrag (see the format).")
        )
    for key in ("reference", "date", "opening", "closing"):
        if not meta.get(key):
            raise ValidationError(
                _("The statement field %(field)s is missing or empty.")
                % {"field": _PREAMBLE_LABELS[key]}
            )
    where = _("Statement header")
    return ParsedStatement(
        file_format=FORMAT_CSV,
        reference=meta["reference"][:100],
        date=_date(meta["date"], where=where, field_name="Datum"),
        opening_balance=_german_amount(meta["opening"], where=where, field_name="Anfangssaldo"),
        closing_balance=_german_amount(meta["closing"], where=where, field_name="Endsaldo"),
        lines=lines,
        iban=_compact_iban(meta.get("iban", "")),
    )


def _csv_columns(cells: list[str], number: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(cells):
        key = _COLUMNS.get(name.lower())
        if key is not None and key not in columns:
            columns[key] = index
    for key, label in (("booking_date", "Buchungstag"), ("amount", "Betrag")):
        if key not in columns:
            raise ValidationError(
                _("Row %(row)d: the header has no column %(column)s.")
                % {"row": number, "column": label}
            )
    return columns


def _csv_line(cells: list[str], columns: dict[str, int], number: int) -> ParsedLine:
    where = _("Row %(row)d") % {"row": number}

    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    if not cell("booking_date"):
        raise ValidationError(
            _("%(where)s, field %(field)s: required.") % {"where": where, "field": "Buchungstag"}
        )
    if not cell("amount"):
        raise ValidationError(
            _("%(where)s, field %(field)s: required.") % {"where": where, "field": "Betrag"}
        )
    amount = _german_amount(cell("amount"), where=where, field_name="Betrag")
    if amount == 0:
        raise ValidationError(
            _("%(where)s, field %(field)s: the amount must not be zero.")
            % {"where": where, "field": "Betrag"}
        )
    return ParsedLine(
        position=number,
        booking_date=_date(cell("booking_date"), where=where, field_name="Buchungstag"),
        amount=amount,
        counterparty=cell("counterparty")[:200],
        iban=_compact_iban(cell("iban")),
        reference=cell("reference")[:300],
    )


def _compact_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()[:34]


# --- camt.053 --------------------------------------------------------------------------------

_XML_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _find(element, path: str):
    """The first element along a path of local names (namespaces ignored), or None."""
    current = element
    for name in path.split("/"):
        if current is None:
            return None
        found = _children(current, name)
        current = found[0] if found else None
    return current


def _text(element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _xml_amount(element, *, where: str) -> Decimal:
    amount = _find(element, "Amt")
    text = (amount.text or "").strip() if amount is not None else ""
    if not _XML_AMOUNT.match(text):
        raise ValidationError(
            _("%(where)s, field %(field)s: “%(value)s” is not an amount like 1234.56.")
            % {"where": where, "field": "Amt", "value": text[:40]}
        )
    currency = amount.get("Ccy", "EUR")
    if currency != "EUR":
        raise ValidationError(
            _("%(where)s, field %(field)s: the currency %(currency)s is not EUR.")
            % {"where": where, "field": "Amt/@Ccy", "currency": currency[:5]}
        )
    indicator = _text(element, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise ValidationError(
            _("%(where)s, field %(field)s: must be CRDT or DBIT, not “%(value)s”.")
            % {"where": where, "field": "CdtDbtInd", "value": indicator[:10]}
        )
    value = _bounded(Decimal(text).quantize(Decimal("0.01")), where=where, field_name="Amt")
    return value if indicator == "CRDT" else -value


def _xml_date(element, path: str, *, where: str) -> datetime.date:
    text = _text(element, f"{path}/Dt") or _text(element, f"{path}/DtTm")[:10]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            _("%(where)s, field %(field)s: “%(value)s” is not a date like 2026-03-31.")
            % {"where": where, "field": path, "value": text[:40]}
        ) from exc


def camt053_parse(content: bytes) -> ParsedStatement:
    try:
        root = SafeET.fromstring(content)
    except DefusedXmlException as exc:
        raise ValidationError(
            _("The XML uses entities or a DTD, which are not allowed in bank statements.")
        ) from exc
    except SafeET.ParseError as exc:
        raise ValidationError(
            _("The file is not well-formed XML (%(error)s).") % {"error": exc}
        ) from exc
    report = root if _local(root.tag) == "BkToCstmrStmt" else _find(root, "BkToCstmrStmt")
    if report is None:
        raise ValidationError(
            _("The XML is not a camt.053 statement (no Document/BkToCstmrStmt element).")
        )
    statements = _children(report, "Stmt")
    if len(statements) != 1:
        raise ValidationError(
            _("The file holds %(count)d statements (Stmt); import files with exactly one.")
            % {"count": len(statements)}
        )
    stmt = statements[0]
    reference = _text(stmt, "Id")
    if not reference:
        raise ValidationError(_("Statement, field %(field)s: required.") % {"field": "Stmt/Id"})

    opening = closing = None
    statement_date = None
    for number, balance in enumerate(_children(stmt, "Bal"), start=1):
        code = _text(balance, "Tp/CdOrPrtry/Cd")
        where = _("Balance %(n)d (%(code)s)") % {"n": number, "code": code or "?"}
        if code in ("OPBD", "PRCD") and opening is None:
            opening = _xml_amount(balance, where=where)
        elif code == "CLBD":
            closing = _xml_amount(balance, where=where)
            statement_date = _xml_date(balance, "Dt", where=where)
    if opening is None:
        raise ValidationError(_("The statement has no opening balance (Bal with Cd OPBD)."))
    if closing is None:
        raise ValidationError(_("The statement has no closing balance (Bal with Cd CLBD)."))

    lines: list[ParsedLine] = []
    for number, entry in enumerate(_children(stmt, "Ntry"), start=1):
        if number > MAX_LINES:
            raise ValidationError(_("The file has more than %(max)d lines.") % {"max": MAX_LINES})
        if _text(entry, "Sts") == "PDNG" or _text(entry, "Sts/Cd") == "PDNG":
            continue
        where = _("Entry %(n)d (Ntry)") % {"n": number}
        amount = _xml_amount(entry, where=where)
        if amount == 0:
            raise ValidationError(
                _("%(where)s, field %(field)s: the amount must not be zero.")
                % {"where": where, "field": "Amt"}
            )
        lines.append(
            ParsedLine(
                position=number,
                booking_date=_xml_date(entry, "BookgDt", where=where),
                amount=amount,
                **_camt_details(entry, incoming=amount > 0),
            )
        )
    return ParsedStatement(
        file_format=FORMAT_CAMT053,
        reference=reference[:100],
        date=statement_date,
        opening_balance=opening,
        closing_balance=closing,
        lines=lines,
        iban=_compact_iban(_text(stmt, "Acct/Id/IBAN")),
    )


def _camt_details(entry, *, incoming: bool) -> dict[str, str]:
    tx = _find(entry, "NtryDtls/TxDtls")
    if tx is None:
        return {"reference": _text(entry, "AddtlNtryInf")[:300]}
    party, account = ("Dbtr", "DbtrAcct") if incoming else ("Cdtr", "CdtrAcct")
    parties = _find(tx, "RltdPties")
    name = iban = ""
    if parties is not None:
        # camt.053.001.02 has Dbtr/Nm; later versions wrap it: Dbtr/Pty/Nm.
        name = _text(parties, f"{party}/Nm") or _text(parties, f"{party}/Pty/Nm")
        iban = _text(parties, f"{account}/Id/IBAN")
    remittance = _find(tx, "RmtInf")
    ustrd = _children(remittance, "Ustrd") if remittance is not None else []
    parts = [(u.text or "").strip() for u in ustrd]
    end_to_end = _text(tx, "Refs/EndToEndId")
    if end_to_end and end_to_end != "NOTPROVIDED" and end_to_end not in parts:
        parts.append(end_to_end)
    reference = " ".join(p for p in parts if p) or _text(entry, "AddtlNtryInf")
    return {
        "counterparty": name[:200],
        "iban": _compact_iban(iban),
        "reference": reference[:300],
    }
