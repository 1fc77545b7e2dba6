"""Pay calculation: pure Python with Decimal, no database.

Rounding happens once per payslip line (half up, to the cent); totals are sums of rounded
lines, so the payslip, the ledger entry and the bank file agree to the cent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.money import ZERO, format_quantity, round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RuleSpec:
    id: int
    code: str
    name: str
    kind: str  # "percent" | "fixed"
    employee_rate: Decimal
    employer_rate: Decimal
    employee_amount: Decimal
    employer_amount: Decimal
    monthly_ceiling: Decimal | None
    annual_ceiling: Decimal | None
    base_rule_id: int | None
    applies_to: str  # "all" | "church"
    liability_account_id: int
    employer_expense_account_id: int | None


@dataclass(frozen=True)
class LateHours:
    """Approved hours of an earlier period that no paid payslip holds (recorded after it was
    paid): paid now as a correction line naming the period and its days."""

    period_label: str
    days: tuple[datetime.date, ...]
    hours: Decimal


@dataclass(frozen=True)
class EmployeeInput:
    employee_id: int
    department_id: int
    hire_date: datetime.date
    termination_date: datetime.date | None
    hourly_rate: Decimal | None
    monthly_salary: Decimal | None
    church_member: bool
    deductions_exempt: bool
    # Approved hours in the period by ISO (year, week).
    weekly_hours: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    # Hours of the same ISO week worked before the period began (paid with the previous
    # period): they count first towards the week's overtime threshold.
    weekly_hours_before: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    # Base already used this calendar year per rule with an annual ceiling (paid runs' gross,
    # capped by the ceiling): an approximation the rules' help text states.
    ytd_bases: dict[int, Decimal] = field(default_factory=dict)
    # Approved absences in the period (hr.selectors.absences), in working days.
    unpaid_leave_days: Decimal = ZERO
    # Paid leave of hourly staff, by kind ("vacation", "special_leave", "sick").
    paid_leave_days: dict[str, Decimal] = field(default_factory=dict)
    # Hours a working day averaged over the reference weeks (None: nothing to average).
    average_daily_hours: Decimal | None = None
    reference_weeks: int = 13
    # An off-cycle payslip: whether it pays the period's salary or hours (a late hire) or
    # only one-off amounts (a bonus, a final payout), and those amounts as (code, label,
    # amount) earnings, taxed with the payslip's other earnings.
    pays_period: bool = True
    one_off: tuple[tuple[str, str, Decimal], ...] = ()
    # Hours of earlier periods recorded late, one item per period.
    late_hours: tuple[LateHours, ...] = ()


@dataclass(frozen=True)
class PeriodInput:
    start: datetime.date
    end: datetime.date
    frequency: str  # "monthly" | "biweekly"
    # The company's working days in the period (weekdays less public holidays).
    working_days: int = 0


def _paid_leave_labels() -> dict[str, str]:
    return {
        "vacation": _("Vacation pay"),
        "special_leave": _("Special leave pay"),
        "sick": _("Sick pay"),
    }


@dataclass
class SlipLine:
    kind: str  # earning | deduction | employer
    code: str
    label: str
    amount: Decimal
    quantity: Decimal | None = None
    rate: Decimal | None = None
    account_id: int | None = None


@dataclass
class SlipResult:
    employee_id: int
    hours: Decimal
    overtime_hours: Decimal
    lines: list[SlipLine]

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == "earning"), ZERO)

    @property
    def deductions(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == "deduction"), ZERO)

    @property
    def employer_contributions(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == "employer"), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.deductions


class CalculationError(Exception):
    """A reason one employee cannot be paid; shown on the dashboard, naming the employee."""


def _paid_leave_lines(emp: EmployeeInput) -> list[SlipLine]:
    """Hourly staff's vacation, special leave and sick days, paid at the hours of an average
    working day of the reference weeks times the hourly rate (§11 BUrlG, §4 EFZG: the rate
    without overtime premium; a configurable simplification, not a certified calculation)."""
    lines = []
    for kind, label in _paid_leave_labels().items():
        days = emp.paid_leave_days.get(kind, ZERO)
        if not days:
            continue
        if not emp.average_daily_hours:
            raise CalculationError(
                _(
                    "%(days)s days of %(kind)s to pay, but no approved hours in the last "
                    "%(weeks)d weeks or in the period, and no weekly hours in the personnel "
                    "file to average."
                )
                % {"days": format_quantity(days), "kind": label, "weeks": emp.reference_weeks}
            )
        hours = days * emp.average_daily_hours
        lines.append(
            SlipLine(
                "earning",
                f"{kind}_pay",
                _("%(label)s: %(days)s days at the %(weeks)d-week average of %(hours)s h a day")
                % {
                    "label": label,
                    "days": format_quantity(days),
                    "weeks": emp.reference_weeks,
                    "hours": emp.average_daily_hours.quantize(Decimal("0.01")),
                },
                round_money(hours * emp.hourly_rate),
                quantity=hours,
                rate=emp.hourly_rate,
            )
        )
    return lines


def days_text(days) -> str:
    """``02.–04.03., 09.03.``: runs of consecutive days joined, for a payslip line."""
    runs: list[list[datetime.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(f"{first:%d.%m.}")
        elif first.month == last.month:
            parts.append(f"{first:%d.}–{last:%d.%m.}")
        else:
            parts.append(f"{first:%d.%m.}–{last:%d.%m.}")
    return ", ".join(parts)


LABEL_MAX = 255


def _late_hours_lines(emp: EmployeeInput) -> list[SlipLine]:
    """Late hours at today's hourly rate, one line per period, without overtime premium (a
    simplification: the week's threshold was settled with that period's payslip)."""
    lines = []
    for late in emp.late_hours:
        if not late.hours:
            continue
        label = _("Late hours for %(period)s: dates %(days)s") % {
            "period": late.period_label,
            "days": days_text(late.days),
        }
        if len(label) > LABEL_MAX:
            label = label[: LABEL_MAX - 1] + "…"
        lines.append(
            SlipLine(
                "earning",
                "late_hours",
                label,
                round_money(late.hours * emp.hourly_rate),
                quantity=late.hours,
                rate=emp.hourly_rate,
            )
        )
    return lines


def _employed_days(emp: EmployeeInput, period: PeriodInput) -> tuple[int, int]:
    start = max(period.start, emp.hire_date)
    end = min(period.end, emp.termination_date) if emp.termination_date else period.end
    total = (period.end - period.start).days + 1
    return max(0, (end - start).days + 1), total


def calculate(
    emp: EmployeeInput,
    period: PeriodInput,
    rules: list[RuleSpec],
    *,
    overtime_threshold: Decimal,
    overtime_premium: Decimal,
    minimum_wage: Decimal,
) -> SlipResult:
    lines: list[SlipLine] = []
    hours = sum(emp.weekly_hours.values(), ZERO) if emp.pays_period else ZERO
    overtime = ZERO
    if not emp.pays_period:
        pass  # one-off amounts only: the period's pay is another run's
    elif emp.hourly_rate is not None:
        if emp.hourly_rate < minimum_wage:
            raise CalculationError(
                _("Hourly rate %(rate)s is below the minimum wage %(minimum)s.")
                % {"rate": emp.hourly_rate, "minimum": minimum_wage}
            )
        # Overtime is per ISO week. A week that began in the previous period counts its
        # earlier hours first; only the overtime that falls into this period is paid here.
        overtime = ZERO
        for week, inside in emp.weekly_hours.items():
            before = emp.weekly_hours_before.get(week, ZERO)
            overtime += max(ZERO, before + inside - overtime_threshold) - max(
                ZERO, before - overtime_threshold
            )
        regular = hours - overtime
        if regular:
            lines.append(
                SlipLine(
                    "earning",
                    "hours",
                    _("Hours worked"),
                    round_money(regular * emp.hourly_rate),
                    quantity=regular,
                    rate=emp.hourly_rate,
                )
            )
        if overtime:
            rate = emp.hourly_rate * (1 + overtime_premium)
            lines.append(
                SlipLine(
                    "earning",
                    "overtime",
                    _("Overtime"),
                    round_money(overtime * rate),
                    quantity=overtime,
                    rate=rate,
                )
            )
        lines += _paid_leave_lines(emp)
        lines += _late_hours_lines(emp)
    elif emp.monthly_salary is not None:
        salary = emp.monthly_salary
        if period.frequency == "biweekly":
            salary = emp.monthly_salary * 12 / 26
        days, total = _employed_days(emp, period)
        if days < total:
            label = _("Salary (%(days)d of %(total)d days)") % {"days": days, "total": total}
            salary = salary * days / total
        else:
            label = _("Salary")
        if emp.unpaid_leave_days and period.working_days:
            # Unpaid leave: salary x unpaid working days / working days of the period, taken
            # off the salary line itself (rounded once, with the line).
            unpaid = min(emp.unpaid_leave_days, Decimal(period.working_days))
            label = _("%(label)s less unpaid leave (%(days)s of %(total)d working days)") % {
                "label": label,
                "days": format_quantity(unpaid),
                "total": period.working_days,
            }
            salary = salary * (period.working_days - unpaid) / period.working_days
        if days:
            lines.append(SlipLine("earning", "salary", label, round_money(salary)))
    else:
        raise CalculationError(_("The pay profile has neither an hourly rate nor a salary."))

    lines += [
        SlipLine("earning", code, label, round_money(amount)) for code, label, amount in emp.one_off
    ]
    gross = sum((ln.amount for ln in lines), ZERO)
    if not emp.deductions_exempt and gross > 0:
        employee_share: dict[int, Decimal] = {}
        for rule in rules:
            if rule.applies_to == "church" and not emp.church_member:
                continue
            if rule.kind == "fixed" and not emp.pays_period:
                continue  # a fixed amount is due once a period, with the period's pay
            if rule.kind == "fixed":
                ee, er = rule.employee_amount, rule.employer_amount
            else:
                if rule.base_rule_id is not None:
                    base = employee_share.get(rule.base_rule_id, ZERO)
                else:
                    base = gross
                    if rule.monthly_ceiling is not None:
                        base = min(base, rule.monthly_ceiling)
                    if rule.annual_ceiling is not None:
                        left = rule.annual_ceiling - emp.ytd_bases.get(rule.id, ZERO)
                        base = min(base, max(ZERO, left))
                ee = round_money(base * rule.employee_rate / HUNDRED)
                er = round_money(base * rule.employer_rate / HUNDRED)
            employee_share[rule.id] = ee
            if ee:
                lines.append(
                    SlipLine(
                        "deduction", rule.code, rule.name, ee,
                        rate=rule.employee_rate if rule.kind == "percent" else None,
                        account_id=rule.liability_account_id,
                    )
                )  # fmt: skip
            if er:
                lines.append(
                    SlipLine(
                        "employer", rule.code, rule.name, er,
                        rate=rule.employer_rate if rule.kind == "percent" else None,
                        account_id=rule.liability_account_id,
                    )
                )  # fmt: skip
    result = SlipResult(emp.employee_id, hours, overtime, lines)
    if result.net < 0:
        raise CalculationError(_("Deductions exceed the gross pay."))
    return result
