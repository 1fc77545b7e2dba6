"""CSV reading of payroll records: column mapping only.

Hours come in through ``hours_file_read`` (the columns below, read cell by cell, every error
naming its row and column; a row with a bad cell is kept, so its other cells are checked too)
and are written by ``payroll.services.hours.hours_import``, which adds the rules a
django-import-export ``ModelResource`` would bypass: paid hours locked, changed approvals reset,
Working Hours Act warnings. The admin exports hours in the same columns through
``backoffice.csv_export`` (the shared export rules).
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from backoffice.imports import csv_reader, parse_date

HOURS_COLUMNS = ("personnel_number", "date", "hours", "start", "end")
HOURS_REQUIRED = ("personnel_number", "date", "hours")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class ImportRow:
    """One row of an hours file, parsed. A cell that could not be read is None (or "" for the
    personnel number) and its column is in ``bad``; the file's errors name it. Such a row is
    still checked for what it holds, so that one pass names every bad cell, and never
    written."""

    row: int
    personnel_number: str
    date: datetime.date | None
    hours: Decimal | None
    start: datetime.time | None = None
    end: datetime.time | None = None
    times: bool = False
    bad: frozenset[str] = frozenset()


def row_error(row: int, column: str | None, message: str) -> tuple[int, int, str]:
    """An error of an hours file as (row, column position, text); the text names the row
    (the header is row 1) and the column. Sorted, these list a file's errors in reading
    order."""
    if column is None:
        return row, -1, _("Row %(row)d: %(message)s") % {"row": row, "message": message}
    position = HOURS_COLUMNS.index(column) if column in HOURS_COLUMNS else len(HOURS_COLUMNS)
    text = _("Row %(row)d, column “%(column)s”: %(message)s") % {
        "row": row,
        "column": column,
        "message": message,
    }
    return row, position, text


@dataclass
class HoursFile:
    # Every row with data, also those with a cell that could not be read (see ImportRow).
    rows: list[ImportRow] = field(default_factory=list)
    # row_error triples; row 0 is the file as a whole.
    errors: list[tuple[int, int, str]] = field(default_factory=list)


def parse_hours(value: str) -> Decimal:
    """``7.5`` or ``7,5`` as a Decimal, never through float; ValueError otherwise."""
    text = (value or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        raise ValueError(_("Hours are required."))
    if "," in text and "." in text:
        raise ValueError(_("“%(value)s” is not a number of hours.") % {"value": value})
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number of hours.") % {"value": value}) from exc
    if not hours.is_finite():
        raise ValueError(_("“%(value)s” is not a number of hours.") % {"value": value})
    return hours


def parse_time(value: str) -> datetime.time | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
        try:
            return datetime.datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a time (HH:MM).") % {"value": value})


def hours_file_read(content: bytes) -> HoursFile:
    """Read an hours CSV: a header row naming the columns (personnel_number, date, hours, and
    optionally start and end), semicolon or comma separated, UTF-8 with or without BOM."""
    result = HoursFile()

    def error(row: int, column: str | None, message: str) -> None:
        result.errors.append(row_error(row, column, message))

    try:
        reader = csv_reader(content)
    except ValueError as exc:
        result.errors.append((0, -1, str(exc)))
        return result
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.errors.append((0, -1, _("The file is empty.")))
        return result
    except csv.Error as exc:
        error(1, None, str(exc))
        return result
    missing = [c for c in HOURS_REQUIRED if c not in header]
    if missing:
        error(
            1,
            None,
            _("the column(s) %(columns)s are missing; expected %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ";".join(HOURS_COLUMNS)},
        )
        return result
    index = {name: header.index(name) for name in HOURS_COLUMNS if name in header}
    with_times = "start" in index or "end" in index

    row_number = 1
    try:
        for raw in reader:
            row_number += 1
            if not any(cell.strip() for cell in raw):
                continue
            if row_number > MAX_ROWS + 1:
                error(row_number, None, _("A file has at most %(n)d rows.") % {"n": MAX_ROWS})
                break
            if len(raw) < len(header):
                raw = raw + [""] * (len(header) - len(raw))

            def cell(name: str, raw=raw) -> str:
                return raw[index[name]].strip() if name in index else ""

            bad = set()
            number = cell("personnel_number")
            if not number:
                error(row_number, "personnel_number", _("A personnel number is required."))
                bad.add("personnel_number")
            values = {}
            for column, parse in (
                ("date", parse_date),
                ("hours", parse_hours),
                ("start", parse_time),
                ("end", parse_time),
            ):
                try:
                    values[column] = parse(cell(column))
                except ValueError as exc:
                    error(row_number, column, str(exc))
                    values[column] = None
                    bad.add(column)
            result.rows.append(
                ImportRow(
                    row=row_number,
                    personnel_number=number,
                    date=values["date"],
                    hours=values["hours"],
                    start=values["start"],
                    end=values["end"],
                    times=with_times,
                    bad=frozenset(bad),
                )
            )
    except csv.Error as exc:
        error(row_number, None, str(exc))
    return result
