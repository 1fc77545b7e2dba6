"""Payday: calculate in chunks through Celery, approve by a second person, pay once.

draft -> calculating -> calculated -> approved -> paid; a failed chunk marks the run failed
and Calculate again resumes the chunks that are not done.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from accounting.models import Account
from accounting.services import Line, PostingRefused, journal_entry_post
from backoffice.money import ZERO
from backoffice.services import notify
from payroll import sepa
from payroll.calculation import (
    CalculationError,
    EmployeeInput,
    PeriodInput,
    RuleSpec,
    calculate,
)
from payroll.models import (
    BankFile,
    Cheque,
    ChequeSequence,
    DeductionRule,
    PayPeriod,
    PayProfile,
    PayrollChunk,
    PayrollRun,
    PayrollSettings,
    Payslip,
    PayslipError,
    PayslipLine,
    TimeEntry,
)

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1000


class PaydayRefused(ValidationError):
    """A payday step that must not happen now; the message says why."""


def payroll_settings() -> PayrollSettings:
    settings = PayrollSettings.objects.select_related(
        "wage_expense_account", "salary_expense_account", "net_pay_account", "bank_account"
    ).first()
    if settings is None:
        accounts = {
            a.number: a for a in Account.objects.filter(number__in=["4110", "4120", "1740", "1200"])
        }
        settings = PayrollSettings.objects.create(
            wage_expense_account=accounts.get("4110"),
            salary_expense_account=accounts.get("4120"),
            net_pay_account=accounts.get("1740"),
            bank_account=accounts.get("1200"),
        )
    return settings


def eligible_employee_ids(*, period: PayPeriod) -> list[int]:
    """Employees on the period's schedule who were employed during the period."""
    return list(
        PayProfile.objects.filter(
            schedule_id=period.schedule_id, employee__hire_date__lte=period.end
        )
        .filter(
            Q(employee__termination_date__isnull=True)
            | Q(employee__termination_date__gte=period.start)
        )
        .order_by("employee_id")
        .values_list("employee_id", flat=True)
    )


def _queue(chunk_ids: list[int]) -> None:
    from payroll.tasks import payroll_chunk_calculate

    def send():
        for chunk_id in chunk_ids:
            payroll_chunk_calculate.delay(chunk_id)

    transaction.on_commit(send)


def payday_run_calculate(
    *, period: PayPeriod, user, kind: str = PayrollRun.Kind.REGULAR
) -> PayrollRun:
    """Start (or resume) the calculation. A second click, or two at once, never duplicates:
    the run is unique per (period, kind) and chunk tasks skip chunks that are done.
    A fresh start is refused while something blocks (unapproved hours, missing bank details,
    nobody to pay), before anything is written."""
    existing = PayrollRun.objects.filter(period=period, kind=kind).only("status").first()
    fresh = existing is None or existing.status in (
        PayrollRun.Status.DRAFT,
        PayrollRun.Status.CALCULATED,
    )
    if fresh:
        blocks = [i["text"] for i in payday_readiness(period=period) if i["level"] == "block"]
        if blocks:
            raise PaydayRefused(blocks)
    try:
        with transaction.atomic():
            run, _created = PayrollRun.objects.get_or_create(period=period, kind=kind)
    except IntegrityError:
        run = PayrollRun.objects.get(period=period, kind=kind)

    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        if run.status in (PayrollRun.Status.APPROVED, PayrollRun.Status.PAID):
            raise PaydayRefused(
                _("This run is %(status)s; it cannot be calculated again.")
                % {"status": run.get_status_display()}
            )
        if run.status in (PayrollRun.Status.CALCULATING, PayrollRun.Status.FAILED):
            # Resume: whatever is not done is queued again (a crashed worker's chunk too).
            run.chunks.filter(status=PayrollChunk.Status.FAILED).update(
                status=PayrollChunk.Status.PENDING, error=""
            )
            pending = list(
                run.chunks.exclude(status=PayrollChunk.Status.DONE).values_list("pk", flat=True)
            )
        else:
            # draft, or calculated again after hours changed: start from scratch.
            PayslipLine.objects.filter(payslip__run=run).delete()
            Payslip.objects.filter(run=run).delete()
            PayslipError.objects.filter(run=run).delete()
            run.chunks.all().delete()
            ids = eligible_employee_ids(period=period)
            chunks = PayrollChunk.objects.bulk_create(
                [
                    PayrollChunk(run=run, index=i, employee_ids=ids[start : start + CHUNK_SIZE])
                    for i, start in enumerate(range(0, len(ids), CHUNK_SIZE))
                ]
            )
            pending = [c.pk for c in chunks]
            run.expected_count = len(ids)
            run.calculation_started_at = timezone.now()
        run.status = PayrollRun.Status.CALCULATING
        run.error = ""
        run.calculated_by = user
        run.save(
            update_fields=[
                "status", "error", "calculated_by", "expected_count",
                "calculation_started_at", "updated_at",
            ]
        )  # fmt: skip
        if not pending:
            _run_finish_if_done(run.pk)
        _queue(pending)
    run.refresh_from_db()
    return run


