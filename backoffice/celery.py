"""The Celery app. Every periodic task of the project is declared here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.local")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Batch tasks acknowledge after they ran, and a task whose worker died is delivered again;
# tasks are written to be idempotent so a second delivery changes nothing.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True

# Queues. Payday chunks have a queue of their own and a worker of their own (`manage.py
# runall`, docker-compose's `worker-payday`), so a Calculate never waits behind a backlog of
# PDFs or mail: a worker busy with a ten-minute PDF batch cannot take a chunk, whatever the
# order of its queues. The watchdog that resumes stalled runs travels with the chunks.
#   payday   payday chunks and their watchdog
#   default  short work: notification mail, publishing a paid run, the periodic checks
#   bulk     long batches that nobody waits for: payslip PDFs rendered ahead, cheque runs
# A worker started without -Q consumes all three (the test workers do).
PAYDAY_QUEUE, DEFAULT_QUEUE, BULK_QUEUE = "payday", "default", "bulk"
# Each queue is bound to an exchange and routing key of its own name, so the broker's bindings
# and a worker's banner say what they mean. (Given only a name, all three would show as bound
# to "default" with key "default"; Celery publishes a task straight to its queue either way.)
app.conf.task_queues = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (PAYDAY_QUEUE, DEFAULT_QUEUE, BULK_QUEUE)
)
app.conf.task_default_queue = DEFAULT_QUEUE
app.conf.task_default_exchange = DEFAULT_QUEUE
app.conf.task_default_routing_key = DEFAULT_QUEUE
app.conf.task_routes = {
    "payroll.tasks.payroll_chunk_calculate": {"queue": PAYDAY_QUEUE},
    "payroll.tasks.payday_watchdog": {"queue": PAYDAY_QUEUE},
    "payroll.tasks.payslip_pdfs_render": {"queue": BULK_QUEUE},
    "payroll.tasks.cheques_pdf_render": {"queue": BULK_QUEUE},
    # Everything else (notification mail, payday_after_pay, the periodic checks): default.
}
# The workers that serve the queues: name -> the queues it consumes, in the order it prefers
# them. `manage.py runall` starts these; docker-compose's `worker-payday` and `worker` match
# them (tests/backoffice/test_compose.py).
WORKERS = {
    "payday": (PAYDAY_QUEUE,),
    "worker": (DEFAULT_QUEUE, BULK_QUEUE),
}

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
    # Recruiting (issue #10): rejected applicants' data goes after its keeping time (GDPR).
    "hr-recruiting-applications-purge-daily": {
        "task": "hr.tasks.recruiting_applications_purge",
        "schedule": crontab(hour=3, minute=40),
    },
    "hr-recruiting-confirmations-send-pending": {
        "task": "hr.tasks.recruiting_confirmations_send_pending",
        "schedule": crontab(minute="*/10"),
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
