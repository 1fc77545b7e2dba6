"""The journal: the one way into the ledger.

Posting takes a transaction-scoped advisory lock, so entry numbers are gapless per fiscal year
and every entry's hash chains to the one posted before it. Running balances per month, account
and cost center are kept in the same transaction.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.models import Account, FiscalYear, JournalEntry, JournalLine, Period
from backoffice.money import ZERO, round_money

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key of the ledger ("LEDGER" in ASCII, as an integer).
LEDGER_LOCK = 0x4C4544474552
LINE_BATCH = 5000


class PostingRefused(ValidationError):
    """A posting that must not happen: unbalanced, closed period, blocked budget, ..."""


@dataclass(frozen=True)
class Line:
    account: Account | int
    side: str
    amount: Decimal
    department: object | None = None  # hr.Department, its id, or None
    memo: str = ""

    @property
    def account_id(self) -> int:
        return self.account if isinstance(self.account, int) else self.account.pk

    @property
    def department_id(self) -> int | None:
        if self.department is None or isinstance(self.department, int):
            return self.department
        return self.department.pk


@dataclass(frozen=True)
class EntrySpec:
    date: datetime.date
    lines: Sequence[Line]
    memo: str = ""
    source: str | None = None
    reverses_id: int | None = None
    extra: dict = field(default_factory=dict)


def entry_hash(
    *,
    prev_hash: str,
    year: int,
    number: int,
    date: datetime.date,
    lines: Iterable[tuple[int, str, Decimal, int | None]],
) -> str:
    """SHA-256 over the previous hash, the entry's number and date, and each line's account,
    side, amount (two decimals) and cost center, in line order."""
    digest = hashlib.sha256(f"{prev_hash}|{year}|{number}|{date.isoformat()}".encode())
    for account_id, side, amount, department_id in lines:
        digest.update(f"|{account_id}:{side}:{amount:.2f}:{department_id or ''}".encode())
    return digest.hexdigest()


def _validate(spec: EntrySpec) -> None:
    if not spec.lines:
        raise PostingRefused(_("An entry needs at least one debit and one credit line."))
    debit = credit = ZERO
    for number, line in enumerate(spec.lines, start=1):
        if not isinstance(line.amount, Decimal):
            raise PostingRefused(_("Line %(n)d: the amount must be a Decimal.") % {"n": number})
        if line.amount <= 0:
            raise PostingRefused(_("Line %(n)d: the amount must be positive.") % {"n": number})
        if round_money(line.amount) != line.amount:
            raise PostingRefused(
                _("Line %(n)d: the amount %(amount)s has more than two decimal places.")
                % {"n": number, "amount": line.amount}
            )
        if line.side == JournalLine.Side.DEBIT:
            debit += line.amount
        elif line.side == JournalLine.Side.CREDIT:
            credit += line.amount
        else:
            raise PostingRefused(_("Line %(n)d: the side must be D or C.") % {"n": number})
    if debit != credit:
        raise PostingRefused(
            _("Debits (%(debit)s) and credits (%(credit)s) differ by %(diff)s.")
            % {"debit": debit, "credit": credit, "diff": abs(debit - credit)}
        )


def fiscal_year_open(*, year: int) -> FiscalYear:
    """Create a calendar fiscal year with its twelve monthly periods. Idempotent."""
    with transaction.atomic():
        fy, _created = FiscalYear.objects.get_or_create(
            year=year,
            defaults={"start": datetime.date(year, 1, 1), "end": datetime.date(year, 12, 31)},
        )
        Period.objects.bulk_create(
            [
                Period(
                    fiscal_year=fy,
                    month=month,
                    start=datetime.date(year, month, 1),
                    end=datetime.date(year, month, calendar.monthrange(year, month)[1]),
                )
                for month in range(1, 13)
            ],
            ignore_conflicts=True,
        )
    return fy


@transaction.atomic
def period_close(*, period: Period, user) -> Period:
    # The ledger lock: a posting that read the period as open commits before the close does.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status == Period.Status.CLOSED:
        return period
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = user
    period.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    return period


@transaction.atomic
def period_reopen(*, period: Period, user) -> Period:
    period = Period.objects.select_for_update().get(pk=period.pk)
    period.status = Period.Status.OPEN
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    return period


def journal_entry_post(
    *,
    date: datetime.date,
    lines: Sequence[Line],
    source: str | None = None,
    memo: str = "",
    user=None,
) -> JournalEntry:
    """Post one balanced entry. Posting the same ``source`` again returns the first entry."""
    return journal_entries_post(
        entries=[EntrySpec(date=date, lines=lines, memo=memo, source=source)], user=user
    )[0]


def journal_entries_post(*, entries: Sequence[EntrySpec], user=None) -> list[JournalEntry]:
    """Post many entries in one transaction (all or none). Entries whose source was posted
    before are not posted again; the earlier entry is returned in their place."""
    from accounting.services.budgets import budget_check_after_commit, budget_guard_lines

    for spec in entries:
        _validate(spec)
    sources = [s.source for s in entries if s.source]
    if len(sources) != len(set(sources)):
        raise PostingRefused(_("The same source appears twice in one batch."))

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])
        existing = (
            {e.source: e for e in JournalEntry.objects.filter(source__in=sources)}
            if sources
            else {}
        )
        todo = [s for s in entries if not (s.source and s.source in existing)]
        if not todo:
            return [existing[s.source] for s in entries]

        years = {s.date.year for s in todo}
        fiscal_years = {
            fy.year: fy for fy in FiscalYear.objects.select_for_update().filter(year__in=years)
        }
        missing = sorted(years - set(fiscal_years))
        if missing:
            raise PostingRefused(
                _("There is no fiscal year %(year)s. Open it before posting into it.")
                % {"year": missing[0]}
            )
        periods = {
            (p.fiscal_year_id, p.month): p
            for p in Period.objects.filter(fiscal_year__in=fiscal_years.values())
        }
        for spec in todo:
            fy = fiscal_years[spec.date.year]
            period = periods.get((fy.pk, spec.date.month))
            if period is None or period.status == Period.Status.CLOSED:
                raise PostingRefused(
                    _("The period %(period)s is closed; post into an open period.")
                    % {"period": f"{fy.year}-{spec.date.month:02d}"}
                )

        warnings = budget_guard_lines(
            items=[(fiscal_years[s.date.year], line) for s in todo for line in s.lines]
        )

        last = JournalEntry.objects.order_by("-id").only("hash").first()
        prev_hash = last.hash if last else GENESIS_HASH
        now = timezone.now()
        new_entries: list[JournalEntry] = []
        for spec in todo:
            fy = fiscal_years[spec.date.year]
            fy.last_number += 1
            digest = entry_hash(
                prev_hash=prev_hash,
                year=fy.year,
                number=fy.last_number,
                date=spec.date,
                lines=[(ln.account_id, ln.side, ln.amount, ln.department_id) for ln in spec.lines],
            )
            new_entries.append(
                JournalEntry(
                    fiscal_year=fy,
                    period=periods[(fy.pk, spec.date.month)],
                    number=fy.last_number,
                    date=spec.date,
                    memo=spec.memo[:300],
                    source=spec.source,
                    reverses_id=spec.reverses_id,
                    posted_by=user,
                    posted_at=now,
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
            prev_hash = digest
        JournalEntry.objects.bulk_create(new_entries, batch_size=LINE_BATCH)
        for fy in fiscal_years.values():
            fy.save(update_fields=["last_number", "updated_at"])

        _lines_copy(
            (
                entry.pk,
                ln.account_id,
                ln.side,
                ln.amount,
                ln.department_id,
                ln.memo[:300],
                spec.date,
                entry.fiscal_year_id,
            )  # fmt: skip
            for spec, entry in zip(todo, new_entries, strict=True)
            for ln in spec.lines
        )
        _balances_add(entry_ids=[e.pk for e in new_entries])
        budget_check_after_commit(department_ids={ln.department_id for s in todo for ln in s.lines})
        for entry in new_entries:
            # Warn-policy budgets that this posting exceeds (the block policy raised above).
            entry.budget_warnings = warnings

    posted = iter(new_entries)
    return [existing[s.source] if s.source in existing else next(posted) for s in entries]


def _lines_copy(rows) -> None:
    """Write the lines with PostgreSQL COPY: building a model instance and an INSERT for each
    of thousands of lines per batch cost most of the posting time."""
    table = JournalLine._meta.db_table
    columns = "entry_id, account_id, side, amount, department_id, memo, date, fiscal_year_id"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _balances_add(*, entry_ids: list[int]) -> None:
    """Add the new entries' lines to the running balances: one statement for the batch."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounting_ledgerbalance
                (fiscal_year_id, month, account_id, department_id, debit, credit)
            SELECT fiscal_year_id, EXTRACT(MONTH FROM date)::smallint, account_id,
                   department_id,
                   COALESCE(SUM(amount) FILTER (WHERE side = 'D'), 0),
                   COALESCE(SUM(amount) FILTER (WHERE side = 'C'), 0)
            FROM accounting_journalline
            WHERE entry_id = ANY(%s)
            GROUP BY 1, 2, 3, 4
            ON CONFLICT (fiscal_year_id, month, account_id, department_id)
            DO UPDATE SET debit = accounting_ledgerbalance.debit + EXCLUDED.debit,
                          credit = accounting_ledgerbalance.credit + EXCLUDED.credit
            """,
            [entry_ids],
        )


def journal_entry_reverse(
    *, entry: JournalEntry, date: datetime.date, user, memo: str = ""
) -> JournalEntry:
    """Post the mirror image of an entry, linked to it. Reversing twice returns the first
    reversal."""
    if entry.reverses_id is not None:
        raise PostingRefused(_("A reversal cannot itself be reversed; post a new entry."))
    original_lines = list(entry.lines.order_by("id"))
    spec = EntrySpec(
        date=date,
        lines=[
            Line(
                account=ln.account_id,
                side="C" if ln.side == "D" else "D",
                amount=ln.amount,
                department=ln.department_id,
                memo=ln.memo,
            )
            for ln in original_lines
        ],
        memo=memo or _("Reversal of %(entry)s") % {"entry": f"{entry.date.year}/{entry.number}"},
        source=f"accounting.reversal:{entry.pk}",
        reverses_id=entry.pk,
    )
    return journal_entries_post(entries=[spec], user=user)[0]
