"""Reads behind the payroll reports: the payroll register of paid runs and the year-to-date
totals per employee.

Each report has a page reader (keyset-paginated, bounded), a totals reader and a row generator
for its CSV. Sums are computed in SQL (conditional aggregates pivot the deduction codes into
columns), pages are read ``limit + 1`` rows at a time (no ``COUNT(*)``), and CSV rows stream
from a server-side cursor as plain tuples (``values_list``) without model instances. Query
counts therefore do not depend on the number of payslips.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from backoffice.money import ZERO, money_field
from payroll.models import (
    PayPeriod,
    PayProfile,
    PayrollChunkLineTotal,
    PayrollRun,
    Payslip,
    PayslipLine,
)

# Rows fetched per round trip when a CSV streams from a server-side cursor.
CSV_CHUNK_SIZE = 5000

PAID = PayrollRun.Status.PAID


def _zero() -> Value:
    return Value(ZERO, output_field=money_field())


def _sum(expression: str, **kwargs) -> Coalesce:
    return Coalesce(Sum(expression, **kwargs), _zero())


def stream(queryset: QuerySet) -> Iterator[tuple]:
    """Rows of a ``values_list`` queryset from a server-side cursor, inside a transaction (so
    PostgreSQL sends rows as it produces them instead of materialising a ``WITH HOLD`` cursor
    first). The transaction ends with the generator."""
    with transaction.atomic():
        yield from queryset.iterator(chunk_size=CSV_CHUNK_SIZE)


def _name(last: str, first: str) -> str:
    return f"{last}, {first}"


# --- Selection: which paid runs the register shows ---------------------------------------------


def paid_runs() -> QuerySet[PayrollRun]:
    """Paid runs, newest period first, ready to be listed (period and schedule joined)."""
    return (
        PayrollRun.objects.filter(status=PAID)
        .select_related("period__schedule")
        .order_by("-period__start", "kind", "pk")
    )


def periods_with_paid_runs() -> QuerySet[PayPeriod]:
    return (
        PayPeriod.objects.filter(pk__in=PayrollRun.objects.filter(status=PAID).values("period_id"))
        .select_related("schedule")
        .order_by("-start", "schedule__name")
    )


def latest_paid_run() -> PayrollRun | None:
    return paid_runs().first()


def register_run_ids(
    *, run: PayrollRun | None = None, period: PayPeriod | None = None
) -> list[int]:
    """The paid runs a register covers: one run, or every paid run of a period."""
    if run is not None:
        return [run.pk] if run.status == PAID else []
    if period is not None:
        return list(
            PayrollRun.objects.filter(period=period, status=PAID)
            .order_by("kind", "pk")
            .values_list("pk", flat=True)
        )
    return []


# --- Payroll register ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeductionColumn:
    code: str
    label: str
    total: Decimal


@dataclass(frozen=True)
class RegisterTotals:
    payslips: int
    gross: Decimal
    deductions: Decimal
    net: Decimal
    employer_contributions: Decimal
    columns: tuple[DeductionColumn, ...]


@dataclass(frozen=True)
class RegisterRow:
    payslip_id: int
    personnel_number: str
    name: str
    department: str
    run_kind: str
    gross: Decimal
    amounts: tuple[Decimal, ...]  # one per deduction column, in the columns' order
    deductions: Decimal
    net: Decimal
    employer_contributions: Decimal
    pay_method: str


def register_totals(*, run_ids: list[int]) -> RegisterTotals:
    """The deduction codes of the runs' lines (in the order they appear on payslips, which
    follows the rules' order), each with its total, and the column totals. Two queries; the
    codes' totals come from the chunks' line totals (written with the lines, a few rows per
    chunk), not from every line of every payslip."""
    columns = tuple(
        DeductionColumn(code=r["code"], label=r["label"], total=r["total"])
        for r in PayrollChunkLineTotal.objects.filter(
            chunk__run_id__in=run_ids, kind=PayslipLine.Kind.DEDUCTION
        )
        .values("code")
        .annotate(label=Min("label"), first=Min("position"), total=_sum("amount"))
        .order_by("first", "code")
    )
    sums = Payslip.objects.filter(run_id__in=run_ids).aggregate(
        payslips=Count("id"),
        gross=_sum("gross"),
        deductions=_sum("deductions"),
        net=_sum("net"),
        employer_contributions=_sum("employer_contributions"),
    )
    return RegisterTotals(columns=columns, **sums)


def _register_queryset(run_ids: list[int], codes: Iterable[str]) -> QuerySet:
    """One row per payslip with the deduction codes pivoted into columns ``c0``, ``c1``... by
    conditional sums over the payslip's lines (one query, grouped by payslip)."""
    pivots = {
        f"c{i}": _sum(
            "lines__amount",
            filter=Q(lines__kind=PayslipLine.Kind.DEDUCTION, lines__code=code),
        )
        for i, code in enumerate(codes)
    }
    return (
        Payslip.objects.filter(run_id__in=run_ids)
        .annotate(**pivots)
        .order_by("employee__personnel_number", "pk")
        .values_list(
            "pk",
            "employee__personnel_number",
            "employee__last_name",
            "employee__first_name",
            "department__code",
            "run__kind",
            "gross",
            *pivots,
            "deductions",
            "net",
            "employer_contributions",
            "pay_method",
        )
    )


def _register_row(values: tuple, width: int) -> RegisterRow:
    pk, number, last, first, department, kind, gross, *rest = values
    amounts, (deductions, net, employer, method) = rest[:width], rest[width:]
    return RegisterRow(
        payslip_id=pk,
        personnel_number=number,
        name=_name(last, first),
        department=department,
        run_kind=str(RUN_KINDS.get(kind, kind)),
        gross=gross,
        amounts=tuple(amounts),
        deductions=deductions,
        net=net,
        employer_contributions=employer,
        pay_method=str(PAY_METHODS.get(method, method)),
    )