def _rules() -> list[RuleSpec]:
    return [
        RuleSpec(
            id=r.id,
            code=r.code,
            name=r.name,
            kind=r.kind,
            employee_rate=r.employee_rate,
            employer_rate=r.employer_rate,
            employee_amount=r.employee_amount,
            employer_amount=r.employer_amount,
            monthly_ceiling=r.monthly_ceiling,
            annual_ceiling=r.annual_ceiling,
            base_rule_id=r.base_rule_id,
            applies_to=r.applies_to,
            liability_account_id=r.liability_account_id,
            employer_expense_account_id=r.employer_expense_account_id,
        )  # fmt: skip
        for r in DeductionRule.objects.filter(active=True).order_by("order", "code")
    ]


def _inputs(employee_ids: list[int], period: PayPeriod, rules: list[RuleSpec]) -> list:
    profiles = list(
        PayProfile.objects.filter(employee_id__in=employee_ids)
        .select_related("employee")
        .order_by("employee_id")
    )
    weekly: dict[int, dict] = defaultdict(dict)
    weekly_before: dict[int, dict] = defaultdict(dict)
    week_start = period.start - datetime.timedelta(days=period.start.weekday())
    for employee_id, year, week, before, inside in (
        TimeEntry.objects.filter(
            employee_id__in=employee_ids,
            date__range=(week_start, period.end),
            status=TimeEntry.Status.APPROVED,
        )
        .annotate(y=ExtractIsoYear("date"), w=ExtractWeek("date"))
        .values("employee_id", "y", "w")
        .annotate(
            before=Sum("hours", filter=Q(date__lt=period.start), default=ZERO),
            inside=Sum("hours", filter=Q(date__gte=period.start), default=ZERO),
        )
        .values_list("employee_id", "y", "w", "before", "inside")
    ):
        if inside:
            weekly[employee_id][(year, week)] = inside
            if before:
                weekly_before[employee_id][(year, week)] = before
    annual = [r for r in rules if r.annual_ceiling is not None]
    ytd: dict[int, Decimal] = {}
    if annual:
        ytd = dict(
            Payslip.objects.filter(
                employee_id__in=employee_ids,
                run__status=PayrollRun.Status.PAID,
                run__period__payday__year=period.payday.year,
                run__period__payday__lt=period.payday,
            )
            .values("employee_id")
            .annotate(g=Sum("gross"))
            .values_list("employee_id", "g")
        )
    inputs = []
    for p in profiles:
        e = p.employee
        inputs.append(
            (
                p,
                EmployeeInput(
                    employee_id=e.pk,
                    department_id=e.department_id,
                    hire_date=e.hire_date,
                    termination_date=e.termination_date,
                    hourly_rate=p.hourly_rate,
                    monthly_salary=p.monthly_salary if p.hourly_rate is None else None,
                    church_member=p.church_member,
                    deductions_exempt=p.deductions_exempt,
                    weekly_hours=weekly.get(e.pk, {}),
                    weekly_hours_before=weekly_before.get(e.pk, {}),
                    ytd_bases={r.id: min(r.annual_ceiling, ytd.get(e.pk, ZERO)) for r in annual},
                ),
            )
        )
    return inputs


