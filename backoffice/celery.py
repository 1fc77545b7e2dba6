"""The Celery app. Every periodic task of the project is declared here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.local")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Batch tasks acknowledge after they ran, and a task whose worker died is delivered again;
# tasks are written to be idempotent so a second delivery changes nothing.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True

# The beat schedule: every periodic task of every app. Task names are strings so this module
# imports no app code.
app.conf.beat_schedule = {
    "hr-deactivate-terminated-logins": {
        "task": "hr.tasks.deactivate_terminated_logins",
        "schedule": crontab(minute=15),
    },
    # HR lifecycle: planned transfers take effect on their day.
    "hr-transfers-apply-due": {
        "task": "hr.tasks.transfers_apply_due",
        "schedule": crontab(hour=0, minute=20),
    },
    # HR discipline/training/compliance (issue #8): once a day, once per training and expiry.
    "hr-training-reminders-daily": {
        "task": "hr.tasks.training_reminders_send",
        "schedule": crontab(hour=6, minute=30),
    },
    "accounting-budgets-check-nightly": {
        "task": "accounting.tasks.budgets_check",
        "schedule": crontab(hour=2, minute=0),
    },
    "accounting-audit-run-nightly": {
        "task": "accounting.tasks.audit_run",
        "schedule": crontab(hour=2, minute=30),
    },
    "payroll-payday-watchdog": {
        "task": "payroll.tasks.payday_watchdog",
        "schedule": crontab(minute="*"),
    },
    "backoffice-send-pending-notification-mail": {
        "task": "backoffice.tasks.notification_mail_send_pending",
        "schedule": crontab(minute="*/10"),
    },
}
