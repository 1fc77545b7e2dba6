from celery import shared_task
from django.utils import timezone

from hr.services import logins_of_terminated_deactivate
from hr.services.lifecycle import employment_changes_apply_due


@shared_task(name="hr.tasks.deactivate_terminated_logins")
def deactivate_terminated_logins() -> int:
    return logins_of_terminated_deactivate(today=timezone.localdate())


@shared_task(name="hr.tasks.transfers_apply_due")
def transfers_apply_due() -> int:
    """Daily: transfers whose effective date has come take effect. Idempotent."""
    return employment_changes_apply_due(today=timezone.localdate())


@shared_task(name="hr.tasks.training_reminders_send")
def training_reminders_send() -> int:
    """Daily: remind employees and their heads of overdue or expiring required trainings."""
    from hr.services.training import training_reminders_send as send

    return send(today=timezone.localdate())
