"""Settings for the test suite (pytest-django)."""

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, STATIC_ROOT

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

if not DATABASES:
    from backoffice.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings()}

# Argon2 stays the hasher users get (a test checks it); MD5 first only speeds factories up.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run in-process by default; tests that need a real worker switch this off
# (tests/backoffice/test_celery_worker.py). The broker is Redis when REDIS_URL is given.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_TASK_IGNORE_RESULT = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Production behaviour: users of the protected roles need a second factor. The test client's
# force_login passes it with a real device (tests/conftest.py); tests/backoffice/
# test_two_factor.py logs in without it.
TWO_FACTOR_REQUIRED = True
