"""Settings shared by every environment. One django-environ ``env`` object reads them all."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "backoffice.apps.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    # Second factor for the roles that move money or see pay (backoffice.two_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "import_export",
    # Change history of employees and personnel files (who, when, old and new value).
    "simple_history",
    "backoffice.apps.BackofficeConfig",
    "hr",
    "accounting",
    "payroll",
    "inventory",
    "itsupport",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for a NUL byte or a control character in the request, or a date filter out of range,
    # before the session (a forged cookie) or any view (a DataError, an OverflowError) sees it.
    "backoffice.middleware.RequestInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A login sets the language cookie to the user's chosen language (backoffice.language).
    "backoffice.language.LoginLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified(): whether this session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Records the signed-in user on each history row django-simple-history writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Users who need a second factor reach only the verify, setup and logout pages until then.
    "backoffice.two_factor.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout signalled by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backoffice.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL everywhere. DATABASE_URL selects a server; local and test settings fall back to an
# embedded PostgreSQL when it is unset (see backoffice/embedded_db.py). Never SQLite.
DATABASES = {"default": env.db("DATABASE_URL")} if env("DATABASE_URL", default="") else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it counts failed logins and refuses locked-out accounts.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins, per account (not per IP: offices share one address).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failures are forgotten when a login is complete: after the password for those who need no
# second factor, only after the second factor for those who do (backoffice.two_factor), so
# wrong codes add up across password logins.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = True

# --- Second factor (django-otp: TOTP authenticator apps and recovery codes) -----------------------
# Superusers and the roles flagged ``second_factor`` in backoffice.roles (payroll clerks,
# accountants, auditors, HR managers) must pass a one-time code after their password, and are
# refused every page and the admin until they do. Only local demo settings may switch it off;
# production settings refuse to load without it.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
# Each wrong code doubles the wait before the device accepts the next one (1 s, 2 s, 4 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin never shows a device's secret key or the recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "backoffice" / "locale"]
# English dates as en-GB (dd/mm/yyyy, 24-hour clock): backoffice/formats/en/formats.py.
FORMAT_MODULE_PATH = ["backoffice.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
# Off: ids and other plain numbers in templates and form values must never be grouped
# ("1.234"). Money is grouped by the money filter (backoffice.money.format_money) instead.
USE_THOUSAND_SEPARATOR = False

# --- Import and export (django-import-export) ---------------------------------------------------
# Importing and exporting each need their own permission, <app>.import_<model> and
# <app>.export_<model> (Meta.permissions of the model), granted by the role map in
# backoffice/roles.py only to the roles whose work needs them. Seeing a list is not leave to
# take all of it away, and an import (which adds and overwrites rows by key) is more than
# adding one row through a form. Without the setting every admin user could do both.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Uploads wait for the admin's confirmation in a private folder under random names the server
# issues and remembers in the user's session (backoffice.imports): the confirm form cannot name
# another file. The library's default (the system temp folder, any name the form sends) is not
# used.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "backoffice.imports.PrivateImportStorage"
IMPORT_EXPORT_TMP_DIR = env.path("IMPORT_EXPORT_TMP_DIR", default=BASE_DIR / "var" / "imports")
# The largest file the admin imports and the hours import take: 5 MB (bank statements have the
# same limit in accounting.bank_formats).
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# Off: the library's escaping only strips a leading "=" (and turns numbers into text). Exports
# go through the project's one rule instead (backoffice.imports.WholeFileModelResource).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
# Personnel documents (contracts, certificates): outside MEDIA_ROOT and the static files, never
# served by the web server, only by a view that checks who asks (hr.models.personnel_file).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
PERSONNEL_DOCUMENT_MAX_BYTES = env.int("PERSONNEL_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Mail --------------------------------------------------------------------------------------
# Where the site is reached from outside: every link in a mail is this followed by the path
# (backoffice.mail.mail_link), never a path alone (a mail client cannot follow it) nor the Host
# header of whoever caused the mail. Production requires it, with https.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="backoffice@localhost")

# --- Security headers shared by all environments -------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Celery ------------------------------------------------------------------------------------
# REDIS_URL selects the broker. Without it, local settings fall back to kombu's filesystem
# transport, which needs no server. (Its URL names a host it never uses: without one kombu
# warns "No hostname was supplied" for every connection every process opens.)
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if REDIS_URL:
    # A worker that consumes several queues (docker-compose's `worker`: default,bulk) takes
    # from the first non-empty one in its -Q order, not round-robin: mail before PDFs. Payday
    # chunks do not depend on this: they have a worker of their own (backoffice/celery.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"queue_order_strategy": "priority"}
else:
    _queue_dir = BASE_DIR / "var" / "celery" / "queue"
    _control_dir = BASE_DIR / "var" / "celery" / "control"
    # Every process that sends a task (web, seed_demo, worker) needs the folders.
    for _folder in (_queue_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# --- Payday -------------------------------------------------------------------------------------
# A chunk task's time limits (they travel in each message), how long it waits for a row lock
# before it gives up and is tried again, and how often it is tried before the run fails.
PAYROLL_CHUNK_SOFT_TIME_LIMIT = env.int("PAYROLL_CHUNK_SOFT_TIME_LIMIT", default=240)
PAYROLL_CHUNK_TIME_LIMIT = env.int("PAYROLL_CHUNK_TIME_LIMIT", default=300)
PAYROLL_CHUNK_LOCK_TIMEOUT = env.int("PAYROLL_CHUNK_LOCK_TIMEOUT", default=60)
PAYROLL_CHUNK_MAX_ATTEMPTS = env.int("PAYROLL_CHUNK_MAX_ATTEMPTS", default=3)
PAYROLL_CHUNK_RETRY_SECONDS = env.int("PAYROLL_CHUNK_RETRY_SECONDS", default=5)
# The progress page says so when nothing moved for this long; the beat watchdog resumes a run
# (once) after PAYROLL_STALL_MINUTES without progress and fails it if nothing moves after that.
PAYROLL_PROGRESS_QUIET_SECONDS = env.int("PAYROLL_PROGRESS_QUIET_SECONDS", default=60)
PAYROLL_STALL_MINUTES = env.int("PAYROLL_STALL_MINUTES", default=10)

# --- Absences (hr) -------------------------------------------------------------------------------
# The German state whose public holidays are not working days (ISO 3166-2 code without "DE-":
# BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH); empty for the nationwide ones.
HR_PUBLIC_HOLIDAY_STATE = env("HR_PUBLIC_HOLIDAY_STATE", default="BY")

# --- Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        # WeasyPrint logs every layout step of every page at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Application settings ------------------------------------------------------------------------
BACKOFFICE_SITE_NAME = env("BACKOFFICE_SITE_NAME", default="Backoffice")
# The name an authenticator app shows beside the user's codes.
OTP_TOTP_ISSUER = BACKOFFICE_SITE_NAME

# We lock the account, not the address: a municipal office shares one IP, and locking it would
# let one person lock everybody out. Rate limits per account are what the issue asks for.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- HR: discipline, training, compliance (issue #8, items 4-6) ---------------------------------
# Disciplinary documents live here, outside MEDIA_ROOT, and are served only through a view that
# checks who asks. Uploads: PDF, PNG or JPEG (recognised by content), at most this size.
HR_PRIVATE_DOCUMENTS_ROOT = PRIVATE_MEDIA_ROOT  # one private folder; discipline/ inside it
HR_DOCUMENT_MAX_BYTES = env.int("HR_DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Trainings expiring within this many days are listed (and reminded) as expiring.
HR_TRAINING_EXPIRING_DAYS = env.int("HR_TRAINING_EXPIRING_DAYS", default=30)
# The compliance dashboard's counts are kept this long (per day and language); "Count again now"
# on the page counts at once.
HR_COMPLIANCE_CACHE_SECONDS = env.int("HR_COMPLIANCE_CACHE_SECONDS", default=300)
# Carried-over vacation expiring within this many days shows on the compliance dashboard.
HR_VACATION_EXPIRY_NOTICE_DAYS = env.int("HR_VACATION_EXPIRY_NOTICE_DAYS", default=90)
# The statutory minimum wage per hour (MiLoG). Empty: the value in force on the day, from the
# table in payroll.compliance (12.82 EUR in 2025, 13.90 EUR in 2026, 14.60 EUR from 2027).
HR_MINIMUM_WAGE = env("HR_MINIMUM_WAGE", default="")
# The working-time checks (ArbZG) look at the hours of this many past days.
HR_WORKING_TIME_WINDOW_DAYS = env.int("HR_WORKING_TIME_WINDOW_DAYS", default=28)

# --- Recruiting (issue #10) ------------------------------------------------------------------
# Resumes: PDF or DOCX, at most this size; a DOCX may inflate to at most RECRUITING_DOCX_MAX_
# INFLATED bytes in at most RECRUITING_DOCX_MAX_MEMBERS files (a zip bomb is refused).
RECRUITING_RESUME_MAX_BYTES = env.int("RECRUITING_RESUME_MAX_BYTES", default=10 * 1024 * 1024)
RECRUITING_DOCX_MAX_INFLATED = env.int("RECRUITING_DOCX_MAX_INFLATED", default=50 * 1024 * 1024)
RECRUITING_DOCX_MAX_MEMBERS = env.int("RECRUITING_DOCX_MAX_MEMBERS", default=500)
# Applications per client address and hour (counted in the database, by a keyed hash of the
# address), and form posts of any outcome per client address and hour (counted in the cache).
RECRUITING_APPLICATIONS_PER_HOUR = env.int("RECRUITING_APPLICATIONS_PER_HOUR", default=5)
RECRUITING_POSTS_PER_HOUR = env.int("RECRUITING_POSTS_PER_HOUR", default=30)
# Behind a proxy every request comes from the proxy: name the header it sets to the client's
# address (WSGI form, e.g. HTTP_X_FORWARDED_FOR; its last entry is the one our proxy added).
# Empty: REMOTE_ADDR. Only name a header the proxy overwrites or appends to.
RECRUITING_CLIENT_ADDRESS_HEADER = env("RECRUITING_CLIENT_ADDRESS_HEADER", default="")
# A rejected applicant's data goes this many months after the rejection, or after the months
# they consented to (the careers form offers RECRUITING_CONSENT_MONTHS).
RECRUITING_RETENTION_MONTHS = env.int("RECRUITING_RETENTION_MONTHS", default=6)
RECRUITING_CONSENT_MONTHS = env.int("RECRUITING_CONSENT_MONTHS", default=24)
