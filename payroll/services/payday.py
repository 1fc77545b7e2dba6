"""Payday: calculate in chunks through Celery, approve by a second person, pay once.

draft -> calculating -> calculated -> approved -> paid. A chunk that fails is delivered again
a few times; after that it fails the run, and "Resume calculation" queues what is not done. A
beat watchdog resumes runs on which nothing moved, once, and fails them (telling the clerk) if
nothing moves after that either. A second start of a run is refused; "Calculate again" on a
calculated run replaces its payslips on purpose.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from accounting.models import Account
from accounting.selectors import bank_account_details
from accounting.services import Line, PostingRefused, journal_entry_post
from backoffice.money import ZERO, format_quantity
from backoffice.services import notify
from backoffice.stored_text import Amount, StoredText, format_date, stored, stored_plural
from hr.models import Employee
from payroll import sepa
from payroll.models import (
    BankFile,
    Cheque,
    ChequeSequence,
    DeductionRule,
    OffCycleItem,
    PayPeriod,
    PayProfile,
    PayrollChunk,
    PayrollRun,
    PayrollSettings,
    PaySchedule,
    Payslip,
    PayslipError,
    PayslipLine,
    TimeEntry,
)
from payroll.selectors import approved_profiles, profile_changes_approved_since
from payroll.services import review
from payroll.services.approvals import approvers
from payroll.services.chunks import chunk_payslips_write, late_hours_q
from payroll.services.readiness_hours import hours_readiness
from payroll.services.schedules import hours_window

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1000
# The idempotency key of a paid run's journal entry: "payroll.run:<id>".
RUN_SOURCE_PREFIX = "payroll.run:"


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
    """Employees on the period's schedule, with an approved pay profile, who were employed
    during the period; and those who left before it with approved hours no payslip holds yet
    (hours of their last period paid one period later, or recorded late): work is never
    lost."""
    hours_start, hours_end = hours_window(period=period)
    unpaid_hours = TimeEntry.objects.filter(
        Q(
            date__range=(hours_start, hours_end),
            status=TimeEntry.Status.APPROVED,
            payslip__isnull=True,
        )
        | late_hours_q(hours_start),
        employee_id=OuterRef("employee_id"),
    )
    return list(
        approved_profiles()
        .filter(schedule_id=period.schedule_id, employee__hire_date__lte=period.end)
        .filter(
            Q(employee__termination_date__isnull=True)
            | Q(employee__termination_date__gte=period.start)
            | Exists(unpaid_hours)
        )
        .order_by("employee_id")
        .values_list("employee_id", flat=True)
    )


def _run_employee_ids(run: PayrollRun) -> list[int]:
    """Whom a run pays: an off-cycle run the employees it names; a regular run everyone
    eligible whose period no other run pays already (a late hire paid off-cycle, say)."""
    if run.kind == PayrollRun.Kind.OFF_CYCLE:
        return sorted(run.employee_ids)
    paid_elsewhere = set(
        Payslip.objects.filter(period_id=run.period_id, pays_period=True)
        .exclude(run_id=run.pk)
        .values_list("employee_id", flat=True)
    )
    return [i for i in eligible_employee_ids(period=run.period) if i not in paid_elsewhere]


def _chunk_send(chunk_id: int, *, countdown: int | None = None) -> None:
    """One chunk task, with the time limits of the settings (they travel in the message)."""
    from payroll.tasks import payroll_chunk_calculate

    payroll_chunk_calculate.apply_async(
        (chunk_id,),
        countdown=countdown,
        soft_time_limit=django_settings.PAYROLL_CHUNK_SOFT_TIME_LIMIT,
        time_limit=django_settings.PAYROLL_CHUNK_TIME_LIMIT,
    )


def _queue(chunk_ids: list[int]) -> None:
    def send():
        for chunk_id in chunk_ids:
            _chunk_send(chunk_id)

    transaction.on_commit(send)


def _run_locked(pk: int) -> PayrollRun:
    """The run under a row lock that does not block chunks writing payslips, which hold a key
    share lock on the run through their foreign key (FOR NO KEY UPDATE)."""
    return (
        PayrollRun.objects.select_for_update(no_key=True, of=("self",))
        .select_related("period")
        .get(pk=pk)
    )


def _already(run: PayrollRun) -> PaydayRefused:
    return PaydayRefused(
        _(
            "%(period)s already has a %(kind)s run (no. %(run)d, %(status)s). Open it to go on; "
            "to replace its payslips, use “Calculate again” on that run."
        )
        % {
            "period": str(run.period),
            "kind": PayrollRun.kind_in_sentence(run.kind),
            "run": run.pk,
            "status": run.get_status_display().lower(),
        }
    )


def _refuse_if_blocked(
    *,
    period: PayPeriod,
    employee_ids: list[int] | None = None,
    hours_employee_ids: list[int] | None = None,
) -> None:
    blocks = [
        i["text"]
        for i in payday_readiness(
            period=period, employee_ids=employee_ids, hours_employee_ids=hours_employee_ids
        )
        if i["level"] == "block"
    ]
    if blocks:
        raise PaydayRefused(blocks)


def _offcycle_employees_check(
    *, period: PayPeriod, employee_ids: list[int], period_employee_ids: list[int] | None = None
) -> None:
    """An off-cycle run names its employees; each must be on the period's schedule and
    employed in it, and no run may pay the period already of those whose period it pays
    (``period_employee_ids``, by default all of them; a bonus pays only its amount)."""
    if not employee_ids:
        raise PaydayRefused(
            _("An off-cycle run pays only the employees it names: name at least one.")
        )
    eligible = set(eligible_employee_ids(period=period))
    strangers = [i for i in employee_ids if i not in eligible]
    if strangers:
        names = ", ".join(
            Employee.objects.filter(pk__in=strangers)
            .order_by("pk")
            .values_list("personnel_number", flat=True)
        ) or ", ".join(str(i) for i in strangers)
        raise PaydayRefused(
            _(
                "Not on this schedule with an approved pay profile, or not employed in "
                "%(period)s: %(employees)s."
            )
            % {"period": str(period), "employees": names}
        )
    if period_employee_ids is None:
        period_employee_ids = employee_ids
    paid = (
        Payslip.objects.filter(period=period, pays_period=True, employee_id__in=period_employee_ids)
        .select_related("employee", "run")
        .order_by("employee__personnel_number")
    )
    taken = [f"{s.employee.full_name} ({s.run.number_text()})" for s in paid]
    if taken:
        raise PaydayRefused(
            _(
                "An off-cycle run never pays again what another run pays: %(period)s of "
                "%(employees)s is already in a run."
            )
            % {"period": str(period), "employees": "; ".join(taken)}
        )


def payday_run_calculate(
    *,
    period: PayPeriod,
    user,
    kind: str = PayrollRun.Kind.REGULAR,
    employee_ids: list[int] | None = None,
) -> PayrollRun:
    """Start the calculation of a period's run. A run is unique per (period, kind); a second
    start of a run that exists is refused with a message naming it (resume, or calculate
    again on purpose, on the run itself). Refused too while something blocks (unapproved
    hours, missing bank details, nobody to pay), before anything is written. An off-cycle run
    pays only the employees it names, and never a period another run pays."""
    named = sorted({int(i) for i in employee_ids or []})
    if kind == PayrollRun.Kind.REGULAR and named:
        raise PaydayRefused(_("A regular run pays its whole schedule; it names no employees."))
    if kind == PayrollRun.Kind.OFF_CYCLE:
        # Each off-cycle run is a new one (a period may have several): the employees named
        # here are paid their period, as late hires on the off-cycle page are.
        from payroll.services.offcycle import OffCycleEntry, offcycle_run_create

        return offcycle_run_create(
            period=period,
            user=user,
            entries=[OffCycleEntry(employee_id=i, kind=OffCycleItem.Kind.LATE_HIRE) for i in named],
        )
    existing = PayrollRun.objects.filter(period=period, kind=kind).select_related("period").first()
    if existing is not None and existing.status != PayrollRun.Status.DRAFT:
        raise _already(existing)
    _refuse_if_blocked(period=period)
    try:
        with transaction.atomic():
            run, _created = PayrollRun.objects.get_or_create(period=period, kind=kind)
    except IntegrityError:
        run = PayrollRun.objects.get(period=period, kind=kind)

    with transaction.atomic():
        run = _run_locked(run.pk)
        if run.status != PayrollRun.Status.DRAFT:
            # Two starts at once: the other one won.
            raise _already(run)
        _start_fresh(run, user)
    run.refresh_from_db()
    return run


def payday_run_recalculate(*, run: PayrollRun, user) -> PayrollRun:
    """Calculate a calculated (or failed) run again from scratch, on purpose: its payslips and
    errors are replaced. The page asks for confirmation first."""
    with transaction.atomic():
        run = _run_locked(run.pk)
        if run.status not in (PayrollRun.Status.CALCULATED, PayrollRun.Status.FAILED):
            raise PaydayRefused(
                _("Only a calculated or failed run can be calculated again; this one is %(s)s.")
                % {"s": run.get_status_display().lower()}
            )
        offcycle = run.kind == PayrollRun.Kind.OFF_CYCLE
        _refuse_if_blocked(
            period=run.period,
            employee_ids=run.employee_ids if offcycle else None,
            hours_employee_ids=offcycle_hours_employee_ids(run=run) if offcycle else None,
        )
        _start_fresh(run, user)
    run.refresh_from_db()
    return run


def payday_run_resume(*, run: PayrollRun, user=None, by_watchdog: bool = False) -> PayrollRun:
    """Queue again whatever is not done of a calculating or failed run (a crashed worker's
    chunk, a lost message); a chunk done already is never calculated twice."""
    with transaction.atomic():
        run = _run_locked(run.pk)
        if run.status not in (PayrollRun.Status.CALCULATING, PayrollRun.Status.FAILED):
            raise PaydayRefused(
                _("Only a calculating or failed run can be resumed; this one is %(s)s.")
                % {"s": run.get_status_display().lower()}
            )
        run.chunks.filter(status=PayrollChunk.Status.FAILED).update(
            status=PayrollChunk.Status.PENDING, error="", attempts=0
        )
        pending = list(
            run.chunks.exclude(status=PayrollChunk.Status.DONE).values_list("pk", flat=True)
        )
        run.status = PayrollRun.Status.CALCULATING
        run.error = ""
        fields = ["status", "error", "updated_at"]
        if by_watchdog:
            run.watchdog_resumed_at = timezone.now()
            fields.append("watchdog_resumed_at")
        else:
            run.watchdog_resumed_at = None
            fields.append("watchdog_resumed_at")
            if user is not None:
                run.calculated_by = user
                fields.append("calculated_by")
        run.save(update_fields=fields)
        _queue(pending)
    if not pending:
        _run_finish_if_done(run.pk)
    run.refresh_from_db()
    return run


def _start_fresh(run: PayrollRun, user) -> None:
    """Inside the caller's transaction, with the run locked: drop whatever an earlier
    calculation left and queue the chunks."""
    PayslipLine.objects.filter(payslip__run=run).delete()
    Payslip.objects.filter(run=run).delete()
    PayslipError.objects.filter(run=run).delete()
    run.chunks.all().delete()
    ids = _run_employee_ids(run)
    chunks = PayrollChunk.objects.bulk_create(
        [
            PayrollChunk(run=run, index=i, employee_ids=ids[start : start + CHUNK_SIZE])
            for i, start in enumerate(range(0, len(ids), CHUNK_SIZE))
        ]
    )
    run.expected_count = len(ids)
    run.calculation_started_at = timezone.now()
    run.calculated_at = None
    run.status = PayrollRun.Status.CALCULATING
    run.error = ""
    run.calculated_by = user
    run.watchdog_resumed_at = None
    run.save(
        update_fields=[
            "status", "error", "calculated_by", "expected_count", "employee_ids",
            "calculation_started_at", "calculated_at", "watchdog_resumed_at", "updated_at",
        ]
    )  # fmt: skip
    pending = [c.pk for c in chunks]
    if pending:
        _queue(pending)
    else:
        transaction.on_commit(lambda: _run_finish_if_done(run.pk))


def _lock_timeout_set() -> None:
    """Waiting for a row lock ends with an error the task can retry, before a time limit
    interrupts the connection in the middle of the wait."""
    with connection.cursor() as cursor:
        # A time limit can interrupt the client in the middle of a lock wait or a COMMIT (the
        # foreign keys are checked there). The server would go on waiting, holding the
        # chunk's row lock, and commit later behind the worker's back: the connection check
        # lets it notice that the client has gone and roll back.
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true), "
            "set_config('client_connection_check_interval', '1000', true)",
            [f"{int(django_settings.PAYROLL_CHUNK_LOCK_TIMEOUT * 1000)}ms"],
        )


def payroll_chunk_calculate(*, chunk_id: int) -> int:
    """Calculate one chunk in one transaction (see ``payroll.services.chunks``), replacing
    whatever an earlier attempt left. Every delivery, also one of a chunk that is done
    already, then checks whether the run is finished: whichever delivery survives finishes
    it. A second delivery changes nothing else."""
    written = 0
    with transaction.atomic():
        _lock_timeout_set()
        chunk = (
            PayrollChunk.objects.select_for_update(of=("self",))
            .select_related("run__period__schedule")
            .filter(pk=chunk_id)
            .first()
        )
        if chunk is None:
            return 0  # a message of an earlier calculation, whose chunks were replaced
        run = chunk.run
        if run.status == PayrollRun.Status.CALCULATING and chunk.status != PayrollChunk.Status.DONE:
            written = chunk_payslips_write(chunk=chunk, settings=payroll_settings())
            chunk.status = PayrollChunk.Status.DONE
            chunk.attempts += 1
            chunk.error = ""
            chunk.finished_at = timezone.now()
            chunk.save(update_fields=["status", "attempts", "error", "finished_at"])
    _run_finish_if_done(run.pk)
    return written


def connection_discard() -> None:
    """After an interrupted query (a soft time limit inside a lock wait or a COMMIT) the
    connection may be in the middle of the protocol: drop it, so that the next query opens a
    fresh one. Inside a caller's transaction (eager tasks in tests) there is nothing to drop:
    the caller rolls back."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except Exception:  # the connection is broken; forget it
        logger.warning("closing a broken database connection failed", exc_info=True)
        connection.connection = None


