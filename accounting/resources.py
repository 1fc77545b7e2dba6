"""CSV import and export of accounting records: column mapping only.

Accounts and budgets go through django-import-export (``WholeFileModelResource``: one bad row
and nothing is written). Journal entries span several lines each, so their import reads the file
here, checks every row, and hands balanced ``EntrySpec``s to the posting service in one call.
"""

from __future__ import annotations

import csv
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import fields
from import_export.widgets import DecimalWidget, ForeignKeyWidget

from accounting.models import Account, Budget, FiscalYear, JournalEntry, Period
from accounting.services.ledger import EntrySpec, Line
from backoffice.imports import WholeFileModelResource, csv_reader, parse_date
from backoffice.money import ZERO, round_money
from backoffice.stored_text import format_date
from hr.models import Department

MAX_AMOUNT = Decimal("999999999999.99")  # what a money field (14 digits, 2 places) holds


def parse_amount(value) -> Decimal:
    """``1234.56``, ``1234,56``, ``1.234,56`` or ``1,234.56`` as a Decimal; ValueError if it is
    not a number with at most two decimal places. Never goes through float."""
    text = str(value or "").strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if not text:
        raise ValueError(_("An amount is required."))
    if "," in text and "." in text:
        # The separator that comes last is the decimal one; the other groups thousands.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": value}) from exc
    if not amount.is_finite():
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": value})
    if round_money(amount) != amount:
        raise ValueError(_("“%(value)s” has more than two decimal places.") % {"value": value})
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("“%(value)s” is too large.") % {"value": value})
    return amount


class MoneyWidget(DecimalWidget):
    """Decimal point or decimal comma; a bad value is a field error naming the value."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        return parse_amount(value)


class LookupWidget(ForeignKeyWidget):
    """A foreign key by a natural key; an unknown key is a field error naming the value."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist as exc:
            raise ValueError(
                _("There is no %(model)s “%(value)s”.")
                % {"model": self.model._meta.verbose_name, "value": value}
            ) from exc