RUN_KINDS = dict(PayrollRun.Kind.choices)
PAY_METHODS = dict(PayProfile.PayMethod.choices)


def register_page(
    *,
    run_ids: list[int],
    totals: RegisterTotals,
    after: tuple[str, int] | None,
    limit: int,
) -> tuple[list[RegisterRow], tuple[str, int] | None]:
    """One page of the register in personnel-number order after the keyset ``after`` =
    (personnel number, payslip id), and the keyset of the next page (None on the last)."""
    codes = [c.code for c in totals.columns]
    qs = _register_queryset(run_ids, codes)
    if after is not None:
        number, pk = after
        qs = qs.filter(
            Q(employee__personnel_number__gt=number)
            | Q(employee__personnel_number=number, pk__gt=pk)
        )
    rows = [_register_row(values, len(codes)) for values in qs[: limit + 1]]
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], (last.personnel_number, last.payslip_id)
    return rows, None


def register_header(totals: RegisterTotals) -> list:
    return [
        _("Personnel number"),
        _("Name"),
        _("Department"),
        _("Run"),
        _("Gross pay"),
        *[c.code for c in totals.columns],
        _("Deductions"),
        _("Net pay"),
        _("Employer contributions"),
        _("Pay method"),
    ]


def register_csv_rows(*, run_ids: list[int], totals: RegisterTotals) -> Iterator[tuple]:
    """Every payslip of the runs as a CSV row, then the totals row."""
    width = len(totals.columns)
    for values in stream(_register_queryset(run_ids, [c.code for c in totals.columns])):
        row = _register_row(values, width)
        yield (
            row.personnel_number,
            row.name,
            row.department,
            row.run_kind,
            row.gross,
            *row.amounts,
            row.deductions,
            row.net,
            row.employer_contributions,
            row.pay_method,
        )
    yield (
        str(_("Total")),
        "",
        "",
        "",
        totals.gross,
        *[c.total for c in totals.columns],
        totals.deductions,
        totals.net,
        totals.employer_contributions,
        "",
    )


# --- Year-to-date totals per employee --------------------------------------------------------


@dataclass(frozen=True)
class YtdRow:
    personnel_number: str
    name: str
    department: str
    payslips: int
    gross: Decimal
    deductions: Decimal
    net: Decimal
    employer_contributions: Decimal


@dataclass(frozen=True)
class YtdTotals:
    employees: int
    payslips: int
    gross: Decimal
    deductions: Decimal
    net: Decimal
    employer_contributions: Decimal


YTD_HEADER = (
    _("Personnel number"),
    _("Name"),
    _("Department"),
    _("Payslips"),
    _("Gross pay"),
    _("Deductions"),
    _("Net pay"),
    _("Employer contributions"),
)


def _paid_in_year(year: int) -> QuerySet[Payslip]:
    """Payslips of paid runs whose payday falls in ``year`` (pay counts in the year it is paid,
    as wage tax does)."""
    return Payslip.objects.filter(
        run__status=PAID,
        run__period__payday__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)),
    )


def _ytd_queryset(year: int) -> QuerySet:
    return (
        _paid_in_year(year)
        .values("employee_id")
        .annotate(
            payslips=Count("id"),
            gross_total=Sum("gross"),
            deductions_total=Sum("deductions"),
            net_total=Sum("net"),
            employer_total=Sum("employer_contributions"),
        )
        .order_by("employee__personnel_number")
        .values_list(
            "employee__personnel_number",
            "employee__last_name",
            "employee__first_name",
            "employee__department__code",
            "payslips",
            "gross_total",
            "deductions_total",
            "net_total",
            "employer_total",
        )
    )


def _ytd_row(values: tuple) -> YtdRow:
    number, last, first, department, payslips, gross, deductions, net, employer = values
    return YtdRow(
        personnel_number=number,
        name=_name(last, first),
        department=department,
        payslips=payslips,
        gross=gross,
        deductions=deductions,
        net=net,
        employer_contributions=employer,
    )


def ytd_page(*, year: int, after: str | None, limit: int) -> tuple[list[YtdRow], str | None]:
    """One page of employees (personnel-number order, after ``after``) with their totals of
    the year, aggregated in SQL; and where the next page starts (None on the last)."""
    qs = _ytd_queryset(year)
    if after:
        qs = qs.filter(employee__personnel_number__gt=after)
    rows = [_ytd_row(values) for values in qs[: limit + 1]]
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].personnel_number
    return rows, None


def ytd_totals(*, year: int) -> YtdTotals:
    return YtdTotals(
        **_paid_in_year(year).aggregate(
            employees=Count("employee_id", distinct=True),
            payslips=Count("id"),
            gross=_sum("gross"),
            deductions=_sum("deductions"),
            net=_sum("net"),
            employer_contributions=_sum("employer_contributions"),
        )
    )


def ytd_csv_rows(*, year: int, totals: YtdTotals) -> Iterator[tuple]:
    """Every employee paid in ``year`` with their totals, then the totals row."""
    for values in stream(_ytd_queryset(year)):
        row = _ytd_row(values)
        yield (
            row.personnel_number,
            row.name,
            row.department,
            row.payslips,
            row.gross,
            row.deductions,
            row.net,
            row.employer_contributions,
        )
    yield (
        str(_("Total")),
        "",
        "",
        totals.payslips,
        totals.gross,
        totals.deductions,
        totals.net,
        totals.employer_contributions,
    )
