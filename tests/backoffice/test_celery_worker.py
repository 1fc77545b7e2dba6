"""Tasks through a real Celery worker (in a thread), against Redis when REDIS_URL is set."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from backoffice import roles
from backoffice.celery import app
from backoffice.models import Notification
from backoffice.tasks import notification_mail_send


@pytest.fixture
def celery_worker_thread(settings):
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_real_worker_and_a_second_delivery_changes_nothing(
    make_user, celery_worker_thread
):
    user = make_user(roles.STAFF)
    notification = Notification.objects.create(user=user, subject="Über den Worker")
    first = notification_mail_send.delay([notification.pk])
    second = notification_mail_send.delay([notification.pk])
    assert first.get(timeout=30) == 1
    assert second.get(timeout=30) == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None