def payroll_chunk_attempt_failed(*, chunk_id: int, error: str) -> bool:
    """A chunk's attempt failed (a timeout, a lock wait, a crash). Recorded on a fresh
    connection. Returns True when the chunk should be delivered again; after
    ``PAYROLL_CHUNK_MAX_ATTEMPTS`` the chunk and its run are failed and the payroll clerk who
    started it is told: never silent."""
    with transaction.atomic():
        chunk = (
            PayrollChunk.objects.select_for_update(of=("self",))
            .select_related("run__period")
            .filter(pk=chunk_id)
            .first()
        )
        if chunk is None:
            return False
        if chunk.status == PayrollChunk.Status.DONE:
            # The attempt committed after all (its COMMIT was interrupted on the client's side
            # only): finish the run as that delivery would have.
            transaction.on_commit(lambda: _run_finish_if_done(chunk.run_id))
            return False
        chunk.attempts += 1
        chunk.error = error[:2000]
        if chunk.attempts < django_settings.PAYROLL_CHUNK_MAX_ATTEMPTS:
            chunk.save(update_fields=["attempts", "error"])
            return True
        chunk.status = PayrollChunk.Status.FAILED
        chunk.save(update_fields=["status", "attempts", "error"])
        run_error = _(
            "Part %(part)d of %(parts)d failed %(attempts)d times: %(error)s Press “Resume "
            "calculation” once the cause is fixed."
        ) % {
            "part": chunk.index + 1,
            "parts": chunk.run.chunks.count(),
            "attempts": chunk.attempts,
            "error": error[:500],
        }
        failed = PayrollRun.objects.filter(
            pk=chunk.run_id, status=PayrollRun.Status.CALCULATING
        ).update(status=PayrollRun.Status.FAILED, error=run_error, updated_at=timezone.now())
        if failed:
            _clerk_notify(
                chunk.run,
                stored(
                    gettext_noop("Payroll %(period)s failed to calculate"),
                    period=chunk.run.period.as_text(),
                ),
                run_error,
            )
    return False