class AccountResource(WholeFileModelResource):
    class Meta:
        model = Account
        import_id_fields = ["number"]
        fields = ["number", "name_de", "name_en", "type", "group", "is_bank", "iban", "active"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """An existing bank account's IBAN is what the company pays from: an import does
        not change it (bank_account_details_set does, after payroll's second person)."""
        errors = dict(import_validation_errors or {})
        if instance.pk:
            saved = Account.objects.filter(pk=instance.pk).values_list("is_bank", "iban").first()
            if saved and saved[0] and saved[1] and instance.iban != saved[1]:
                errors["iban"] = [
                    _("The IBAN of the bank account %(number)s does not change by import.")
                    % {"number": instance.number}
                ]
        super().validate_instance(instance, errors, validate_unique)


class BudgetResource(WholeFileModelResource):
    department = fields.Field(
        column_name="department",
        attribute="department",
        widget=LookupWidget(Department, "code"),
    )
    fiscal_year = fields.Field(
        column_name="fiscal_year",
        attribute="fiscal_year",
        widget=LookupWidget(FiscalYear, "year"),
    )
    account = fields.Field(
        column_name="account", attribute="account", widget=LookupWidget(Account, "number")
    )
    amount = fields.Field(column_name="amount", attribute="amount", widget=MoneyWidget())

    class Meta:
        model = Budget
        import_id_fields = ["department", "fiscal_year", "account", "account_group"]
        fields = ["department", "fiscal_year", "account", "account_group", "amount", "policy"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # An unknown department, year or account: a new row, whose field errors then name
            # the column (rather than one error for the whole row).
            return None

    def get_export_queryset(self, request=None):
        return Budget.objects.select_related("department", "fiscal_year", "account")


# --- Journal entries --------------------------------------------------------------------------

ENTRY_COLUMNS = ("entry", "date", "account", "side", "amount", "department", "memo")
ENTRY_REQUIRED = ("entry", "date", "account", "side", "amount")
SIDES = {"D": "D", "C": "C", "S": "D", "H": "C"}  # also Soll / Haben
SOURCE_PREFIX = "import"
MAX_KEY_LENGTH = JournalEntry._meta.get_field("source").max_length - len(SOURCE_PREFIX) - 66


@dataclass
class EntryFile:
    """What an entries file holds once read: the specs to post (when there are no errors),
    or the errors, each naming its row (the header is row 1) and column."""

    digest: str
    specs: list[EntrySpec] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def entries_read(content: bytes) -> EntryFile:
    """Read a CSV of journal lines (comma or semicolon separated, UTF-8) into entries.

    Columns: entry (a key grouping the lines of one entry), date, account (number), side (D/C),
    amount (decimal point or comma), department (code, optional), memo (optional). Every row is
    checked before anything is posted; each entry gets the source
    ``import:<sha256 of the file>:<entry key>`` so the same file posts nothing twice.
    """
    digest = hashlib.sha256(content).hexdigest()
    result = EntryFile(digest=digest)
    errors = result.errors
    try:
        reader = csv_reader(content)
    except ValueError as exc:
        errors.append(str(exc))
        return result
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        errors.append(_("The file is empty."))
        return result
    except csv.Error as exc:
        errors.append(_("Row 1: %(error)s") % {"error": exc})
        return result
    missing = [c for c in ENTRY_REQUIRED if c not in header]
    if missing:
        errors.append(
            _("Row 1: the column(s) %(columns)s are missing; expected %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(ENTRY_COLUMNS)}
        )
        return result
    index = {name: header.index(name) for name in ENTRY_COLUMNS if name in header}

    accounts = {a.number: a for a in Account.objects.only("pk", "number", "active")}
    departments = dict(Department.objects.values_list("code", "pk"))
    periods = {
        (year, month): status
        for year, month, status in Period.objects.values_list(
            "fiscal_year__year", "month", "status"
        )
    }
    groups: OrderedDict[str, dict] = OrderedDict()

    def error(row: int, column: str, message: str) -> None:
        errors.append(
            _("Row %(row)d, column “%(column)s”: %(message)s")
            % {"row": row, "column": column, "message": message}
        )

    row_number = 1
    try:
        for raw in reader:
            row_number += 1
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) < len(header):
                raw = raw + [""] * (len(header) - len(raw))

            def cell(name: str, raw=raw) -> str:
                return raw[index[name]].strip() if name in index else ""

            key = cell("entry")
            if not key:
                error(row_number, "entry", _("An entry key is required."))
            elif len(key) > MAX_KEY_LENGTH:
                error(
                    row_number,
                    "entry",
                    _("The entry key is longer than %(n)d characters.") % {"n": MAX_KEY_LENGTH},
                )
            try:
                date = parse_date(cell("date"))
            except ValueError as exc:
                date = None
                error(row_number, "date", str(exc))
            else:
                status = periods.get((date.year, date.month))
                if status is None:
                    error(
                        row_number,
                        "date",
                        _("There is no fiscal year %(year)s to post into.") % {"year": date.year},
                    )
                elif status == Period.Status.CLOSED:
                    error(
                        row_number,
                        "date",
                        _("The period %(period)s is closed.")
                        % {"period": f"{date.year}-{date.month:02d}"},
                    )
            account = accounts.get(cell("account"))
            if account is None:
                error(
                    row_number,
                    "account",
                    _("There is no account “%(value)s”.") % {"value": cell("account")},
                )
            elif not account.active:
                error(
                    row_number,
                    "account",
                    _("The account %(value)s is inactive.") % {"value": account.number},
                )
            side = SIDES.get(cell("side").upper())
            if side is None:
                error(
                    row_number,
                    "side",
                    _("“%(value)s” is not a side; use D (debit) or C (credit).")
                    % {"value": cell("side")},
                )
            try:
                amount = parse_amount(cell("amount"))
                if amount <= 0:
                    raise ValueError(_("The amount must be greater than zero."))
            except ValueError as exc:
                amount = None
                error(row_number, "amount", str(exc))
            department_id = None
            if cell("department"):
                department_id = departments.get(cell("department"))
                if department_id is None:
                    error(
                        row_number,
                        "department",
                        _("There is no department “%(value)s”.") % {"value": cell("department")},
                    )
            memo = cell("memo")
            if len(memo) > 300:
                error(row_number, "memo", _("The memo is longer than 300 characters."))
            if not key:
                continue
            group = groups.setdefault(key, {"date": date, "row": row_number, "lines": []})
            if date is not None and group["date"] is not None and date != group["date"]:
                error(
                    row_number,
                    "date",
                    _(
                        "Entry “%(key)s” has the date %(first)s in row %(row)d; all its lines "
                        "need the same date."
                    )
                    % {"key": key, "first": format_date(group["date"]), "row": group["row"]},
                )
            if None not in (account, side, amount):
                group["lines"].append(
                    (
                        row_number,
                        Line(
                            account=account.pk,
                            side=side,
                            amount=amount,
                            department=department_id,
                            memo=memo,
                        ),
                    )
                )
    except csv.Error as exc:
        errors.append(_("Row %(row)d: %(error)s") % {"row": row_number, "error": exc})
        return result

    if not groups and not errors:
        errors.append(_("The file has no rows to import."))
    if errors:
        return result
    for key, group in groups.items():
        lines = [line for _row, line in group["lines"]]
        debit = sum((ln.amount for ln in lines if ln.side == "D"), ZERO)
        credit = sum((ln.amount for ln in lines if ln.side == "C"), ZERO)
        if debit != credit or debit == 0:
            rows = ", ".join(str(row) for row, _line in group["lines"])
            errors.append(
                _(
                    "Entry “%(key)s” (rows %(rows)s), column “amount”: debits %(debit)s and "
                    "credits %(credit)s differ."
                )
                % {"key": key, "rows": rows, "debit": debit, "credit": credit}
            )
            continue
        result.specs.append(
            EntrySpec(
                date=group["date"],
                lines=lines,
                memo=next((ln.memo for ln in lines if ln.memo), ""),
                source=f"{SOURCE_PREFIX}:{digest}:{key}",
            )
        )
    if errors:
        result.specs = []
    return result
