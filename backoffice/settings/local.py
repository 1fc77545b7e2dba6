"""Settings for `make run` on a developer's machine."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STATIC_ROOT, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

if not DATABASES:
    from backoffice.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings()}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Demo logins (`make run`, seed_demo) skip the second factor unless TWO_FACTOR_REQUIRED=true.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)

# Demo mail is written to files, one per mail, under var/mail (one log line each), not to the
# console that runs web, workers and beat. EMAIL_BACKEND in .env sends real mail instead.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="backoffice.mail.FileBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