def payroll_chunk_deliver_again(*, chunk_id: int) -> None:
    """Send a failed chunk's task again, a little later each time."""
    attempts = PayrollChunk.objects.filter(pk=chunk_id).values_list("attempts", flat=True).first()
    _chunk_send(
        chunk_id, countdown=min(60, django_settings.PAYROLL_CHUNK_RETRY_SECONDS * (attempts or 1))
    )


def payroll_chunk_failed(*, chunk_id: int, error: str) -> None:
    """A chunk that must not be tried again: fail it and its run now."""
    with transaction.atomic():
        PayrollChunk.objects.filter(pk=chunk_id).exclude(status=PayrollChunk.Status.DONE).update(
            attempts=max(django_settings.PAYROLL_CHUNK_MAX_ATTEMPTS - 1, 0)
        )
    payroll_chunk_attempt_failed(chunk_id=chunk_id, error=error)


def _run_finish_if_done(run_id: int) -> None:
    with transaction.atomic():
        run = _run_locked(run_id)
        if run.status != PayrollRun.Status.CALCULATING:
            return
        if run.chunks.exclude(status=PayrollChunk.Status.DONE).exists():
            return
        run.status = PayrollRun.Status.CALCULATED
        run.calculated_at = timezone.now()
        run.save(update_fields=["status", "calculated_at", "updated_at"])
        errors = PayslipError.objects.filter(run=run).count()
        if errors:
            # Nobody can approve it yet: the clerk fixes the errors, the approvers wait.
            _clerk_notify(
                run,
                stored_plural(
                    gettext_noop("Payroll %(period)s is calculated with %(count)d error to fix"),
                    gettext_noop("Payroll %(period)s is calculated with %(count)d errors to fix"),
                    errors,
                    period=run.period.as_text(),
                    count=errors,
                ),
                stored(
                    gettext_noop(
                        "Fix them and calculate again; the approvers are told once it can be "
                        "approved."
                    )
                ),
            )
        else:
            _approvers_notify(run)


