"""Payroll's Celery tasks: take ids, load, check state, call one service, return."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _
from psycopg.errors import LockNotAvailable

from payroll.services import payday

logger = logging.getLogger(__name__)


@shared_task(name="payroll.tasks.payroll_chunk_calculate", acks_late=True)
def payroll_chunk_calculate(chunk_id: int) -> int:
    """One chunk of a run. A failed attempt (a soft time limit, a lock wait that timed out, a
    crash) is recorded on a fresh connection and the chunk is delivered again, a few times;
    then the run fails and the clerk is told. A worker killed outright redelivers the message
    (acks_late, reject on worker lost); a message lost for good is the watchdog's."""
    try:
        return payday.payroll_chunk_calculate(chunk_id=chunk_id)
    except Exception as exc:  # SoftTimeLimitExceeded included
        logger.exception("payroll chunk %s failed", chunk_id)
        # The interrupted connection may be unusable: record the failure on a fresh one.
        payday.connection_discard()
        error = _attempt_error(exc)
        if payday.payroll_chunk_attempt_failed(chunk_id=chunk_id, error=error):
            payday.payroll_chunk_deliver_again(chunk_id=chunk_id)
        return 0


def _attempt_error(exc: BaseException) -> str:
    """What went wrong, for the clerk: a time limit that fired inside the database driver
    surfaces as the driver's error about the interrupted transaction; name the limit."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SoftTimeLimitExceeded):
            return _(
                "The part took longer than its time limit of %(seconds)d s (perhaps waiting "
                "for a lock held by other work)."
            ) % {"seconds": settings.PAYROLL_CHUNK_SOFT_TIME_LIMIT}
        if isinstance(seen, LockNotAvailable):
            return _(
                "The part waited longer than %(seconds)d s for a lock held by other work "
                "(someone changing an employee or the run, say)."
            ) % {"seconds": settings.PAYROLL_CHUNK_LOCK_TIMEOUT}
        seen = seen.__context__
    return f"{type(exc).__name__}: {exc}".strip()


@shared_task(name="payroll.tasks.payday_watchdog")
def payday_watchdog() -> dict:
    """Celery beat: resume (once) or fail runs on which nothing moved; tell the clerk."""
    return payday.payday_watchdog()


@shared_task(name="payroll.tasks.payday_after_pay")
def payday_after_pay(run_id: int) -> None:
    """After a run is paid: notify the employees; PDFs render on their own task."""
    from payroll.services.publish import payday_publish

    payday_publish(run_id=run_id)


# PDFs: a batch of payslips per task, each document time-boxed in payroll.pdf; the task stops
# starting documents well before its soft limit and hands the rest to a fresh task.
PDF_TASK_SOFT_LIMIT = 600
PDF_TASK_MARGIN = 120


@shared_task(
    name="payroll.tasks.payslip_pdfs_render",
    acks_late=True,
    soft_time_limit=PDF_TASK_SOFT_LIMIT,
    time_limit=PDF_TASK_SOFT_LIMIT + 60,
)
def payslip_pdfs_render(run_id: int, after_id: int = 0) -> int:
    """Render the missing payslip PDFs of a paid run; idempotent (stored ones are skipped)."""
    import time

    from payroll.services.publish import payslip_pdfs_render as render

    deadline = time.monotonic() + PDF_TASK_SOFT_LIMIT - PDF_TASK_MARGIN
    stored, next_after = render(run_id=run_id, after_id=after_id, deadline=deadline)
    if next_after is not None:
        payslip_pdfs_render.delay(run_id, next_after)
    return stored


@shared_task(
    name="payroll.tasks.cheques_pdf_render",
    acks_late=True,
    soft_time_limit=PDF_TASK_SOFT_LIMIT,
    time_limit=PDF_TASK_SOFT_LIMIT + 60,
)
def cheques_pdf_render(run_id: int) -> bool:
    """Render a paid run's cheque run once."""
    from payroll.services.publish import cheques_pdf_store

    return cheques_pdf_store(run_id=run_id)
