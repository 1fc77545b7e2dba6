"""Reads behind the accountants' reports and the budget dashboard.

Each report has a page reader (bounded, keyset-paginated where the rows are many) and a row
generator for its CSV. Query counts never depend on the number of ledger lines: sums come from
the running balances (``LedgerBalance``), lists are read a page at a time, and CSV rows stream
from a server-side cursor as plain tuples (``values_list``), joined in SQL, without model
instances.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounting import selectors
from accounting.models import (
    Account,
    Finding,
    FiscalYear,
    JournalLine,
    LedgerBalance,
    Payment,
)
from accounting.services import BudgetStatus, budget_statuses
from backoffice.csv_export import CsvText, Dialect, csv_decimal
from backoffice.money import ZERO
from backoffice.stored_text import render_stored
from hr.models import Department
from hr.selectors import departments_headed_by

# Rows fetched per round trip when a CSV streams from a server-side cursor.
CSV_CHUNK_SIZE = 5000
WARN_PERCENT = 80
OVER_PERCENT = 100


def local_time(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware datetime as the office's wall-clock time to the second, for CSV cells."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _german() -> bool:
    return (translation.get_language() or "de").startswith("de")


def account_name_field() -> str:
    return "name_de" if _german() else "name_en"


def stream(queryset: QuerySet) -> Iterator[tuple]:
    """Rows of a ``values_list`` queryset from a server-side cursor, inside a transaction.

    Outside a transaction Django declares the cursor ``WITH HOLD``, and PostgreSQL then
    computes and stores the whole result before the first row comes back; inside one, rows
    arrive as they are produced, so a million-line download starts at once. The transaction is
    read-only work and ends with the generator (also when the client goes away)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A download reads every row: plan for all of them, not for the first 10 % (a
            # filtered export then sorts a few matches instead of walking the date index).
            # Without JIT: compiling the plan delays the first row by a tenth of a second and
            # gains nothing on these simple expressions.
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL jit = off")
        yield from queryset.iterator(chunk_size=CSV_CHUNK_SIZE)


# --- Trial balance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialBalanceRow:
    number: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance_debit(self) -> Decimal:
        return max(self.debit - self.credit, ZERO)

    @property
    def balance_credit(self) -> Decimal:
        return max(self.credit - self.debit, ZERO)


@dataclass(frozen=True)
class TrialBalance:
    rows: list[TrialBalanceRow]
    debit: Decimal
    credit: Decimal
    balance_debit: Decimal
    balance_credit: Decimal

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit and self.balance_debit == self.balance_credit


TRIAL_BALANCE_HEADER = (
    _("Account"),
    _("Account name"),
    _("Type"),
    _("Debit"),
    _("Credit"),
    _("Balance debit"),
    _("Balance credit"),
)


def trial_balance_report(*, fiscal_year: FiscalYear, month_to: int = 12) -> TrialBalance:
    """Totals per account for the year up to ``month_to``, from the running balances (one
    query), with column totals: debits equal credits when the books balance."""
    names = dict(Account.Type.choices)
    name_key = f"account__{account_name_field()}"
    rows = [
        TrialBalanceRow(
            number=r["account__number"],
            name=r[name_key],
            type=str(names.get(r["account__type"], r["account__type"])),
            debit=r["debit"] or ZERO,
            credit=r["credit"] or ZERO,
        )
        for r in selectors.trial_balance(fiscal_year=fiscal_year, month_to=month_to)
    ]
    return TrialBalance(
        rows=rows,
        debit=sum((r.debit for r in rows), ZERO),
        credit=sum((r.credit for r in rows), ZERO),
        balance_debit=sum((r.balance_debit for r in rows), ZERO),
        balance_credit=sum((r.balance_credit for r in rows), ZERO),
    )


def trial_balance_csv_rows(report: TrialBalance) -> Iterator[tuple]:
    for r in report.rows:
        yield (r.number, r.name, r.type, r.debit, r.credit, r.balance_debit, r.balance_credit)
    yield ("", _("Total"), "", report.debit, report.credit, report.balance_debit,
           report.balance_credit)  # fmt: skip


# --- General ledger ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    fiscal_year: FiscalYear
    month: int | None = None
    account: Account | None = None
    department: Department | None = None

    @property
    def date_from(self) -> datetime.date:
        if self.month:
            return datetime.date(self.fiscal_year.year, self.month, 1)
        return self.fiscal_year.start

    @property
    def date_to(self) -> datetime.date:
        if self.month:
            year = self.fiscal_year.year
            return datetime.date(year, self.month, calendar.monthrange(year, self.month)[1])
        return self.fiscal_year.end


GENERAL_LEDGER_HEADER = (
    _("Date"),
    _("Entry"),
    _("Account"),
    _("Account name"),
    _("Cost center"),
    _("Cost center name"),
    _("Debit"),
    _("Credit"),
    _("Memo"),
)
# The columns of GENERAL_LEDGER_HEADER, in order, as values_list() arguments.
_GENERAL_LEDGER_COLUMNS = (
    "date",
    "entry__number",
    "account__number",
    "account_name",
    "department__code",
    "department__name",
    "debit",
    "credit",
    "text",
)


class _DecimalCase(Case):
    """A CASE over a numeric column. psycopg already returns ``Decimal`` for numeric; Django
    would wrap every value in ``Decimal(...)`` again, which costs about a second per million
    rows of a CSV export."""

    @cached_property
    def convert_value(self):
        return self._convert_value_noop


def _general_ledger_lines(ledger_filter: LedgerFilter) -> QuerySet[JournalLine]:
    """The lines matching the filter, ordered by date and id, with the joined columns of the
    report computed in SQL (debit and credit split, the line's memo or else the entry's)."""
    qs = JournalLine.objects.filter(
        fiscal_year=ledger_filter.fiscal_year,
        date__gte=ledger_filter.date_from,
        date__lte=ledger_filter.date_to,
    )
    if ledger_filter.account is not None:
        qs = qs.filter(account=ledger_filter.account)
    if ledger_filter.department is not None:
        qs = qs.filter(department=ledger_filter.department)
    return qs.annotate(
        account_name=F(f"account__{account_name_field()}"),
        debit=_DecimalCase(When(side=JournalLine.Side.DEBIT, then=F("amount"))),
        credit=_DecimalCase(When(side=JournalLine.Side.CREDIT, then=F("amount"))),
        text=Coalesce(NullIf(F("memo"), Value("")), F("entry__memo")),
    ).order_by("date", "id")


def general_ledger_page(
    *, ledger_filter: LedgerFilter, after: tuple[datetime.date, int] | None, limit: int
) -> tuple[list[dict], tuple[datetime.date, int] | None]:
    """One page of lines after the keyset ``after`` = (date, id), and the keyset of the next
    page (None on the last). One query at any ledger size and any page depth."""
    qs = _general_ledger_lines(ledger_filter)
    if after is not None:
        after_date, after_id = after
        qs = qs.filter(Q(date__gt=after_date) | Q(date=after_date, id__gt=after_id))
    rows = list(qs.values("id", *_GENERAL_LEDGER_COLUMNS)[: limit + 1])
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], (last["date"], last["id"])
    return rows, None