def _bank_problem(profile: PayProfile) -> str | None:
    if profile.pay_method != PayProfile.PayMethod.DIRECT_DEPOSIT:
        return None
    if not profile.iban:
        return _("No IBAN for direct deposit.")
    try:
        IBAN(profile.iban)
    except SchwiftyException:
        return _("The IBAN %(iban)s is not valid.") % {"iban": profile.iban}
    return None


def payroll_chunk_calculate(*, chunk_id: int) -> int:
    """Calculate one chunk: read its employees, profiles and approved hours (summed in SQL),
    compute in Python, write its payslips and lines in bulk in one transaction, replacing
    whatever an earlier attempt left. A second delivery changes nothing."""
    with transaction.atomic():
        chunk = (
            PayrollChunk.objects.select_for_update(of=("self",))
            .select_related("run__period__schedule")
            .get(pk=chunk_id)
        )
        run = chunk.run
        if run.status != PayrollRun.Status.CALCULATING or chunk.status == PayrollChunk.Status.DONE:
            return 0
        PayslipLine.objects.filter(payslip__chunk=chunk).delete()
        Payslip.objects.filter(chunk=chunk).delete()
        PayslipError.objects.filter(chunk=chunk).delete()
        settings = payroll_settings()
        rules = _rules()
        period = run.period
        period_input = PeriodInput(period.start, period.end, period.schedule.frequency)
        slips, slip_lines, errors = [], [], []
        for profile, emp in _inputs(list(chunk.employee_ids), period, rules):
            problem = _bank_problem(profile)
            try:
                if problem:
                    raise CalculationError(problem)
                result = calculate(
                    emp,
                    period_input,
                    rules,
                    overtime_threshold=settings.overtime_weekly_threshold,
                    overtime_premium=settings.overtime_premium,
                    minimum_wage=settings.minimum_wage,
                )
            except CalculationError as exc:
                errors.append(
                    PayslipError(
                        run=run, chunk=chunk, employee_id=emp.employee_id, message=str(exc)[:300]
                    )
                )
                continue
            slip = Payslip(
                run=run,
                chunk=chunk,
                employee_id=emp.employee_id,
                department_id=emp.department_id,
                pay_method=profile.pay_method,
                iban=profile.iban,
                bic=profile.bic,
                account_holder=profile.account_holder or profile.employee.full_name,
                hours=result.hours,
                overtime_hours=result.overtime_hours,
                gross=result.gross,
                deductions=result.deductions,
                net=result.net,
                employer_contributions=result.employer_contributions,
            )
            slips.append(slip)
            slip_lines.append(result.lines)
        Payslip.objects.bulk_create(slips, batch_size=2000)
        _copy_lines(
            (slip.pk, ln.kind, ln.code, ln.label, ln.quantity, ln.rate, ln.amount, ln.account_id)
            for slip, lines in zip(slips, slip_lines, strict=True)
            for ln in lines
        )
        PayslipError.objects.bulk_create(errors)
        chunk.status = PayrollChunk.Status.DONE
        chunk.attempts += 1
        chunk.error = ""
        chunk.save(update_fields=["status", "attempts", "error"])
    _run_finish_if_done(run.pk)
    return len(slips)


def _copy_lines(rows) -> None:
    """Write payslip lines with PostgreSQL COPY: a chunk has about ten thousand of them, and
    building model instances and INSERT statements for each took most of a chunk's time."""
    table = PayslipLine._meta.db_table
    columns = "payslip_id, kind, code, label, quantity, rate, amount, account_id_snapshot"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def payroll_chunk_failed(*, chunk_id: int, error: str) -> None:
    """A chunk crashed: the run shows the error; Calculate again resumes."""
    with transaction.atomic():
        chunk = PayrollChunk.objects.select_for_update().get(pk=chunk_id)
        if chunk.status == PayrollChunk.Status.DONE:
            return
        chunk.status = PayrollChunk.Status.FAILED
        chunk.error = error[:2000]
        chunk.attempts += 1
        chunk.save(update_fields=["status", "error", "attempts"])
        PayrollRun.objects.filter(pk=chunk.run_id, status=PayrollRun.Status.CALCULATING).update(
            status=PayrollRun.Status.FAILED, error=error[:2000], updated_at=timezone.now()
        )


