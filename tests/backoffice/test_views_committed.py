"""Log in and out, language, passwords, the inbox and the user and lockout admin, outside the
test's transaction (issue #7, item 1).

Each request commits on its own here, as in production: django-axes records a failed login in
the request's transaction, the inbox marks are written by services that lock rows.
tests/backoffice/test_post_views_committed.py checks that every POST URL has such a test; the
second factor's pages have theirs in tests/backoffice/test_two_factor.py.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from backoffice import roles
from backoffice.models import Notification
from backoffice.services import notify

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Ganz-neues-Passwort-42"


@pytest.fixture(autouse=True)
def committed():
    """The point of this file: no transaction around the test."""
    assert not connection.in_atomic_block


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_login_wrong_password_is_counted_then_right_one_logs_in_and_logout_ends_it(
    client, make_user, password
):
    user = make_user(roles.STAFF)
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1

    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # to the login page


def test_language_switch_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"


def test_password_change(client, make_user, password):
    user = make_user(roles.STAFF)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_by_the_mailed_link(client, make_user):
    """Ask for a reset, follow the link in the mail, set a new password: it works."""
    user = make_user(roles.STAFF)
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    [message] = mail.outbox
    uid, token = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", message.body).groups()

    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 302  # to the same page without the token in the URL
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_inbox_marks_one_then_all_read(client, make_user):
    me = make_user(roles.STAFF)
    first, *others = notify(users=[me], subject="eins") + notify(users=[me], subject="zwei")
    others += notify(users=[me], subject="drei")
    client.force_login(me)

    response = client.post(reverse("notification_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None

    response = client.post(reverse("notification_read_all"))
    assert "2 messages marked as read." in messages_of(response)
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()


def test_admin_sets_another_users_password(admin_client, make_user):
    user = make_user(roles.STAFF)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_admin_cleans_up_expired_lockout_records(admin_client):
    """Records older than the cool-off time go; a current one stays."""
    old = AccessAttempt.objects.create(username="alt", failures_since_start=3)
    AccessAttempt.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    current = AccessAttempt.objects.create(username="neu", failures_since_start=1)
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "cleanup_expired_attempts", ACTION_CHECKBOX_NAME: [str(current.pk)]},
    )
    assert response.status_code == 302
    assert "Cleaned up 1 expired access attempts." in messages_of(response)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["neu"]
