"""Reads for the payday dashboard: runs, review totals per department, the change against the
previous paid run, and the payslip list. Aggregates in SQL; a fixed number of queries whatever
the number of employees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Abs

from accounting.models import FiscalYear
from accounting.services import budget_statuses
from backoffice.money import ZERO
from payroll.models import PayPeriod, PayProfile, PayrollRun, Payslip, PayslipError

BUDGET_WARN_PERCENT = 80
# Periods are created on demand; a typo in the year must not create one in the year 9999.
MONTHS_YEARS_AROUND = 10


@dataclass(frozen=True)
class DepartmentTotals:
    department_id: int
    code: str
    name: str
    payslips: int
    gross: Decimal
    deductions: Decimal
    net: Decimal
    employer_contributions: Decimal
    previous_net: Decimal | None
    flagged: bool

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_net is None else self.net - self.previous_net

    @property
    def change_percent(self) -> Decimal | None:
        if self.previous_net is None or not self.previous_net:
            return None
        return (self.net - self.previous_net) * 100 / self.previous_net


def change_is_large(*, current: Decimal, previous: Decimal | None, percent: Decimal) -> bool:
    """More than ``percent`` away from the previous amount (anything, from zero)."""
    if previous is None:
        return False
    return abs(current - previous) * 100 > abs(previous) * percent


def run_for_period(*, period: PayPeriod, kind: str = PayrollRun.Kind.REGULAR) -> PayrollRun | None:
    return PayrollRun.objects.filter(period=period, kind=kind).first()


def run_get(*, pk: int) -> PayrollRun | None:
    return (
        PayrollRun.objects.select_related(
            "period__schedule", "calculated_by", "approved_by", "paid_by", "cancelled_by", "entry"
        )
        .filter(pk=pk)
        .first()
    )


def runs_recent(*, limit: int = 12) -> list[PayrollRun]:
    return list(
        PayrollRun.objects.select_related("period__schedule").order_by("-period__start", "kind")[
            :limit
        ]
    )


def previous_paid_run(*, run: PayrollRun) -> PayrollRun | None:
    """The last paid regular run of the same schedule before this run's period."""
    return (
        PayrollRun.objects.filter(
            period__schedule_id=run.period.schedule_id,
            period__start__lt=run.period.start,
            kind=PayrollRun.Kind.REGULAR,
            status=PayrollRun.Status.PAID,
        )
        .order_by("-period__start")
        .first()
    )


def department_totals(
    *, run: PayrollRun, previous: PayrollRun | None, percent: Decimal
) -> list[DepartmentTotals]:
    """Gross, deductions, net and employer contributions per department, with the previous
    run's net per department; two queries."""
    prev = {}
    if previous is not None:
        prev = dict(
            Payslip.objects.filter(run=previous)
            .values("department_id")
            .annotate(n=Sum("net"))
            .values_list("department_id", "n")
        )
    rows = (
        Payslip.objects.filter(run=run)
        .values("department_id", "department__code", "department__name")
        .annotate(
            c=Count("id"),
            g=Sum("gross"),
            d=Sum("deductions"),
            n=Sum("net"),
            e=Sum("employer_contributions"),
        )
        .order_by("department__code")
    )
    result = []
    for r in rows:
        previous_net = prev.get(r["department_id"]) if previous is not None else None
        if previous is not None and previous_net is None:
            previous_net = ZERO
        result.append(
            DepartmentTotals(
                department_id=r["department_id"],
                code=r["department__code"],
                name=r["department__name"],
                payslips=r["c"],
                gross=r["g"],
                deductions=r["d"],
                net=r["n"],
                employer_contributions=r["e"],
                previous_net=previous_net,
                flagged=change_is_large(current=r["n"], previous=previous_net, percent=percent),
            )
        )
    return result


def totals_sum(rows: list[DepartmentTotals]) -> dict:
    return {
        "payslips": sum(r.payslips for r in rows),
        "gross": sum((r.gross for r in rows), ZERO),
        "deductions": sum((r.deductions for r in rows), ZERO),
        "net": sum((r.net for r in rows), ZERO),
        "employer_contributions": sum((r.employer_contributions for r in rows), ZERO),
    }


def _large_change_q(percent: Decimal) -> Q:
    return Q(previous_net__isnull=False) & Q(change_abs__gt=Abs(F("previous_net")) * percent / 100)


def payslips_for_review(
    *, run: PayrollRun, previous: PayrollRun | None, percent: Decimal, large_only: bool = False
) -> QuerySet[Payslip]:
    """A run's payslips with the employee's net of the previous paid run (``previous_net``),
    by personnel number; ``large_only`` keeps the large changes."""
    qs = Payslip.objects.filter(run=run).select_related("employee", "department")
    if previous is not None:
        qs = qs.annotate(
            previous_net=Subquery(
                Payslip.objects.filter(run=previous, employee_id=OuterRef("employee_id")).values(
                    "net"
                )[:1],
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        ).annotate(change_abs=Abs(F("net") - F("previous_net")))
        if large_only:
            qs = qs.filter(_large_change_q(percent))
    elif large_only:
        qs = qs.none()
    return qs.order_by("employee__personnel_number", "pk")


def large_change_count(*, run: PayrollRun, previous: PayrollRun | None, percent: Decimal) -> int:
    if previous is None:
        return 0
    return payslips_for_review(run=run, previous=previous, percent=percent, large_only=True).count()


def payslip_errors(*, run: PayrollRun, limit: int = 100) -> list[PayslipError]:
    return list(
        PayslipError.objects.filter(run=run)
        .select_related("employee")
        .order_by("employee__personnel_number")[:limit]
    )


def payslip_for_review(*, run_pk: int, pk: int) -> Payslip | None:
    return (
        Payslip.objects.select_related("employee", "department", "run__period", "cheque")
        .prefetch_related("lines")
        .filter(run_id=run_pk, pk=pk)
        .first()
    )


def previous_payslip(*, payslip: Payslip) -> Payslip | None:
    previous = previous_paid_run(run=payslip.run)
    if previous is None:
        return None
    return Payslip.objects.filter(run=previous, employee_id=payslip.employee_id).first()


def budget_warnings(*, period: PayPeriod) -> list:
    """Budgets at or above 80 % in the payday's fiscal year for the departments of the
    schedule's employees."""
    fiscal_year = FiscalYear.objects.filter(year=period.payday.year).first()
    if fiscal_year is None:
        return []
    department_ids = set(
        PayProfile.objects.filter(schedule_id=period.schedule_id)
        .values_list("employee__department_id", flat=True)
        .distinct()
    )
    if not department_ids:
        return []
    return [
        status
        for status in budget_statuses(fiscal_year=fiscal_year, department_ids=department_ids)
        if status.percent >= BUDGET_WARN_PERCENT
    ]


def periods_of_month(*, schedule, first: datetime.date) -> list:
    """The schedule's periods that begin in the month of ``first`` (at least the one that
    contains the 1st): one for a monthly schedule, two or three for a biweekly one."""
    from payroll.services.schedules import pay_period_for

    periods = [pay_period_for(schedule=schedule, day=first)]
    while True:
        nxt = periods[-1].end + datetime.timedelta(days=1)
        if nxt.month != first.month or nxt.year != first.year:
            return periods
        periods.append(pay_period_for(schedule=schedule, day=nxt))


def month_start(value: str | None, default: datetime.date) -> datetime.date:
    """``YYYY-MM`` (an <input type=month>) as the month's first day, within ten years of
    ``default``; ``default``'s month otherwise."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if abs(year - default.year) > MONTHS_YEARS_AROUND:
            raise ValueError(year)
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return default.replace(day=1)
