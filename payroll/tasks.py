"""Payroll's Celery tasks: take ids, load, check state, call one service, return."""

import logging

from celery import shared_task

from payroll.services import payday

logger = logging.getLogger(__name__)


@shared_task(name="payroll.tasks.payroll_chunk_calculate", acks_late=True)
def payroll_chunk_calculate(chunk_id: int) -> int:
    try:
        return payday.payroll_chunk_calculate(chunk_id=chunk_id)
    except Exception as exc:
        logger.exception("payroll chunk %s failed", chunk_id)
        payday.payroll_chunk_failed(chunk_id=chunk_id, error=f"{type(exc).__name__}: {exc}")
        return 0


@shared_task(name="payroll.tasks.payday_after_pay")
def payday_after_pay(run_id: int) -> None:
    """After a run is paid: notify the employees; PDFs render on their own task."""
    from payroll.services.publish import payday_publish

    payday_publish(run_id=run_id)
