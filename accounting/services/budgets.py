"""Budgets: the guard before spend is written, commitments, and the threshold checks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounting.models import (
    Account,
    Budget,
    BudgetAlert,
    Commitment,
    FiscalYear,
    LedgerBalance,
)
from backoffice import roles
from backoffice.money import ZERO, format_money
from backoffice.services import notify
from backoffice.stored_text import Money, stored
from hr.models import Department

THRESHOLDS = (80, 100)


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    actual: Decimal
    committed: Decimal

    @property
    def used(self) -> Decimal:
        return self.actual + self.committed

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.used

    @property
    def percent(self) -> int:
        if self.budget.amount <= 0:
            return 100 if self.used > 0 else 0
        return int(self.used * 100 / self.budget.amount)


class BudgetExceeded(Exception):
    pass


def _budget_label(budget: Budget) -> str:
    target = budget.account.number if budget.account_id else f"{budget.account_group}*"
    return f"{budget.department.code} {budget.fiscal_year.year} {target}"


def budget_statuses(*, fiscal_year: FiscalYear, department_ids=None) -> list[BudgetStatus]:
    """Actual (posted) and committed spend of every budget of a year, in three queries
    whatever the number of ledger lines (the running balances hold the sums)."""
    budgets = list(
        Budget.objects.filter(fiscal_year=fiscal_year)
        .select_related("department", "account", "fiscal_year")
        .order_by("department__code", "account_group", "account__number")
    )
    if department_ids is not None:
        budgets = [b for b in budgets if b.department_id in department_ids]
    if not budgets:
        return []
    dept_ids = {b.department_id for b in budgets}
    group_of = dict(Account.objects.values_list("pk", "group"))
    spent: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for dept_id, account_id, debit, credit in (
        LedgerBalance.objects.filter(fiscal_year=fiscal_year, department_id__in=dept_ids)
        .values("department_id", "account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("department_id", "account_id", "d", "c")
    ):
        spent[(dept_id, account_id)] += debit - credit
    committed: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for dept_id, account_id, amount in (
        Commitment.objects.filter(
            fiscal_year=fiscal_year, department_id__in=dept_ids, closed_at__isnull=True
        )
        .values("department_id", "account_id")
        .annotate(a=Sum("amount"))
        .values_list("department_id", "account_id", "a")
    ):
        committed[(dept_id, account_id)] += amount

    def matches(budget: Budget, account_id: int) -> bool:
        if budget.account_id:
            return budget.account_id == account_id
        return group_of.get(account_id) == budget.account_group

    result = []
    for budget in budgets:
        actual = sum(
            (v for (d, a), v in spent.items() if d == budget.department_id and matches(budget, a)),
            ZERO,
        )
        com = sum(
            (
                v
                for (d, a), v in committed.items()
                if d == budget.department_id and matches(budget, a)
            ),
            ZERO,
        )
        result.append(BudgetStatus(budget=budget, actual=actual, committed=com))
    return result


def budget_guard(
    *, department, account: Account, amount: Decimal, date: datetime.date
) -> list[str]:
    """Before spend is written: refuse (block policy) or return warnings (warn policy) for
    every budget that ``amount`` more would exceed. Writes nothing."""
    fy = FiscalYear.objects.filter(year=date.year).first()
    if fy is None:
        return []
    return _guard({(fy.pk, department.pk if department else None, account.pk): amount}, {fy.pk: fy})


def budget_guard_lines(*, items: Iterable[tuple[FiscalYear, object]]) -> list[str]:
    """The guard for a batch of ledger lines (``accounting.services.ledger.Line``)."""
    net: dict[tuple[int, int | None, int], Decimal] = defaultdict(lambda: ZERO)
    years: dict[int, FiscalYear] = {}
    for fy, line in items:
        if line.department_id is None:
            continue
        years[fy.pk] = fy
        sign = 1 if line.side == "D" else -1
        net[(fy.pk, line.department_id, line.account_id)] += sign * line.amount
    return _guard({k: v for k, v in net.items() if v > 0}, years)


def _guard(spend: dict[tuple[int, int | None, int], Decimal], years: dict) -> list[str]:
    from accounting.services.ledger import PostingRefused

    if not spend:
        return []
    warnings = []
    group_of = dict(
        Account.objects.filter(pk__in={a for _f, _d, a in spend}).values_list("pk", "group")
    )
    for fy_id, fy in years.items():
        dept_ids = {d for f, d, _a in spend if f == fy_id}
        if not Budget.objects.filter(fiscal_year_id=fy_id, department_id__in=dept_ids).exists():
            continue
        for status in budget_statuses(fiscal_year=fy, department_ids=dept_ids):
            budget = status.budget
            extra = sum(
                (
                    amount
                    for (f, d, a), amount in spend.items()
                    if f == fy_id
                    and d == budget.department_id
                    and (
                        budget.account_id == a
                        if budget.account_id
                        else group_of.get(a) == budget.account_group
                    )
                ),
                ZERO,
            )
            if extra <= 0 or status.used + extra <= budget.amount:
                continue
            message = _(
                "Budget %(budget)s would be exceeded: %(used)s used of %(amount)s, "
                "%(extra)s more requested."
            ) % {
                "budget": _budget_label(budget),
                "used": format_money(status.used),
                "amount": format_money(budget.amount),
                "extra": format_money(extra),
            }
            if budget.policy == Budget.Policy.BLOCK:
                raise PostingRefused(message)
            warnings.append(message)
    return warnings


@transaction.atomic
def commitment_open(
    *, source: str, department, account: Account, amount: Decimal, date: datetime.date
) -> Commitment:
    """Record ordered-but-not-posted spend (checked against the budget first). Idempotent.
    Runs under the ledger lock, so two orders at once cannot together pass a block budget."""
    from accounting.services.ledger import LEDGER_LOCK

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])
    existing = Commitment.objects.filter(source=source).first()
    if existing:
        return existing
    budget_guard(department=department, account=account, amount=amount, date=date)
    fy = FiscalYear.objects.get(year=date.year)
    commitment = Commitment(
        source=source, department=department, account=account, fiscal_year=fy, amount=amount
    )
    commitment.full_clean()
    commitment.save()
    return commitment


@transaction.atomic
def commitment_close(*, source: str) -> int:
    return Commitment.objects.filter(source=source, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


def budget_check_after_commit(*, department_ids: set) -> None:
    """After postings commit, check the budgets of the departments they touched."""
    ids = sorted(d for d in department_ids if d is not None)
    if not ids:
        return
    from accounting.tasks import budgets_check

    transaction.on_commit(lambda: budgets_check.delay(department_ids=ids))


def budgets_check(*, today: datetime.date | None = None, department_ids=None) -> int:
    """Notify the department head and the accountants when a budget crosses 80 % and 100 %,
    once per threshold (BudgetAlert's unique constraint remembers). Returns alerts sent."""
    today = today or timezone.localdate()
    fy = FiscalYear.objects.filter(year=today.year).first()
    if fy is None:
        return 0
    statuses = budget_statuses(fiscal_year=fy, department_ids=department_ids)
    already = set(
        BudgetAlert.objects.filter(budget__fiscal_year=fy).values_list("budget_id", "threshold")
    )
    due = [
        (s, t)
        for s in statuses
        for t in THRESHOLDS
        if s.percent >= t and (s.budget.pk, t) not in already
    ]
    if not due:
        return 0
    accountants = list(
        get_user_model().objects.filter(groups__name=roles.ACCOUNTANT, is_active=True)
    )
    dept_ids = {s.budget.department_id for s, _t in due}
    heads = {
        d.pk: d.head.user
        for d in Department.objects.filter(
            pk__in=dept_ids, head__user__is_active=True
        ).select_related("head__user")
    }
    sent = 0
    link = reverse("accounting:budget_dashboard")
    for status, threshold in due:
        try:
            with transaction.atomic():
                BudgetAlert.objects.create(budget=status.budget, threshold=threshold)
                users = list(accountants)
                head = heads.get(status.budget.department_id)
                if head:
                    users.append(head)
                notify(
                    users=users,
                    subject=stored(
                        gettext_noop("Budget %(budget)s has reached %(threshold)d %%"),
                        budget=_budget_label(status.budget),
                        threshold=threshold,
                    ),
                    body=stored(
                        gettext_noop("Used %(used)s of %(amount)s (%(percent)d %%)."),
                        used=Money(status.used),
                        amount=Money(status.budget.amount),
                        percent=status.percent,
                    ),
                    link=link,
                )
                sent += 1
        except IntegrityError:
            # Another worker notified this threshold at the same moment.
            continue
    return sent
