"""Reads of accounting for views, exports, audit checks and other apps."""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounting.models import (
    Account,
    BankStatement,
    BankStatementLine,
    FiscalYear,
    JournalEntry,
    JournalLine,
    LedgerBalance,
    Payment,
)
from accounting.services.ledger import GENESIS_HASH, entry_hash
from backoffice.money import ZERO


@dataclass(frozen=True)
class ChainResult:
    ok: bool
    entries_checked: int
    first_bad_entry_id: int | None = None
    first_bad_label: str = ""
    reason: str = ""


def ledger_verify() -> ChainResult:
    """Recompute the hash chain from the first entry; name the first entry that does not match.
    Streams the lines through a server-side cursor: constant memory at any ledger size."""
    sql = """
        SELECT e.id, e.number, e.date, fy.year, e.prev_hash, e.hash,
               l.account_id, l.side, l.amount, l.department_id
        FROM accounting_journalentry e
        JOIN accounting_fiscalyear fy ON fy.id = e.fiscal_year_id
        LEFT JOIN accounting_journalline l ON l.entry_id = e.id
        ORDER BY e.id, l.id
    """
    expected_prev = GENESIS_HASH
    checked = 0
    current = None
    lines: list = []

    def check(row, lines) -> str | None:
        entry_id, number, date, year, prev_hash, stored = row
        if prev_hash != expected_prev:
            return "chain"
        digest = entry_hash(prev_hash=prev_hash, year=year, number=number, date=date, lines=lines)
        return None if digest == stored else "hash"

    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                break
            for r in rows:
                head = r[:6]
                if current is None or head[0] != current[0]:
                    if current is not None:
                        reason = check(current, lines)
                        if reason:
                            return _bad(current, checked, reason)
                        expected_prev = current[5]
                        checked += 1
                    current, lines = head, []
                if r[6] is not None:
                    lines.append((r[6], r[7], r[8], r[9]))
    if current is not None:
        reason = check(current, lines)
        if reason:
            return _bad(current, checked, reason)
        checked += 1
    mismatch = _balances_mismatch()
    if mismatch:
        year, month, number = mismatch
        return ChainResult(
            ok=False,
            entries_checked=checked,
            first_bad_label=f"{year}-{month:02d} {number}",
            reason="balances",
        )
    return ChainResult(ok=True, entries_checked=checked)


