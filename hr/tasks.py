from celery import shared_task
from django.utils import timezone

from hr.services import logins_of_terminated_deactivate


@shared_task(name="hr.tasks.deactivate_terminated_logins")
def deactivate_terminated_logins() -> int:
    return logins_of_terminated_deactivate(today=timezone.localdate())


@shared_task(name="hr.tasks.training_reminders_send")
def training_reminders_send() -> int:
    """Daily: remind employees and their heads of overdue or expiring required trainings."""
    from hr.services.training import training_reminders_send as send

    return send(today=timezone.localdate())