def _clerk_notify(run: PayrollRun, subject: StoredText, body: StoredText | str = "") -> None:
    """Tell the payroll clerk who started the run (or every clerk who may run payday)."""
    users = []
    if run.calculated_by_id:
        users = list(get_user_model().objects.filter(pk=run.calculated_by_id, is_active=True))
    if not users:
        users = approvers(codename="run_payday")
    if users:
        notify(
            users=users,
            subject=subject,
            body=body,
            link=reverse("payroll:run_detail", args=[run.pk]),
        )


def _approvers_notify(run: PayrollRun) -> None:
    """Tell the people who may approve (not the one who calculated) that a run waits."""
    # Superusers are among them: they may approve any run but one they calculated.
    users = approvers(codename="approve_payrollrun", exclude=[run.calculated_by_id])
    if users:
        totals = Payslip.objects.filter(run=run).aggregate(count=Count("pk"), net=Sum("net"))
        notify(
            users=users,
            subject=stored(
                gettext_noop("Payroll %(period)s is calculated and waits for approval"),
                period=run.period.as_text(),
            ),
            body=stored_plural(
                gettext_noop(
                    "%(count)d payslip, net total %(net)s EUR. Review the changes and approve it."
                ),
                gettext_noop(
                    "%(count)d payslips, net total %(net)s EUR. Review the changes and approve it."
                ),
                totals["count"],
                count=totals["count"],
                net=Amount(totals["net"] or 0),
            ),
            link=reverse("payroll:run_detail", args=[run.pk]),
        )


