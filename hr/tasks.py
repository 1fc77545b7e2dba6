from celery import shared_task
from django.utils import timezone

from hr.services import logins_of_terminated_deactivate


@shared_task(name="hr.tasks.deactivate_terminated_logins")
def deactivate_terminated_logins() -> int:
    return logins_of_terminated_deactivate(today=timezone.localdate())