def general_ledger_totals(*, ledger_filter: LedgerFilter) -> tuple[Decimal, Decimal]:
    """Debit and credit of all matching lines, from the running balances (one query)."""
    qs = LedgerBalance.objects.filter(fiscal_year=ledger_filter.fiscal_year)
    if ledger_filter.month:
        qs = qs.filter(month=ledger_filter.month)
    if ledger_filter.account is not None:
        qs = qs.filter(account=ledger_filter.account)
    if ledger_filter.department is not None:
        qs = qs.filter(department=ledger_filter.department)
    sums = qs.aggregate(d=Sum("debit"), c=Sum("credit"))
    return sums["d"] or ZERO, sums["c"] or ZERO


def general_ledger_csv(*, ledger_filter: LedgerFilter, dialect: Dialect) -> QuerySet:
    """Every matching line in GENERAL_LEDGER_HEADER's order, as cells PostgreSQL writes itself
    (``backoffice.csv_export.csv_copy_response``): text neutralised in SQL, amounts with the
    dialect's decimal separator, the entry number and the date as they are. A million lines
    stream at PostgreSQL's pace, with no Python work per cell."""
    return _general_ledger_lines(ledger_filter).values_list(
        "date",
        "entry__number",
        CsvText("account__number"),
        CsvText("account_name"),
        CsvText("department__code"),
        CsvText("department__name"),
        csv_decimal("debit", dialect=dialect),
        csv_decimal("credit", dialect=dialect),
        CsvText("text"),
    )