def _last_progress(run: PayrollRun):
    """When the run last moved: started, resumed, or a chunk committed."""
    finished = run.chunks.aggregate(last=Max("finished_at"))["last"]
    candidates = [t for t in (run.updated_at, run.calculation_started_at, finished) if t]
    return max(candidates) if candidates else timezone.now()


def payday_progress(*, run: PayrollRun) -> dict:
    """What the database holds: payslips and errors written against employees expected; and,
    while calculating, what the run waits for (its parts written, being calculated, queued),
    how long it has run and how long nothing has moved."""
    done = Payslip.objects.filter(run=run).count()
    failed = PayslipError.objects.filter(run=run).count()
    expected = run.expected_count
    percent = 100 if not expected else min(100, (done + failed) * 100 // expected)
    idle = elapsed = 0
    retrying = activity = ""
    parts = {"total": 0, "written": 0, "running": 0, "queued": 0}
    if run.status == PayrollRun.Status.CALCULATING:
        now = timezone.now()
        elapsed = max(0, int((now - (run.calculation_started_at or now)).total_seconds()))
        parts = _chunk_counts(run)
        activity = _activity_text(parts, elapsed)
        idle = max(0, int((now - _last_progress(run)).total_seconds()))
        retrying = (
            run.chunks.exclude(status=PayrollChunk.Status.DONE)
            .exclude(error="")
            .values_list("error", flat=True)
            .first()
            or ""
        )
    quiet = idle >= django_settings.PAYROLL_PROGRESS_QUIET_SECONDS
    return {
        "status": run.status,
        "status_display": str(run.get_status_display()),
        "expected": expected,
        "done": done,
        "errors": failed,
        "percent": percent,
        "error": run.error,
        "idle_seconds": idle,
        "quiet": quiet,
        "quiet_text": _quiet_text(idle, retrying) if quiet or retrying else "",
        "parts": parts,
        "elapsed_seconds": elapsed,
        "activity_text": activity,
    }


def _chunk_counts(run: PayrollRun) -> dict[str, int]:
    """The run's parts: written (done), being calculated, queued. One query. A part a worker
    is calculating is the one whose row the worker holds locked (payroll_chunk_calculate locks
    it for its whole transaction), so "being calculated" is what PostgreSQL knows, not what a
    worker last said: a worker that died releases its lock and the part counts as queued
    again. The pending rows nobody holds are counted under FOR KEY SHARE SKIP LOCKED, the
    weakest row lock there is, held until the statement's transaction ends (for the progress
    poll, which runs in autocommit, at once)."""
    table = connection.ops.quote_name(PayrollChunk._meta.db_table)
    pending, written = PayrollChunk.Status.PENDING, PayrollChunk.Status.DONE
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE status = %s),"  # noqa: S608 - table name
            f" count(*) FILTER (WHERE status = %s),"
            f" (SELECT count(*) FROM (SELECT 1 FROM {table} WHERE run_id = %s AND status = %s"
            f"  FOR KEY SHARE SKIP LOCKED) AS free)"
            f" FROM {table} WHERE run_id = %s",
            [written, pending, run.pk, pending, run.pk],
        )
        total, done, waiting, free = cursor.fetchone()
    return {"total": total, "written": done, "running": waiting - free, "queued": free}


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)d s") % {"seconds": seconds}


def _activity_text(parts: dict[str, int], elapsed: int) -> str:
    """What a calculating run waits for, in words: "Waiting for a worker: 3 parts queued."
    when no worker has taken a part yet, else how many are written, being calculated and
    queued; then how long the run has run."""
    text = []
    if parts["queued"] and not parts["running"]:
        text.append(
            ngettext(
                "Waiting for a worker: %(queued)d part queued.",
                "Waiting for a worker: %(queued)d parts queued.",
                parts["queued"],
            )
            % {"queued": parts["queued"]}
        )
    if parts["written"] or parts["running"]:
        text.append(
            ngettext(
                "%(written)d of %(total)d part written, %(running)d being calculated, "
                "%(queued)d queued.",
                "%(written)d of %(total)d parts written, %(running)d being calculated, "
                "%(queued)d queued.",
                parts["total"],
            )
            % parts
        )
    text.append(_("Running for %(duration)s.") % {"duration": _duration(elapsed)})
    return " ".join(text)


