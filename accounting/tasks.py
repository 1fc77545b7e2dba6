from celery import shared_task

from accounting.audit import audit_run as _audit_run
from accounting.services.budgets import budgets_check as _budgets_check


@shared_task(name="accounting.tasks.budgets_check")
def budgets_check(department_ids: list[int] | None = None) -> int:
    """Nightly and after postings: notify budget thresholds crossed (once each)."""
    return _budgets_check(department_ids=set(department_ids) if department_ids else None)


@shared_task(name="accounting.tasks.audit_run")
def audit_run() -> int:
    """Nightly: run every registered audit check; returns how many findings are new. A second
    delivery adds nothing (each finding is raised once); a failing check is logged and the
    others still run."""
    return _audit_run().new