# --- Budgets -----------------------------------------------------------------------------------


def budget_scope(*, user) -> set[int] | None:
    """The departments whose budgets ``user`` may see: None for all (accountants, auditors,
    anyone who reads the ledger), else the departments they head (department heads, whose
    only accounting permission is accounting.view_budget). Call only for users who have
    accounting.view_budget."""
    if user.has_perm("accounting.view_ledgerbalance"):
        return None
    return set(departments_headed_by(user=user).values_list("pk", flat=True))


def budget_level(percent: int) -> str:
    """ "over" at 100 % and more, "warn" from 80 %, else ""."""
    if percent >= OVER_PERCENT:
        return "over"
    if percent >= WARN_PERCENT:
        return "warn"
    return ""


@dataclass(frozen=True)
class DepartmentBudget:
    """A department's budgets of a year added up, for the dashboard's chart."""

    code: str
    name: str
    budget: Decimal
    actual: Decimal
    committed: Decimal

    @property
    def used(self) -> Decimal:
        return self.actual + self.committed

    @property
    def percent(self) -> int:
        if self.budget <= 0:
            return 100 if self.used > 0 else 0
        return int(self.used * 100 / self.budget)


def budget_dashboard(
    *, fiscal_year: FiscalYear, department_ids: set[int] | None
) -> tuple[list[BudgetStatus], list[DepartmentBudget]]:
    """The budgets of a year within the scope, and their sums per department. The queries of
    ``budget_statuses``, whatever the number of ledger lines."""
    if department_ids is not None and not department_ids:
        return [], []
    statuses = budget_statuses(fiscal_year=fiscal_year, department_ids=department_ids)
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    departments: dict[int, Department] = {}
    for status in statuses:
        department = status.budget.department
        departments[department.pk] = department
        totals = sums[department.pk]
        totals[0] += status.budget.amount
        totals[1] += status.actual
        totals[2] += status.committed
    per_department = [
        DepartmentBudget(
            code=departments[pk].code,
            name=departments[pk].name,
            budget=budget,
            actual=actual,
            committed=committed,
        )
        for pk, (budget, actual, committed) in sums.items()
    ]
    per_department.sort(key=lambda d: d.code)
    return statuses, per_department


def budget_target(status: BudgetStatus) -> str:
    """What a budget covers: ``4930 Bürobedarf`` or the account group ``49*``."""
    budget = status.budget
    if budget.account_id:
        return f"{budget.account.number} {getattr(budget.account, account_name_field())}"
    return f"{budget.account_group}*"


BUDGET_VS_ACTUAL_HEADER = (
    _("Department"),
    _("Department name"),
    _("Account or group"),
    _("Budget"),
    _("Actual"),
    _("Committed"),
    _("Remaining"),
    _("Used (%)"),
    _("When exceeded"),
)


def budget_vs_actual_csv_rows(statuses: Sequence[BudgetStatus]) -> Iterator[tuple]:
    for s in statuses:
        yield (
            s.budget.department.code,
            s.budget.department.name,
            budget_target(s),
            s.budget.amount,
            s.actual,
            s.committed,
            s.remaining,
            s.percent,
            str(s.budget.get_policy_display()),
        )


# --- Payments register -------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFilter:
    status: str = ""
    direction: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


PAYMENTS_HEADER = (
    _("Due date"),
    _("Direction"),
    _("Status"),
    _("Counterparty"),
    _("IBAN"),
    _("Amount"),
    _("Reference"),
    _("Bank account"),
    _("Counter account"),
    _("Cost center"),
    _("Created by"),
    _("Approved by"),
    _("Approved at"),
    _("Entry"),
)
_PAYMENT_COLUMNS = (
    "due_date",
    "direction",
    "status",
    "counterparty",
    "iban",
    "amount",
    "reference",
    "bank_account__number",
    "counter_account__number",
    "department__code",
    "created_by__username",
    "approved_by__username",
    "approved_at",
    "entry_label",
)