def _quiet_text(idle: int, retrying: str) -> str:
    minutes = idle // 60
    parts = []
    if idle >= django_settings.PAYROLL_PROGRESS_QUIET_SECONDS:
        parts.append(
            ngettext(
                "Nothing has moved for %(minutes)d minute.",
                "Nothing has moved for %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
            if minutes
            else _("Nothing has moved for %(seconds)d seconds.") % {"seconds": idle}
        )
        parts.append(
            _(
                "The workers may be busy with other work; after %(stall)d minutes without "
                "progress the run is resumed automatically and you are told."
            )
            % {"stall": django_settings.PAYROLL_STALL_MINUTES}
        )
    if retrying:
        parts.append(_("A part is being tried again after: %(error)s") % {"error": retrying[:300]})
    return " ".join(parts)


def payday_watchdog(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Celery beat: find calculating runs with no progress for ``PAYROLL_STALL_MINUTES``.
    The first time, resume them (queue what is not done) and tell the payroll clerk; when
    nothing moved after that either, fail the run with a message and tell the clerk. Runs
    that moved since the last resume count as a new stall."""
    now = now or timezone.now()
    stall = datetime.timedelta(minutes=django_settings.PAYROLL_STALL_MINUTES)
    resumed = failed = 0
    for run in PayrollRun.objects.filter(status=PayrollRun.Status.CALCULATING).select_related(
        "period"
    ):
        last = _last_progress(run)
        if now - last < stall:
            continue
        finished = run.chunks.aggregate(last=Max("finished_at"))["last"]
        moved_since_resume = (
            run.watchdog_resumed_at is not None
            and finished is not None
            and finished > run.watchdog_resumed_at
        )
        minutes = int((now - last).total_seconds() // 60)
        if run.watchdog_resumed_at is None or moved_since_resume:
            try:
                payday_run_resume(run=run, by_watchdog=True)
            except PaydayRefused:
                continue  # it moved on meanwhile
            _clerk_notify(
                run,
                stored(
                    gettext_noop(
                        "Payroll %(period)s was resumed: nothing had moved for %(minutes)d minutes"
                    ),
                    period=run.period.as_text(),
                    minutes=minutes,
                ),
                stored(
                    gettext_noop(
                        "The parts not done were queued again. If it stalls again, the run is "
                        "failed and you are told."
                    )
                ),
            )
            resumed += 1
            continue
        message = stored(
            gettext_noop(
                "Nothing moved for %(minutes)d minutes, also after an automatic resume. Check "
                "that the Celery workers run, then press “Resume calculation”."
            ),
            minutes=minutes,
        )
        with transaction.atomic():
            updated = PayrollRun.objects.filter(
                pk=run.pk, status=PayrollRun.Status.CALCULATING
            ).update(status=PayrollRun.Status.FAILED, error=str(message), updated_at=now)
            if updated:
                _clerk_notify(
                    run,
                    stored(
                        gettext_noop("Payroll %(period)s stalled and was stopped"),
                        period=run.period.as_text(),
                    ),
                    message,
                )
                failed += 1
    return {"resumed": resumed, "failed": failed}


def _refuse_if_hours_changed(run: PayrollRun) -> None:
    """Hours entered or changed after the calculation started are not in the payslips:
    the run must be calculated again before it is approved. Those are the hours its payslips
    hold (late hours of earlier periods too) and the hours of its window."""
    hours_start, hours_end = hours_window(period=run.period)
    changed = (
        TimeEntry.objects.filter(payslip__run=run, updated_at__gt=run.calculation_started_at)
        .select_related("employee")
        .first()
    ) or (
        TimeEntry.objects.filter(
            date__range=(hours_start, hours_end),
            employee__payslips__run=run,
            # A one-off payslip (a bonus) pays no hours: changes there are the regular run's.
            employee__payslips__pays_period=True,
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
            % {"employee": changed.employee.full_name, "day": format_date(changed.date)}
        )


def run_profiles_changed(*, run: PayrollRun) -> list[Employee]:
    """Employees of the run whose pay profile had a change approved after the calculation
    started: their payslips hold values that no longer apply."""
    ids = profile_changes_approved_since(
        employee_ids=Payslip.objects.filter(run=run).values("employee_id"),
        since=run.calculation_started_at,
    )
    return list(Employee.objects.filter(pk__in=ids).order_by("personnel_number")[:20])


def _refuse_if_profiles_changed(run: PayrollRun) -> None:
    changed = run_profiles_changed(run=run)
    if changed:
        raise PaydayRefused(
            _(
                "The pay profile of %(employees)s changed after the calculation. "
                "Calculate again before approving."
            )
            % {"employees": ", ".join(e.full_name for e in changed)}
        )


def run_hours_warnings(*, run: PayrollRun) -> list[dict]:
    """The readiness warning about incomplete hours, for the run's own employees, as it holds
    now: the review repeats it before Approve and Pay."""
    return hours_readiness(
        period=run.period,
        profiles=approved_profiles().filter(
            employee_id__in=Payslip.objects.filter(run=run).values("employee_id")
        ),
    )


def run_approval_is_own(*, run: PayrollRun, user) -> bool:
    """The four-eyes rule (on by default): whoever calculated a run cannot approve it."""
    return payroll_settings().second_approver_required and run.calculated_by_id == user.pk


def run_large_changes(*, run: PayrollRun) -> int:
    """How many of the run's payslips changed by more than the settings' percentage against
    the employee's payslip of the last paid run (the review's flag). One query."""
    previous = review.previous_paid_run(run=run)
    return review.large_change_count(
        run=run, previous=previous, percent=payroll_settings().large_change_percent
    )


@transaction.atomic
def payday_run_approve(*, run: PayrollRun, user, changes_acknowledged: bool = False) -> PayrollRun:
    """Approve a calculated run, as a second person. When payslips changed a lot against the
    last paid run, the approver must say they looked at them (``changes_acknowledged``)."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status in (PayrollRun.Status.APPROVED, PayrollRun.Status.PAID):
        return run  # approved already (a second click, or paid since): nothing changes
    if run.status != PayrollRun.Status.CALCULATED:
        raise PaydayRefused(_("Only a calculated run can be approved."))
    if run_approval_is_own(run=run, user=user):
        raise PaydayRefused(
            _("Whoever calculated the run cannot approve it; a second person must.")
        )
    _refuse_if_hours_changed(run)
    _refuse_if_profiles_changed(run)
    errors = PayslipError.objects.filter(run=run).select_related("employee")[:1]
    if errors:
        raise PaydayRefused(
            _("%(employee)s: %(message)s Fix it and calculate again.")
            % {"employee": errors[0].employee.full_name, "message": errors[0].message}
        )
    large = run_large_changes(run=run)
    if large and not changes_acknowledged:
        raise PaydayRefused(
            ngettext(
                "%(count)d payslip changed by more than %(percent)s %% against the last paid "
                "run. Look at it and confirm that you checked it before approving.",
                "%(count)d payslips changed by more than %(percent)s %% against the last paid "
                "run. Look at them and confirm that you checked them before approving.",
                large,
            )
            % {
                "count": large,
                "percent": format_quantity(payroll_settings().large_change_percent),
            }
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
        # Hourly staff's paid absences (hr absences) are wages too.
        "vacation_pay": settings.wage_expense_account_id,
        "special_leave_pay": settings.wage_expense_account_id,
        "sick_pay": settings.wage_expense_account_id,
        "salary": settings.salary_expense_account_id,
        "late_hours": settings.wage_expense_account_id,
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
                    source=f"{RUN_SOURCE_PREFIX}{run.pk}",
                    memo=(
                        _("Off-cycle payroll %(period)s, run %(run)d")
                        % {"period": str(run.period), "run": run.pk}
                        if run.kind == PayrollRun.Kind.OFF_CYCLE
                        else _("Payroll %(period)s") % {"period": str(run.period)}
                    ),
                    user=user,
                )
                if lines
                else None
            )
        except PostingRefused as exc:
            raise PaydayRefused(exc.messages) from exc

        # Nothing to transfer (only zero payslips, say hourly staff without hours in the
        # first month paid one period later): no bank file, which would not validate empty.
        if any(slip.net > 0 for slip in deposits):
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
    # The debtor is the paying bank account as accounting records it (one source of truth).
    debtor = bank_account_details(account_id=settings.bank_account_id)
    return sepa.credit_transfer(
        debtor_name=settings.company_name,
        debtor_iban=debtor.iban if debtor else "",
        debtor_bic=debtor.bic if debtor else "",
        execution_date=run.period.payday,
        transfers=(
            sepa.Transfer(
                name=slip.account_holder or slip.employee.full_name,
                iban=slip.iban,
                bic=slip.bic,
                amount=slip.net,
                description=_remittance(run, slip),
                end_to_end_id=f"PR{run.pk}-{slip.employee.personnel_number}"[:35],
            )
            for slip in deposits
            if slip.net > 0
        ),
    )


