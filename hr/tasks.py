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


@shared_task(name="hr.tasks.recruiting_confirmation_send")
def recruiting_confirmation_send(application_id: int) -> bool:
    """The applicant's confirmation mail; sent once however often the message is delivered."""
    from hr.services.recruiting import application_confirmation_send

    return application_confirmation_send(application_id=application_id)


@shared_task(name="hr.tasks.recruiting_confirmations_send_pending")
def recruiting_confirmations_send_pending() -> int:
    """Every ten minutes: confirmations whose mail task was lost go now."""
    from hr.services.recruiting import applications_confirmations_send_pending

    return applications_confirmations_send_pending()


@shared_task(name="hr.tasks.recruiting_applications_purge")
def recruiting_applications_purge() -> int:
    """Daily: rejected applicants' data whose keeping time has run out is deleted (GDPR)."""
    from hr.services.recruiting import applications_purge

    return applications_purge()
