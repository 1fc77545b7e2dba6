import pytest
from django.core import mail

from backoffice import roles
from backoffice.models import Notification
from backoffice.services import notify
from backoffice.tasks import notification_mail_send

pytestmark = pytest.mark.django_db


def test_notify_fills_the_inbox_at_once_and_mails_after_commit(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user(roles.STAFF)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[user], subject="Budget 80 %", body="Vertrieb hat 80 % erreicht.")
        assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Budget 80 %"


def test_mail_task_delivered_twice_sends_once(make_user):
    user = make_user(roles.STAFF)
    notification = notify(users=[user], subject="Ticket beantwortet")[0]
    notification_mail_send(ids=[notification.pk])
    notification_mail_send(ids=[notification.pk])
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_rolled_back_notification_sends_nothing(make_user, django_capture_on_commit_callbacks):
    from django.db import transaction

    user = make_user(roles.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(users=[user], subject="nie")
                raise RuntimeError("fail after notify")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Notification.objects.filter(user=user).exists()


def test_inbox_shows_own_messages_and_unread_count(client, make_user):
    me, other = make_user(roles.STAFF), make_user(roles.STAFF)
    notify(users=[me], subject="Für mich")
    notify(users=[other], subject="Für jemand anderen")
    client.force_login(me)
    page = client.get("/inbox/").content.decode()
    assert "Für mich" in page
    assert "Für jemand anderen" not in page
    home = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in home


def test_marking_anothers_notification_is_not_found(client, make_user):
    me, other = make_user(roles.STAFF), make_user(roles.STAFF)
    theirs = notify(users=[other], subject="privat")[0]
    client.force_login(me)
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read(client, make_user):
    me = make_user(roles.STAFF)
    mine = notify(users=[me], subject="lesen")[0]
    client.force_login(me)
    assert client.post(f"/inbox/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(f"/inbox/{mine.pk}/read/").status_code == 405
