"""Reads for the payday dashboard: runs, review totals per department, the change against the
previous paid run, and the payslip list. Aggregates in SQL; a fixed number of queries whatever
the number of employees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Abs
from django.db.models.lookups import GreaterThan, IsNull

from accounting.models import FiscalYear
from accounting.services import budget_statuses
from backoffice.money import ZERO, money_field
from hr.models import Department
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
    # Payslips of the department more than the percentage away from their previous net.
    large_changes: int = 0

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


def _previous_paid_runs(run: PayrollRun) -> QuerySet[PayrollRun]:
    return PayrollRun.objects.filter(
        period__schedule_id=run.period.schedule_id,
        period__start__lt=run.period.start,
        kind=PayrollRun.Kind.REGULAR,
        status=PayrollRun.Status.PAID,
    ).order_by("-period__start")


def previous_paid_run(*, run: PayrollRun) -> PayrollRun | None:
    """The last paid regular run of the same schedule before this run's period."""
    return _previous_paid_runs(run).first()


def previous_nets(*, run: PayrollRun, employee_ids: list[int]) -> dict[int, Decimal]:
    """Each employee's net in the previous paid run (``previous_paid_run``), for the payslips
    of ``run`` to keep: one query, the previous run found in a subquery."""
    previous = _previous_paid_runs(run).values("pk")[:1]
    return dict(
        Payslip.objects.filter(run_id=Subquery(previous), employee_id__in=employee_ids)
        .order_by()
        .values_list("employee_id", "net")
    )


def department_totals(
    *, run: PayrollRun, previous: PayrollRun | None, percent: Decimal
) -> list[DepartmentTotals]:
    """Gross, deductions, net and employer contributions per department, with the previous
    run's net per department and the number of large changes among the payslips; two
    queries."""
    prev = {}
    if previous is not None:
        prev = dict(
            Payslip.objects.filter(run=previous)
            .order_by()  # no join to the run and period for the inherited ordering
            .values("department_id")
            .annotate(n=Sum("net"))
            .values_list("department_id", "n")
        )
    qs, prior = _prior_net(Payslip.objects.filter(run=run), run=run, previous=previous)
    rows = (
        qs.values("department_id", "department__code", "department__name")
        .annotate(
            c=Count("id"),
            g=Sum("gross"),
            d=Sum("deductions"),
            n=Sum("net"),
            e=Sum("employer_contributions"),
            large=Count("id", filter=_large_change(prior, percent)),
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
                large_changes=r["large"],
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


def previous_net_is_stored(*, run: PayrollRun, previous: PayrollRun | None) -> bool:
    """Whether the payslips' stored ``previous_net`` is the net of ``previous``: the chunks
    write it against the previous paid run of their time, so it holds when that run was paid
    before this run's calculation began (the usual order: last month is paid first)."""
    if previous is None:
        return True
    started, paid = run.calculation_started_at, previous.paid_at
    return started is not None and paid is not None and paid <= started


def _prior_net(
    qs: QuerySet[Payslip], *, run: PayrollRun, previous: PayrollRun | None
) -> tuple[QuerySet[Payslip], Expression]:
    """The employee's net in ``previous`` (None without a payslip there) as an expression on
    the run's payslips: the stored column when it is current; otherwise one join to the
    previous run's payslip (a run calculated before the previous one was paid)."""
    if previous is None:
        return qs, Value(None, output_field=money_field())
    if previous_net_is_stored(run=run, previous=previous):
        return qs, F("previous_net")
    return (
        qs.alias(
            prior_slip=FilteredRelation(
                "employee__payslips", condition=Q(employee__payslips__run=previous)
            )
        ),
        F("prior_slip__net"),
    )


def _large_change(prior: Expression, percent: Decimal) -> Q:
    """More than ``percent`` away from the previous net (never without one)."""
    return Q(IsNull(prior, False)) & Q(
        GreaterThan(Abs(F("net") - prior), Abs(prior) * percent / 100)
    )


def payslips_for_review(
    *, run: PayrollRun, previous: PayrollRun | None, percent: Decimal, large_only: bool = False
) -> QuerySet[Payslip]:
    """A run's payslips with the employee's net of the previous paid run (``prior_net``), by
    personnel number; ``large_only`` keeps the large changes."""
    if previous is None and large_only:
        return Payslip.objects.none()
    qs, prior = _prior_net(
        Payslip.objects.filter(run=run).select_related("employee", "department"),
        run=run,
        previous=previous,
    )
    qs = qs.annotate(prior_net=prior)
    if large_only:
        qs = qs.filter(_large_change(prior, percent))
    return qs.order_by("employee__personnel_number", "pk")


def large_change_count(*, run: PayrollRun, previous: PayrollRun | None, percent: Decimal) -> int:
    """The payslips more than ``percent`` away from the previous net: a comparison of two
    columns of the run's payslips (one index range, no subquery per payslip). The run page
    takes the same count from ``department_totals``."""
    if previous is None:
        return 0
    qs, prior = _prior_net(Payslip.objects.filter(run=run), run=run, previous=previous)
    return qs.filter(_large_change(prior, percent)).order_by().count()


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
    # Per department one probe for a profile on the schedule (a semi-join over a handful of
    # departments), not a DISTINCT over every employee's profile.
    department_ids = set(
        Department.objects.filter(
            Exists(
                PayProfile.objects.filter(
                    schedule_id=period.schedule_id, employee__department_id=OuterRef("pk")
                )
            )
        )
        .order_by()
        .values_list("pk", flat=True)
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
