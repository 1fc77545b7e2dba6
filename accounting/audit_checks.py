"""Accounting's own audit checks, registered from ``AccountingConfig.ready()``.

Each check reads with one query (set-based SQL, never a Python loop over every row) and yields
an ``AuditFinding`` per irregularity, with a link to its evidence in the admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Mod
from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from accounting.audit import (
    AuditFinding,
    Severity,
    iter_rows,
    register_check,
    register_system_source,
    system_source_prefixes,
)
from accounting.models import JournalEntry, JournalLine, Payment
from accounting.selectors import ledger_verify
from backoffice.stored_text import Money, Weekday, stored

BUSINESS_TIME_ZONE = ZoneInfo("Europe/Berlin")
BUSINESS_HOURS = (7, 20)  # from 07:00 to 20:00 local time, Monday to Friday
DUPLICATE_WINDOW_DAYS = 14
DEFAULT_ROUND_AMOUNT_THRESHOLD = Decimal("10000.00")
DEFAULT_AFTER_HOURS_THRESHOLD = Decimal("5000.00")
ROUND_UNIT = Decimal("1000.00")


def _setting(name: str, default: Decimal) -> Decimal:
    value = getattr(settings, name, default)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _system_postings(*, computed_amounts: bool = False, prefix: str = "") -> Q:
    """Entries the software posted: sources registered as system sources (the demo seeder,
    payroll runs; only those with computed amounts, when asked)."""
    condition = Q(pk__in=[])
    for source in system_source_prefixes(computed_amounts=computed_amounts):
        condition |= Q(**{f"{prefix}source__startswith": source})
    return condition


def _entry_url(pk: int) -> str:
    return reverse("admin:accounting_journalentry_change", args=[pk])


def _payment_url(pk: int) -> str:
    return reverse("admin:accounting_payment_change", args=[pk])


def ledger_chain() -> Iterator[AuditFinding]:
    """The hash chain recomputed from the first entry; one finding naming the first entry that
    does not match."""
    result = ledger_verify()
    if result.ok:
        return
    yield AuditFinding(
        key=f"entry:{result.first_bad_entry_id}",
        title=stored(
            gettext_noop("The ledger's hash chain is broken at entry %(entry)s."),
            entry=result.first_bad_label,
        ),
        severity=Severity.HIGH,
        evidence_url=_entry_url(result.first_bad_entry_id),
    )


def duplicate_payments() -> Iterator[AuditFinding]:
    """Payments to or from the same counterparty (ignoring case and spaces) for the same amount
    with due dates at most 14 days apart; one finding per later payment, naming the earliest
    earlier one. Cancelled payments do not count."""
    table = Payment._meta.db_table
    sql = f"""
        SELECT DISTINCT ON (b.id) b.id, a.id, b.counterparty, b.amount
        FROM {table} b
        JOIN {table} a
          ON a.amount = b.amount
         AND a.direction = b.direction
         AND lower(btrim(a.counterparty)) = lower(btrim(b.counterparty))
         AND a.id < b.id
         AND abs(b.due_date - a.due_date) <= %s
        WHERE a.status <> %s AND b.status <> %s
        ORDER BY b.id, a.id
    """  # noqa: S608 - the table name is the model's, the values are parameters
    cancelled = Payment.Status.CANCELLED
    for later_id, earlier_id, counterparty, amount in iter_rows(
        sql, [DUPLICATE_WINDOW_DAYS, cancelled, cancelled]
    ):
        yield AuditFinding(
            key=f"payment:{later_id}",
            title=stored(
                gettext_noop(
                    "Possible duplicate payment: %(counterparty)s, %(amount)s "
                    "(payments %(later)s and %(earlier)s)."
                ),
                counterparty=counterparty,
                amount=Money(amount),
                later=later_id,
                earlier=earlier_id,
            ),
            severity=Severity.MEDIUM,
            evidence_url=_payment_url(later_id),
        )


def self_approved_payment() -> Iterator[AuditFinding]:
    """Payments approved by whoever created them. The database refuses this in normal work;
    the check finds it when it came in some other way (a legacy import, a disabled
    constraint)."""
    rows = (
        Payment.objects.filter(approved_by__isnull=False, approved_by=F("created_by"))
        .order_by("pk")
        .values_list("pk", "counterparty", "amount", "created_by__username")
    )
    for pk, counterparty, amount, username in rows.iterator(chunk_size=1000):
        yield AuditFinding(
            key=f"payment:{pk}",
            title=stored(
                gettext_noop(
                    "Payment %(payment)s to %(counterparty)s (%(amount)s) was approved by its "
                    "creator %(user)s."
                ),
                payment=pk,
                counterparty=counterparty,
                amount=Money(amount),
                user=username,
            ),
            severity=Severity.HIGH,
            evidence_url=_payment_url(pk),
        )


def round_amounts() -> Iterator[AuditFinding]:
    """Entries with a line amount that is a multiple of 1,000.00 and at least
    ``AUDIT_ROUND_AMOUNT_THRESHOLD`` (default 10,000.00). Reversals are left out: they mirror
    an entry that was checked itself; so are entries whose amounts the software computed (a
    payroll run's sums of salaries are round when the salaries are)."""
    threshold = _setting("AUDIT_ROUND_AMOUNT_THRESHOLD", DEFAULT_ROUND_AMOUNT_THRESHOLD)
    rows = (
        JournalLine.objects.filter(amount__gte=threshold, entry__reverses__isnull=True)
        .exclude(_system_postings(computed_amounts=True, prefix="entry__"))
        .annotate(
            remainder=Mod(
                "amount",
                Value(ROUND_UNIT, output_field=DecimalField(max_digits=14, decimal_places=2)),
            )
        )
        .filter(remainder=0)
        .values_list("entry_id", "fiscal_year__year", "entry__number")
        .distinct()
        .order_by("entry_id")
    )
    for entry_id, year, number in rows.iterator(chunk_size=1000):
        yield AuditFinding(
            key=f"entry:{entry_id}",
            title=stored(
                gettext_noop("Entry %(entry)s has a round amount of %(threshold)s or more."),
                entry=f"{year}/{number}",
                threshold=Money(threshold),
            ),
            severity=Severity.LOW,
            evidence_url=_entry_url(entry_id),
        )


def after_hours() -> Iterator[AuditFinding]:
    """Entries a person posted on a weekend or outside 07:00-20:00 (Berlin time) whose total
    is above ``AUDIT_AFTER_HOURS_THRESHOLD`` (default 5,000.00). System postings are left
    out: those of a registered system source (the demo seeder, payroll runs), whose posting
    time is when the software ran, not when a person booked."""
    threshold = _setting("AUDIT_AFTER_HOURS_THRESHOLD", DEFAULT_AFTER_HOURS_THRESHOLD)
    opens, closes = BUSINESS_HOURS
    rows = (
        JournalEntry.objects.exclude(_system_postings())
        .annotate(
            weekday=ExtractIsoWeekDay("posted_at", tzinfo=BUSINESS_TIME_ZONE),
            hour=ExtractHour("posted_at", tzinfo=BUSINESS_TIME_ZONE),
        )
        .filter(Q(weekday__gte=6) | Q(hour__lt=opens) | Q(hour__gte=closes))
        .annotate(total=Sum("lines__amount", filter=Q(lines__side=JournalLine.Side.DEBIT)))
        .filter(total__gt=threshold)
        .order_by("pk")
        .values_list("pk", "fiscal_year__year", "number", "posted_at", "total")
    )
    for pk, year, number, posted_at, total in rows.iterator(chunk_size=1000):
        yield AuditFinding(
            key=f"entry:{pk}",
            title=stored(
                gettext_noop(
                    "Entry %(entry)s of %(total)s was posted outside business hours (%(when)s)."
                ),
                entry=f"{year}/{number}",
                total=Money(total),
                when=Weekday(posted_at),
            ),
            severity=Severity.MEDIUM,
            evidence_url=_entry_url(pk),
        )


def register() -> None:
    # Everything the demo seeder posts (its own bookings, payroll's remittances) is "demo:...".
    register_system_source("demo:")
    register_check("ledger_chain", gettext_lazy("Ledger hash chain"), ledger_chain)
    register_check("duplicate_payments", gettext_lazy("Duplicate payments"), duplicate_payments)
    register_check(
        "self_approved_payment",
        gettext_lazy("Payment approved by its creator"),
        self_approved_payment,
    )
    register_check("round_amounts", gettext_lazy("Round amounts"), round_amounts)
    register_check("after_hours", gettext_lazy("Postings outside business hours"), after_hours)
