"""Off-cycle runs: a correction or one-off run for employees the payroll clerk names.

Each entry names an employee and a reason: a late hire is paid the period's salary or hours
that the regular run left out (never a period another run pays); a final payout at
termination and a bonus pay only their amount, taxed with the payslip's other earnings. The
run then goes the regular run's way: calculated in chunks, approved by a second person, paid
once (its own journal entry, bank file and cheques), payslips published.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.money import ZERO, round_money
from backoffice.services import notify
from backoffice.stored_text import stored
from hr.models import Employee
from payroll.models import (
    OffCycleItem,
    PayPeriod,
    PayrollChunk,
    PayrollRun,
    Payslip,
    PayslipError,
    PayslipLine,
)
from payroll.services.approvals import approvers
from payroll.services.payday import (
    PaydayRefused,
    _offcycle_employees_check,
    _refuse_if_blocked,
    _run_locked,
    _start_fresh,
)

MAX_ENTRIES = 50
# Ten digits before the decimal point: far above any one-off payment, far below the column.
AMOUNT_LIMIT = Decimal("10000000000")
TEXT_MAX = OffCycleItem._meta.get_field("text").max_length


@dataclass(frozen=True)
class OffCycleEntry:
    employee_id: int
    kind: str
    amount: Decimal = ZERO
    text: str = ""


def _entries_check(entries: list[OffCycleEntry]) -> None:
    """Amounts and texts, before anything else is read: every problem at once, naming the
    employee."""
    if len(entries) > MAX_ENTRIES:
        raise PaydayRefused(
            _("An off-cycle run takes at most %(limit)d entries.") % {"limit": MAX_ENTRIES}
        )
    names = dict(
        Employee.objects.filter(pk__in={e.employee_id for e in entries}).values_list(
            "pk", "personnel_number"
        )
    )
    problems = []
    for entry in entries:
        who = names.get(entry.employee_id, str(entry.employee_id))
        if entry.kind not in OffCycleItem.Kind.values:
            problems.append(_("%(employee)s: choose a reason.") % {"employee": who})
        elif not isinstance(entry.amount, Decimal) or not entry.amount.is_finite():
            problems.append(_("%(employee)s: the amount is not a number.") % {"employee": who})
        elif entry.amount < 0:
            problems.append(_("%(employee)s: an amount cannot be negative.") % {"employee": who})
        elif entry.amount >= AMOUNT_LIMIT or entry.amount != round_money(entry.amount):
            problems.append(
                _("%(employee)s: the amount must be below 10,000,000,000 with at most two "
                  "decimal places.") % {"employee": who}
            )  # fmt: skip
        elif entry.kind != OffCycleItem.Kind.LATE_HIRE and not entry.amount:
            problems.append(
                _("%(employee)s: the reason “%(reason)s” needs an amount above zero.")
                % {"employee": who, "reason": OffCycleItem.Kind(entry.kind).label}
            )
        if len(entry.text) > TEXT_MAX or "\x00" in entry.text:
            problems.append(
                _("%(employee)s: the text takes at most %(limit)d characters.")
                % {"employee": who, "limit": TEXT_MAX}
            )
    if problems:
        raise PaydayRefused(problems)


def _late_hires_named_elsewhere_check(*, period: PayPeriod, employee_ids: list[int]) -> None:
    """A late hire named by another off-cycle run of the period whose payslips are not
    written yet (its chunk waits for a worker) would be refused only when that chunk runs:
    refuse it now, naming the run. (The database refuses a second payslip anyway.)"""
    if not employee_ids:
        return
    taken = list(
        OffCycleItem.objects.filter(
            run__period=period, kind=OffCycleItem.Kind.LATE_HIRE, employee_id__in=employee_ids
        )
        .exclude(run__status=PayrollRun.Status.CANCELLED)
        .select_related("employee", "run")
        .order_by("employee__personnel_number", "run_id")
    )
    if taken:
        raise PaydayRefused(
            _(
                "An off-cycle run never pays again what another run pays: %(period)s of "
                "%(employees)s is already in a run."
            )
            % {
                "period": str(period),
                "employees": "; ".join(
                    f"{i.employee.full_name} ({i.run.number_text()})" for i in taken
                ),
            }
        )


def offcycle_run_create(
    *,
    period: PayPeriod,
    user,
    entries: list[OffCycleEntry],
    creation_key: uuid.UUID | None = None,
) -> PayrollRun:
    """Create an off-cycle run for the period with its items and start its calculation.
    Refused, with nothing written, for no entries, a negative or missing amount, an employee
    not on the period's schedule with an approved pay profile or not employed in it, a late
    hire whose period another run pays, or whatever blocks payday for these employees. A
    second call with the same ``creation_key`` (the page posted twice) returns the run the
    first one created."""
    if creation_key is not None:
        existing = PayrollRun.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    _entries_check(entries)
    employee_ids = sorted({e.employee_id for e in entries})
    period_ids = sorted({e.employee_id for e in entries if e.kind == OffCycleItem.Kind.LATE_HIRE})
    _offcycle_employees_check(
        period=period, employee_ids=employee_ids, period_employee_ids=period_ids
    )
    _late_hires_named_elsewhere_check(period=period, employee_ids=period_ids)
    # Unapproved hours block only the late hires, whose hours this run pays.
    _refuse_if_blocked(period=period, employee_ids=employee_ids, hours_employee_ids=period_ids)
    try:
        with transaction.atomic():
            run = PayrollRun.objects.create(
                period=period,
                kind=PayrollRun.Kind.OFF_CYCLE,
                employee_ids=employee_ids,
                creation_key=creation_key,
            )
            OffCycleItem.objects.bulk_create(
                [
                    OffCycleItem(
                        run=run,
                        employee_id=e.employee_id,
                        kind=e.kind,
                        amount=e.amount,
                        text=e.text.strip(),
                    )
                    for e in entries
                ]
            )
            run = _run_locked(run.pk)
            _start_fresh(run, user)
    except IntegrityError:
        # The same form posted twice at once: the other request created the run.
        existing = (
            PayrollRun.objects.filter(creation_key=creation_key).first() if creation_key else None
        )
        if existing is None:
            raise
        return existing
    run.refresh_from_db()
    return run


CANCELLABLE = (
    PayrollRun.Status.DRAFT,
    PayrollRun.Status.CALCULATING,
    PayrollRun.Status.CALCULATED,
    PayrollRun.Status.FAILED,
    PayrollRun.Status.APPROVED,
)


def offcycle_run_cancel(*, run: PayrollRun, user) -> PayrollRun:
    """Cancel an off-cycle run started by mistake, at any step before it is paid: its
    payslips, lines, errors and chunks are deleted (nothing was posted, filed or published
    before Pay), so a late hire's period is free for another run; the run and its items stay
    as the record of what was cancelled, by whom and when. A paid run is never cancelled: a
    correction of paid pay is a reversal. Cancelling a cancelled run changes nothing."""
    with transaction.atomic():
        run = _run_locked(run.pk)
        if run.status == PayrollRun.Status.CANCELLED:
            return run
        if run.kind != PayrollRun.Kind.OFF_CYCLE:
            raise PaydayRefused(
                _("Only an off-cycle run can be cancelled; a regular run is calculated again.")
            )
        if run.status not in CANCELLABLE:
            raise PaydayRefused(
                _(
                    "A paid run is never cancelled: its journal entry is posted and its "
                    "payslips are published. Correct it with a reversal in a later run."
                )
            )
        # A chunk being written holds its row: wait for it, so that the payslips it commits
        # are deleted too; a chunk message that arrives later finds no chunk and does nothing.
        list(PayrollChunk.objects.select_for_update(of=("self",)).filter(run=run))
        PayslipLine.objects.filter(payslip__run=run).delete()
        Payslip.objects.filter(run=run).delete()
        PayslipError.objects.filter(run=run).delete()
        run.chunks.all().delete()
        if run.status in (PayrollRun.Status.CALCULATED, PayrollRun.Status.APPROVED):
            _approvers_tell_cancelled(run, user)
        run.status = PayrollRun.Status.CANCELLED
        run.cancelled_by = user
        run.cancelled_at = timezone.now()
        run.error = ""
        run.save(update_fields=["status", "cancelled_by", "cancelled_at", "error", "updated_at"])
    return run


def _approvers_tell_cancelled(run: PayrollRun, user) -> None:
    """The approvers were told the run waits for them (or one approved it): tell them it is
    gone, so that nobody looks for it."""
    users = approvers(codename="approve_payrollrun", exclude=[user.pk])
    if users:
        notify(
            users=users,
            subject=stored(
                gettext_noop("Off-cycle run %(run)d of %(period)s was cancelled"),
                run=run.pk,
                period=run.period.as_text(),
            ),
            body=stored(
                gettext_noop("Nothing is to be approved or paid; its payslips are deleted.")
            ),
            link=reverse("payroll:run_detail", args=[run.pk]),
        )
