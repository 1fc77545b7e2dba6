"""Import rules every app's django-import-export resource follows.

Also the parsing every CSV import shares (encoding, separator, dates).

A file is validated as a whole: one bad row and nothing is written. django-import-export rolls
back on errors but, by default, not on validation errors; this base class makes it do both.
"""

import csv
import datetime
import io

from django.utils.translation import gettext as _
from import_export import resources


class WholeFileModelResource(resources.ModelResource):
    """Validate every row (``full_clean``) and write nothing when any row is invalid."""

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)


def parse_date(value: str) -> datetime.date:
    """``2026-03-31`` or ``31.03.2026``; ValueError with a message naming the value."""
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"value": value})


def csv_reader(content: bytes):
    """A csv.reader over an uploaded file: UTF-8 with or without BOM, separated by semicolons
    (as German Excel writes) or commas, whichever the first line uses more. ValueError with a
    message when the file is not UTF-8 text."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise ValueError(_("The file is not a text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