def _remittance(run: PayrollRun, slip: Payslip) -> str:
    """The transfer's text on the employee's bank statement, in German as the bank file is:
    a regular run's is the month's pay; an off-cycle payslip that pays only one-off amounts
    (a bonus, a final payout) is a "Sonderzahlung", and a late hire's period paid off-cycle
    says it is a back payment of that month's pay."""
    month = f"{run.period.start:%m/%Y}"
    if run.kind != PayrollRun.Kind.OFF_CYCLE:
        return f"Lohn/Gehalt {month}"
    if slip.pays_period:
        return f"Lohn/Gehalt {month} Nachzahlung Sonderlauf {run.pk}"
    return f"Sonderzahlung {month} Sonderlauf {run.pk}"


def _after_pay(run_id: int) -> None:
    from payroll.tasks import payday_after_pay

    transaction.on_commit(lambda: payday_after_pay.delay(run_id))


def offcycle_hours_employee_ids(*, run: PayrollRun) -> list[int]:
    """Whose hours an off-cycle run pays: its late hires only. A bonus or a final payout pays
    an amount; the employee's hours belong to the regular run."""
    return sorted(
        set(
            OffCycleItem.objects.filter(run=run, kind=OffCycleItem.Kind.LATE_HIRE).values_list(
                "employee_id", flat=True
            )
        )
    )