def _balances_mismatch() -> tuple[int, int, str] | None:
    """The first running balance (year, month, account) that differs from its lines: the
    reports and budget checks read the balances, so they are verified with the chain."""
    sql = """
        WITH lines AS (
            SELECT fiscal_year_id, EXTRACT(MONTH FROM date)::int AS month, account_id,
                   department_id,
                   COALESCE(SUM(amount) FILTER (WHERE side = 'D'), 0) AS debit,
                   COALESCE(SUM(amount) FILTER (WHERE side = 'C'), 0) AS credit
            FROM accounting_journalline GROUP BY 1, 2, 3, 4
        )
        SELECT fy.year, COALESCE(b.month, l.month), a.number
        FROM accounting_ledgerbalance b
        FULL JOIN lines l
          ON l.fiscal_year_id = b.fiscal_year_id AND l.month = b.month
         AND l.account_id = b.account_id
         AND l.department_id IS NOT DISTINCT FROM b.department_id
        JOIN accounting_fiscalyear fy ON fy.id = COALESCE(b.fiscal_year_id, l.fiscal_year_id)
        JOIN accounting_account a ON a.id = COALESCE(b.account_id, l.account_id)
        WHERE COALESCE(b.debit, 0) <> COALESCE(l.debit, 0)
           OR COALESCE(b.credit, 0) <> COALESCE(l.credit, 0)
        ORDER BY 1, 2, 3
        LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(row) if row else None


def _bad(row, checked: int, reason: str) -> ChainResult:
    entry_id, number, date, year = row[:4]
    return ChainResult(
        ok=False,
        entries_checked=checked,
        first_bad_entry_id=entry_id,
        first_bad_label=f"{year}/{number}",
        reason=reason,
    )


def trial_balance(*, fiscal_year: FiscalYear, month_to: int = 12) -> list[dict]:
    """Debit and credit totals per account for a year up to a month, from the running
    balances (one query whatever the number of lines)."""
    rows = (
        LedgerBalance.objects.filter(fiscal_year=fiscal_year, month__lte=month_to)
        .values("account_id", "account__number", "account__name_de", "account__name_en",
                "account__type")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("account__number")
    )  # fmt: skip
    return list(rows)


def account_balance(*, account: Account, fiscal_year: FiscalYear | None = None) -> Decimal:
    """Debit minus credit of an account (all years, or one)."""
    qs = LedgerBalance.objects.filter(account=account)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    sums = qs.aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or ZERO) - (sums["c"] or ZERO)


def entry_with_lines(*, pk: int) -> JournalEntry | None:
    return (
        JournalEntry.objects.select_related("fiscal_year", "period", "posted_by", "reverses")
        .prefetch_related("lines__account", "lines__department")
        .filter(pk=pk)
        .first()
    )


# --- Payments and bank statements -------------------------------------------------------------


def payment_list(*, status: str = "", direction: str = "") -> QuerySet[Payment]:
    qs = Payment.objects.select_related(
        "bank_account", "counter_account", "created_by", "approved_by", "department"
    )
    if status in Payment.Status.values:
        qs = qs.filter(status=status)
    if direction in Payment.Direction.values:
        qs = qs.filter(direction=direction)
    return qs.order_by("-due_date", "-id")


def payment_detail(*, pk: int) -> Payment | None:
    return (
        Payment.objects.select_related(
            "bank_account",
            "counter_account",
            "created_by",
            "approved_by",
            "department",
            "entry",
            "statement_line__statement",
        )
        .filter(pk=pk)
        .first()
    )


def bank_balances() -> list[Account]:
    """Every bank account with its ledger balance, its latest statement (reference, date,
    closing balance) and the ledger balance up to that statement's date: one query."""
    money = DecimalField(max_digits=14, decimal_places=2)
    latest = BankStatement.objects.filter(bank_account=OuterRef("pk")).order_by("-date", "-id")
    balance = (
        LedgerBalance.objects.filter(account=OuterRef("pk"))
        .values("account")
        .annotate(total=Sum(F("debit") - F("credit")))
        .values("total")
    )
    signed = Case(When(side="D", then=F("amount")), default=-F("amount"), output_field=money)
    at_statement = (
        JournalLine.objects.filter(account=OuterRef("pk"), date__lte=OuterRef("statement_date"))
        .values("account")
        .annotate(total=Sum(signed))
        .values("total")
    )
    accounts = list(
        Account.objects.filter(is_bank=True)
        .annotate(
            ledger_balance=Coalesce(Subquery(balance, output_field=money), Value(ZERO)),
            statement_id=Subquery(latest.values("pk")[:1]),
            statement_reference=Subquery(latest.values("reference")[:1]),
            statement_date=Subquery(latest.values("date")[:1]),
            statement_closing=Subquery(latest.values("closing_balance")[:1]),
            statement_reconciled_at=Subquery(latest.values("reconciled_at")[:1]),
        )
        .annotate(
            ledger_at_statement=Coalesce(Subquery(at_statement, output_field=money), Value(ZERO))
        )
        .order_by("number")
    )
    for account in accounts:
        account.difference = (
            account.statement_closing - account.ledger_at_statement
            if account.statement_id is not None
            else None
        )
    return accounts


@dataclass(frozen=True)
class BankAccountDetails:
    pk: int
    number: str
    iban: str
    bic: str


def bank_account_details(*, account_id: int | None) -> BankAccountDetails | None:
    """The IBAN and BIC of a bank account as the bank accounts page shows them (None for no
    such bank account): what other apps pay from."""
    row = (
        Account.objects.filter(pk=account_id, is_bank=True)
        .values_list("pk", "number", "iban", "bic")
        .first()
        if account_id
        else None
    )
    return BankAccountDetails(*row) if row else None


def ledger_bank_balance(*, account_id: int, date: datetime.date) -> Decimal:
    """Debit minus credit of a bank account over every line dated up to ``date``: one
    aggregate query (the monthly running balances cannot answer for a single day)."""
    total = JournalLine.objects.filter(account_id=account_id, date__lte=date).aggregate(
        total=Sum(Case(When(side="D", then=F("amount")), default=-F("amount")))
    )["total"]
    return total if total is not None else ZERO


def statement_list() -> QuerySet[BankStatement]:
    return (
        BankStatement.objects.select_related("bank_account", "imported_by")
        .annotate(
            line_count=Count("lines"),
            unmatched_count=Count(
                "lines", filter=Q(lines__status=BankStatementLine.Status.UNMATCHED)
            ),
        )
        .order_by("-date", "-id")
    )


def statement_detail(*, pk: int) -> BankStatement | None:
    return (
        BankStatement.objects.select_related("bank_account", "imported_by", "reconciled_by")
        .filter(pk=pk)
        .first()
    )


