import importlib
import logging
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher
from django.core import mail

from backoffice import roles

pytestmark = pytest.mark.django_db


def test_login_logout(client, make_user, password):
    user = make_user(roles.STAFF)
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_lock_the_account_and_are_logged(client, make_user, password, caplog):
    """After five failures even the right password is refused, and the lockout is logged."""
    user = make_user(roles.STAFF)
    caplog.set_level(logging.WARNING, logger="axes")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": user.username, "password": "x"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post("/accounts/login/", {"username": user.username, "password": "x"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= 5
    assert any("locking out" in r.getMessage().lower() for r in caplog.records)


def test_lockout_is_per_account(client, make_user, password):
    victim = make_user(roles.STAFF)
    other = make_user(roles.STAFF)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": victim.username, "password": "x"})
    response = client.post("/accounts/login/", {"username": other.username, "password": password})
    assert response.status_code == 302


def test_password_change(client, make_user, password):
    user = make_user(roles.STAFF)
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": password,
            "new_password1": "Ganz-neues-Passwort-42",
            "new_password2": "Ganz-neues-Passwort-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Ganz-neues-Passwort-42")


def test_password_reset_mails_a_link(client, make_user):
    user = make_user(roles.STAFF)
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_production_and_base_hash_with_argon2():
    base = importlib.import_module("backoffice.settings.base")
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert isinstance(get_hasher("argon2"), Argon2PasswordHasher)


def test_production_settings_refuse_to_start_without_a_secret_key():
    """Production has no default secrets: missing DJANGO_SECRET_KEY is an error."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings.production",
        DJANGO_ALLOWED_HOSTS="example.com",
        DATABASE_URL="postgres://localhost/x",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_security_headers(client, make_user):
    client.force_login(make_user(roles.STAFF))
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