def payday_readiness(
    *,
    period: PayPeriod,
    employee_ids: list[int] | None = None,
    hours_employee_ids: list[int] | None = None,
) -> list[dict]:
    """What blocks or warns before Calculate: unapproved hours, missing bank details, pay
    profiles waiting for approval, hires and terminations in the period. Aggregates over a
    subquery of the eligible employees (an off-cycle run: the ones it names), never a list of
    ten thousand ids and never a loop over employees. ``hours_employee_ids`` (an off-cycle
    run: its late hires) narrows whose unapproved hours block; by default everyone's."""
    items = []
    if employee_ids is None:
        profiles = (
            approved_profiles()
            .filter(schedule_id=period.schedule_id, employee__hire_date__lte=period.end)
            .filter(
                Q(employee__termination_date__isnull=True)
                | Q(employee__termination_date__gte=period.start)
            )
        )
    else:
        profiles = approved_profiles().filter(employee_id__in=employee_ids)
    # Whose hours the run pays: everyone's, or an off-cycle run's late hires only.
    hours_profiles = profiles
    if hours_employee_ids is not None:
        hours_profiles = profiles.filter(employee_id__in=hours_employee_ids)
    ids = hours_profiles.values("employee_id")
    unapproved = (
        TimeEntry.objects.filter(employee_id__in=ids, date__range=hours_window(period=period))
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
    # One query of small subqueries, each through its own index (profiles without an IBAN,
    # hire and termination dates), instead of counting every eligible employee.
    counts = (
        PaySchedule.objects.filter(pk=period.schedule_id)
        .values(
            everyone=Exists(profiles),
            no_bank=_count(
                profiles.filter(pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT, iban="")
            ),
            hires=_count(profiles.filter(employee__hire_date__range=(period.start, period.end))),
            leavers=_count(
                profiles.filter(employee__termination_date__range=(period.start, period.end))
            ),
            waiting=_count(
                PayProfile.objects.filter(schedule_id=period.schedule_id, approved_at__isnull=True)
            ),
        )
        .get()
    )
    if counts["no_bank"]:
        items.append(
            {
                "level": "block",
                "text": _("%(count)d direct-deposit employees have no IBAN.")
                % {"count": counts["no_bank"]},
            }
        )
    waiting = counts["waiting"]
    if waiting and employee_ids is None:
        items.append(
            {
                "level": "warn",
                "text": ngettext(
                    "%(count)d new pay profile waits for approval and is not paid.",
                    "%(count)d new pay profiles wait for approval and are not paid.",
                    waiting,
                )
                % {"count": waiting},
            }
        )
    if counts["hires"]:
        items.append(
            {
                "level": "warn",
                "text": _("%(count)d hires in this period.") % {"count": counts["hires"]},
            }
        )
    if counts["leavers"]:
        items.append(
            {
                "level": "warn",
                "text": _("%(count)d terminations in this period.") % {"count": counts["leavers"]},
            }
        )
    if not counts["everyone"]:
        items.append({"level": "block", "text": _("No employees are on this pay schedule.")})
    problem = _company_account_problem(payroll_settings())
    if problem:
        items.append({"level": "block", "text": problem})
    if hours_employee_ids != []:  # an off-cycle run of bonuses and payouts pays no hours
        items += hours_readiness(period=period, profiles=hours_profiles)
    return items


def _count(queryset) -> Subquery:
    """A scalar subquery: the number of ``queryset``'s rows."""
    return Subquery(
        queryset.order_by().values(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _company_account_problem(settings: PayrollSettings) -> str | None:
    """The account the direct deposits are paid from must have a valid IBAN."""
    debtor = bank_account_details(account_id=settings.bank_account_id)
    try:
        IBAN(debtor.iban if debtor else "")
    except SchwiftyException:
        return _("The payroll settings have no valid company IBAN to pay direct deposits from.")
    return None


def period_is_paid(*, day: datetime.date, employee_id: int) -> bool:
    """Whether the employee's hours of ``day`` are paid (or in an approved run): then they
    are locked. A day nobody recorded is never locked: its hours are paid late."""
    return TimeEntry.objects.filter(
        employee_id=employee_id,
        date=day,
        payslip__run__status__in=(PayrollRun.Status.APPROVED, PayrollRun.Status.PAID),
    ).exists()