def statement_line_counts(*, statement: BankStatement) -> dict[str, int]:
    counts = dict.fromkeys(BankStatementLine.Status.values, 0)
    for row in statement.lines.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def statement_lines(*, statement: BankStatement, status: str = "") -> QuerySet:
    qs = statement.lines.select_related("payment", "entry")
    if status in BankStatementLine.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("booking_date", "id")


# --- Suggestions for unmatched statement lines -------------------------------------------------

SUGGESTIONS_PER_LINE = 5
# A payment reference shorter than this ("1", "x") would be found in almost any line text.
MIN_REFERENCE_LENGTH = 4
# How much each kind of evidence weighs; the date breaks ties (closest first).
SCORE_REFERENCE, SCORE_IBAN, SCORE_NAME = 4, 2, 1


def _squeezed(column: str) -> str:
    """SQL for a text without whitespace, lower case (how the line and payment compare)."""
    return f"lower(regexp_replace(coalesce({column}, ''), '\\s+', '', 'g'))"


def statement_suggestions(
    *, statement: BankStatement, lines, per_line: int = SUGGESTIONS_PER_LINE
) -> dict[int, list[Payment]]:
    """For each unmatched line among ``lines``, up to ``per_line`` posted payments of the
    statement's bank account with the line's amount and direction that no line is matched to
    yet, ranked in SQL: the payment's reference found in the line's reference, the same IBAN,
    the same counterparty name (one containing the other), then the closest due date. Each
    payment carries ``suggested_by`` (the reasons) and ``days_apart``. Two queries whatever the
    number of lines: the ranking (a window function per line) and the payments."""
    ids = [ln.pk for ln in lines if ln.status == BankStatementLine.Status.UNMATCHED]
    if not ids:
        return {}
    line_table = BankStatementLine._meta.db_table
    payment_table = Payment._meta.db_table
    p_ref, l_ref = _squeezed("p.reference"), _squeezed("l.reference")
    p_iban, l_iban = _squeezed("p.iban"), _squeezed("l.iban")
    p_name, l_name = _squeezed("p.counterparty"), _squeezed("l.counterparty")
    sql = f"""
        SELECT line_id, payment_id, by_reference, by_iban, by_name, days_apart
        FROM (
            SELECT l.id AS line_id, p.id AS payment_id, by_reference, by_iban, by_name,
                   abs(p.due_date - l.booking_date) AS days_apart,
                   row_number() OVER (
                       PARTITION BY l.id
                       ORDER BY (%s * by_reference::int + %s * by_iban::int
                                 + %s * by_name::int) DESC,
                                abs(p.due_date - l.booking_date), p.id
                   ) AS rank
            FROM {line_table} l
            JOIN {payment_table} p
              ON p.amount = abs(l.amount)
             AND p.direction = CASE WHEN l.amount > 0 THEN %s ELSE %s END
             AND p.bank_account_id = %s
             AND p.status = %s
            CROSS JOIN LATERAL (
                SELECT length({p_ref}) >= %s AND strpos({l_ref}, {p_ref}) > 0 AS by_reference,
                       {l_iban} <> '' AND {l_iban} = {p_iban} AS by_iban,
                       length({l_name}) >= %s AND length({p_name}) >= %s
                         AND (strpos({l_name}, {p_name}) > 0 OR strpos({p_name}, {l_name}) > 0)
                         AS by_name
            ) fit
            WHERE l.id = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM {line_table} m WHERE m.payment_id = p.id)
        ) ranked
        WHERE rank <= %s
        ORDER BY line_id, rank
    """  # noqa: S608 - table names are the models', values are parameters
    params = [
        SCORE_REFERENCE,
        SCORE_IBAN,
        SCORE_NAME,
        Payment.Direction.INCOMING,
        Payment.Direction.OUTGOING,
        statement.bank_account_id,
        Payment.Status.POSTED,
        MIN_REFERENCE_LENGTH,
        MIN_REFERENCE_LENGTH,
        MIN_REFERENCE_LENGTH,
        ids,
        per_line,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    payments = Payment.objects.in_bulk({row[1] for row in rows})
    suggestions: dict[int, list[Payment]] = {pk: [] for pk in ids}
    for line_id, payment_id, by_reference, by_iban, by_name, days_apart in rows:
        # A payment may be suggested for several lines: each gets its own copy of the reasons.
        payment = copy.copy(payments[payment_id])
        payment.suggested_by = [
            reason
            for reason, fits in (
                ("reference", by_reference),
                ("iban", by_iban),
                ("name", by_name),
            )
            if fits
        ]
        payment.days_apart = days_apart
        suggestions[line_id].append(payment)
    return suggestions
