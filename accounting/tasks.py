from celery import shared_task

from accounting.services.budgets import budgets_check as _budgets_check


@shared_task(name="accounting.tasks.budgets_check")
def budgets_check(department_ids: list[int] | None = None) -> int:
    """Nightly and after postings: notify budget thresholds crossed (once each)."""
    return _budgets_check(department_ids=set(department_ids) if department_ids else None)