def _run_finish_if_done(run_id: int) -> None:
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run_id)
        if run.status != PayrollRun.Status.CALCULATING:
            return
        if run.chunks.exclude(status=PayrollChunk.Status.DONE).exists():
            return
        run.status = PayrollRun.Status.CALCULATED
        run.calculated_at = timezone.now()
        run.save(update_fields=["status", "calculated_at", "updated_at"])
        _approvers_notify(run)


def _approvers_notify(run: PayrollRun) -> None:
    """Tell the people who may approve (not the one who calculated) that a run waits."""
    perm = Q(groups__permissions__codename="approve_payrollrun") | Q(
        user_permissions__codename="approve_payrollrun"
    )
    approvers = list(
        get_user_model()
        .objects.filter(perm, is_active=True)
        .exclude(pk=run.calculated_by_id)
        .distinct()
    )
    if approvers:
        notify(
            users=approvers,
            subject=_("Payroll %(period)s is calculated and waits for approval")
            % {"period": str(run.period)},
            link=reverse("payroll:run_detail", args=[run.pk]),
        )


def payday_progress(*, run: PayrollRun) -> dict:
    """What the database holds: payslips and errors written against employees expected."""
    done = Payslip.objects.filter(run=run).count()
    failed = PayslipError.objects.filter(run=run).count()
    expected = run.expected_count
    percent = 100 if not expected else min(100, (done + failed) * 100 // expected)
    return {
        "status": run.status,
        "status_display": str(run.get_status_display()),
        "expected": expected,
        "done": done,
        "errors": failed,
        "percent": percent,
        "error": run.error,
    }


def _refuse_if_hours_changed(run: PayrollRun) -> None:
    """Hours entered or changed after the calculation started are not in the payslips:
    the run must be calculated again before it is approved."""
    changed = (
        TimeEntry.objects.filter(
            date__range=(run.period.start, run.period.end),
            employee__payslips__run=run,
            updated_at__gt=run.calculation_started_at,
        )
        .select_related("employee")
        .first()
    )
    if changed:
        raise PaydayRefused(
            _(
                "Hours of %(employee)s on %(day)s changed after the calculation. "
                "Calculate again before approving."
            )
            % {"employee": changed.employee.full_name, "day": changed.date.strftime("%d.%m.%Y")}
        )


def run_approval_is_own(*, run: PayrollRun, user) -> bool:
    """The four-eyes rule (on by default): whoever calculated a run cannot approve it."""
    return payroll_settings().second_approver_required and run.calculated_by_id == user.pk


@transaction.atomic
def payday_run_approve(*, run: PayrollRun, user) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status == PayrollRun.Status.APPROVED:
        return run
    if run.status != PayrollRun.Status.CALCULATED:
        raise PaydayRefused(_("Only a calculated run can be approved."))
    if run_approval_is_own(run=run, user=user):
        raise PaydayRefused(
            _("Whoever calculated the run cannot approve it; a second person must.")
        )
    _refuse_if_hours_changed(run)
    errors = PayslipError.objects.filter(run=run).select_related("employee")[:1]
    if errors:
        raise PaydayRefused(
            _("%(employee)s: %(message)s Fix it and calculate again.")
            % {"employee": errors[0].employee.full_name, "message": errors[0].message}
        )
    run.status = PayrollRun.Status.APPROVED
    run.approved_by = user
    run.approved_at = timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return run


def _entry_lines(run: PayrollRun, settings: PayrollSettings) -> list[Line]:
    """One journal entry for the run, aggregated per department and account."""
    lines: list[Line] = []
    earning_account = {
        "hours": settings.wage_expense_account_id,
        "overtime": settings.wage_expense_account_id,
        "salary": settings.salary_expense_account_id,
    }
    expense: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    liability: dict[int, Decimal] = defaultdict(lambda: ZERO)
    employer_expense_of = dict(
        DeductionRule.objects.values_list("code", "employer_expense_account_id")
    )
    for dept, kind, code, account_id, amount in (
        PayslipLine.objects.filter(payslip__run=run)
        .values("payslip__department_id", "kind", "code", "account_id_snapshot")
        .annotate(total=Sum("amount"))
        .values_list("payslip__department_id", "kind", "code", "account_id_snapshot", "total")
    ):
        if kind == PayslipLine.Kind.EARNING:
            expense[(dept, earning_account.get(code) or settings.salary_expense_account_id)] += (
                amount
            )
        elif kind == PayslipLine.Kind.DEDUCTION:
            liability[account_id] += amount
        else:
            expense_account = employer_expense_of.get(code) or settings.salary_expense_account_id
            expense[(dept, expense_account)] += amount
            liability[account_id] += amount
    net = dict(
        Payslip.objects.filter(run=run)
        .values("pay_method")
        .annotate(total=Sum("net"))
        .values_list("pay_method", "total")
    )
    for (dept, account_id), amount in sorted(expense.items()):
        if amount:
            lines.append(Line(account=account_id, side="D", amount=amount, department=dept))
    for account_id, amount in sorted(liability.items()):
        if amount:
            lines.append(Line(account=account_id, side="C", amount=amount))
    if net.get(PayProfile.PayMethod.DIRECT_DEPOSIT):
        lines.append(
            Line(
                account=settings.bank_account_id,
                side="C",
                amount=net[PayProfile.PayMethod.DIRECT_DEPOSIT],
                memo=_("Direct deposits"),
            )
        )
    if net.get(PayProfile.PayMethod.CHEQUE):
        lines.append(
            Line(
                account=settings.net_pay_account_id,
                side="C",
                amount=net[PayProfile.PayMethod.CHEQUE],
                memo=_("Cheques issued"),
            )
        )
    return lines


def payday_run_pay(*, run: PayrollRun, user) -> PayrollRun:
    """Pay once, under a row lock on the run: the journal entry, the SEPA file, the cheque
    run, then the status. PDFs and notifications follow after commit."""
    with transaction.atomic():
        run = (
            PayrollRun.objects.select_for_update(of=("self",))
            .select_related("period")
            .get(pk=run.pk)
        )
        if run.status == PayrollRun.Status.PAID:
            return run
        if run.status != PayrollRun.Status.APPROVED:
            raise PaydayRefused(_("Only an approved run can be paid."))
        settings = payroll_settings()
        deposits = list(
            Payslip.objects.filter(run=run, pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT)
            .select_related("employee")
            .order_by("employee_id")
        )
        # Every IBAN is checked before anything is written, the company's too.
        problem = _company_account_problem(settings) if deposits else None
        if problem:
            raise PaydayRefused(problem)
        for slip in deposits:
            try:
                IBAN(slip.iban)
            except SchwiftyException:
                raise PaydayRefused(
                    _("%(employee)s (%(number)s): the IBAN %(iban)s is not valid.")
                    % {
                        "employee": slip.employee.full_name,
                        "number": slip.employee.personnel_number,
                        "iban": slip.iban,
                    }
                ) from None
        lines = _entry_lines(run, settings)
        try:
            entry = (
                journal_entry_post(
                    date=run.period.payday,
                    lines=lines,
                    source=f"payroll.run:{run.pk}",
                    memo=_("Payroll %(period)s") % {"period": str(run.period)},
                    user=user,
                )
                if lines
                else None
            )
        except PostingRefused as exc:
            raise PaydayRefused(exc.messages) from exc

        if deposits:
            try:
                xml, count, total = _bank_file(run, settings, deposits)
            except ValueError as exc:
                # Raised before the file is stored: the transaction rolls back whole.
                raise PaydayRefused(
                    _("The SEPA file does not validate: %(error)s") % {"error": exc}
                ) from exc
            BankFile.objects.create(
                run=run,
                message_id=f"PAYROLL-{run.pk}-{timezone.now():%Y%m%d%H%M%S}"[:35],
                xml=xml.decode("utf-8"),
                transactions=count,
                control_sum=total,
            )

        cheque_slips = list(
            Payslip.objects.filter(run=run, pay_method=PayProfile.PayMethod.CHEQUE, net__gt=0)
            .select_related("employee")
            .order_by("employee_id")
        )
        if cheque_slips:
            sequence, _created = ChequeSequence.objects.select_for_update().get_or_create(pk=1)
            first = sequence.last_number + 1
            Cheque.objects.bulk_create(
                [
                    Cheque(
                        run=run,
                        payslip=slip,
                        number=first + i,
                        payee=slip.employee.full_name,
                        amount=slip.net,
                        issued_on=run.period.payday,
                    )
                    for i, slip in enumerate(cheque_slips)
                ]
            )
            sequence.last_number = first + len(cheque_slips) - 1
            sequence.save(update_fields=["last_number"])

        now = timezone.now()
        Payslip.objects.filter(run=run).update(published_at=now)
        run.status = PayrollRun.Status.PAID
        run.paid_by = user
        run.paid_at = now
        run.entry = entry
        run.save(update_fields=["status", "paid_by", "paid_at", "entry", "updated_at"])
        _after_pay(run.pk)
    return run


def _bank_file(run: PayrollRun, settings: PayrollSettings, deposits) -> tuple:
    """The SEPA credit transfer for the run's direct deposits, validated against the XSD."""
    return sepa.credit_transfer(
        debtor_name=settings.company_name,
        debtor_iban=settings.company_iban,
        debtor_bic=settings.company_bic,
        execution_date=run.period.payday,
        transfers=(
            sepa.Transfer(
                name=slip.account_holder or slip.employee.full_name,
                iban=slip.iban,
                bic=slip.bic,
                amount=slip.net,
                description=f"Lohn/Gehalt {run.period.start:%m/%Y}",
                end_to_end_id=f"PR{run.pk}-{slip.employee.personnel_number}"[:35],
            )
            for slip in deposits
            if slip.net > 0
        ),
    )


def _after_pay(run_id: int) -> None:
    from payroll.tasks import payday_after_pay

    transaction.on_commit(lambda: payday_after_pay.delay(run_id))


def payday_readiness(*, period: PayPeriod) -> list[dict]:
    """What blocks or warns before Calculate: unapproved hours, missing bank details, hires
    and terminations in the period. Aggregates, not a loop over employees."""
    items = []
    ids = eligible_employee_ids(period=period)
    unapproved = (
        TimeEntry.objects.filter(employee_id__in=ids, date__range=(period.start, period.end))
        .exclude(status=TimeEntry.Status.APPROVED)
        .values("employee_id")
        .distinct()
        .count()
    )
    if unapproved:
        items.append(
            {
                "level": "block",
                "text": _("%(count)d employees have hours that are not approved.")
                % {"count": unapproved},
            }
        )
    no_bank = PayProfile.objects.filter(
        employee_id__in=ids, pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT, iban=""
    ).count()
    if no_bank:
        items.append(
            {
                "level": "block",
                "text": _("%(count)d direct-deposit employees have no IBAN.") % {"count": no_bank},
            }
        )
    hires = PayProfile.objects.filter(
        employee_id__in=ids, employee__hire_date__range=(period.start, period.end)
    ).count()
    leavers = PayProfile.objects.filter(
        employee_id__in=ids, employee__termination_date__range=(period.start, period.end)
    ).count()
    if hires:
        items.append(
            {"level": "warn", "text": _("%(count)d hires in this period.") % {"count": hires}}
        )
    if leavers:
        items.append(
            {
                "level": "warn",
                "text": _("%(count)d terminations in this period.") % {"count": leavers},
            }
        )
    if not ids:
        items.append({"level": "block", "text": _("No employees are on this pay schedule.")})
    problem = _company_account_problem(payroll_settings())
    if problem:
        items.append({"level": "block", "text": problem})
    return items


def _company_account_problem(settings: PayrollSettings) -> str | None:
    """The account the direct deposits are paid from must be a valid IBAN."""
    try:
        IBAN(settings.company_iban)
    except SchwiftyException:
        return _("The payroll settings have no valid company IBAN to pay direct deposits from.")
    return None


def period_is_paid(*, day: datetime.date, employee_id: int) -> bool:
    """Hours of a paid period are locked."""
    return Payslip.objects.filter(
        employee_id=employee_id,
        run__status=PayrollRun.Status.PAID,
        run__period__start__lte=day,
        run__period__end__gte=day,
    ).exists()