def _payments(payment_filter: PaymentFilter) -> QuerySet[Payment]:
    qs = Payment.objects.all()
    if payment_filter.status:
        qs = qs.filter(status=payment_filter.status)
    if payment_filter.direction:
        qs = qs.filter(direction=payment_filter.direction)
    if payment_filter.date_from:
        qs = qs.filter(due_date__gte=payment_filter.date_from)
    if payment_filter.date_to:
        qs = qs.filter(due_date__lte=payment_filter.date_to)
    return qs.annotate(
        entry_label=Case(
            When(
                entry__isnull=False,
                then=Concat(
                    Cast("entry__fiscal_year__year", CharField()),
                    Value("/"),
                    Cast("entry__number", CharField()),
                ),
            ),
            default=Value(""),
        )
    ).order_by("due_date", "id")


def payments_page(
    *, payment_filter: PaymentFilter, after: tuple[datetime.date, int] | None, limit: int
) -> tuple[list[dict], tuple[datetime.date, int] | None]:
    """One page of the register in due-date order after the keyset (due date, id)."""
    qs = _payments(payment_filter)
    if after is not None:
        after_date, after_id = after
        qs = qs.filter(Q(due_date__gt=after_date) | Q(due_date=after_date, id__gt=after_id))
    rows = list(qs.values("id", *_PAYMENT_COLUMNS)[: limit + 1])
    directions = dict(Payment.Direction.choices)
    statuses = dict(Payment.Status.choices)
    for row in rows:
        row["direction_label"] = directions.get(row["direction"], row["direction"])
        row["status_label"] = statuses.get(row["status"], row["status"])
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], (last["due_date"], last["id"])
    return rows, None


def payments_csv_rows(*, payment_filter: PaymentFilter) -> Iterator[tuple]:
    directions = {k: str(v) for k, v in Payment.Direction.choices}
    statuses = {k: str(v) for k, v in Payment.Status.choices}
    for row in stream(_payments(payment_filter).values_list(*_PAYMENT_COLUMNS)):
        yield (
            row[0],
            directions.get(row[1], row[1]),
            statuses.get(row[2], row[2]),
            *row[3:12],
            local_time(row[12]),
            row[13],
        )


# --- Open findings -----------------------------------------------------------------------------

FINDINGS_HEADER = (
    _("Found at"),
    _("Check"),
    _("Severity"),
    _("Status"),
    _("Finding"),
    _("Evidence"),
)
_FINDING_COLUMNS = (
    "created_at",
    "check_code",
    "severity",
    "status",
    "title",
    "title_source",
    "evidence_url",
)
UNRESOLVED = (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED)


def _open_findings() -> QuerySet[Finding]:
    """Findings not yet resolved (open or acknowledged), newest first."""
    return Finding.objects.filter(status__in=UNRESOLVED).order_by("-id")


def findings_page(*, before: int | None, limit: int) -> tuple[list[dict], int | None]:
    qs = _open_findings()
    if before is not None:
        qs = qs.filter(id__lt=before)
    from accounting.audit import check_titles

    titles = check_titles()
    rows = list(qs.values("id", *_FINDING_COLUMNS)[: limit + 1])
    severities = dict(Finding.Severity.choices)
    statuses = dict(Finding.Status.choices)
    for row in rows:
        row["check_title"] = titles.get(row["check_code"], row["check_code"])
        row["severity_label"] = severities.get(row["severity"], row["severity"])
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["title"] = render_stored(row.pop("title_source"), row["title"])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1]["id"]
    return rows, None


def findings_csv_rows() -> Iterator[tuple]:
    from accounting.audit import check_titles

    titles = {code: str(title) for code, title in check_titles().items()}
    severities = {k: str(v) for k, v in Finding.Severity.choices}
    statuses = {k: str(v) for k, v in Finding.Status.choices}
    for created_at, check, severity, status, title, source, evidence in stream(
        _open_findings().values_list(*_FINDING_COLUMNS)
    ):
        yield (
            local_time(created_at),
            titles.get(check, check),
            severities.get(severity, severity),
            statuses.get(status, status),
            render_stored(source, title),
            evidence,
        )
