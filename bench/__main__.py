"""``python -m bench NAME [--employees N]``: run one benchmark in a scratch database.

Without NAME it lists the benchmarks. Exit status: 0 when the benchmark's checks hold, 1 when
they do not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bench import BENCHMARKS

SETTINGS_MODULE = "backoffice.settings.local"
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", help="the benchmark to run; omit to list them")
    parser.add_argument(
        "--employees", type=int, default=None, help="data size (default: the benchmark's own)"
    )
    args = parser.parse_args(argv)

    if args.name is None:
        for bench in BENCHMARKS.values():
            print(f"{bench.name:<10} {bench.description} (--employees {bench.default_employees})")
        return 0
    bench = BENCHMARKS.get(args.name)
    if bench is None:
        parser.error(f"unknown benchmark {args.name!r}; choose from {', '.join(BENCHMARKS)}")
    employees = args.employees if args.employees is not None else bench.default_employees

    # Everything but the result line goes to stderr, including output of child processes (the
    # embedded PostgreSQL) and of management commands that write to stdout.
    with _stdout_to_stderr():
        _django_setup()
        with scratch_database(f"bench_{bench.name}_{os.getpid()}"):
            figures, ok = bench.runner()(employees=employees)
    print(json.dumps(figures, sort_keys=False), flush=True)
    return 0 if ok else 1


def _django_setup() -> None:
    # Always the local settings: a benchmark must not pick up test settings (MD5 hasher, eager
    # Celery) from the shell, nor production ones.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    import django
    from django.conf import settings

    django.setup()
    # django.test.Client talks to "testserver". DEBUG off: time the code, not the query log.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    # Tasks queued after commit (PDFs, mail, budget checks) go to an in-memory broker that
    # dies with the benchmark: nothing lands in a real queue with ids of a dropped database.
    from backoffice.celery import app as celery_app

    celery_app.conf.broker_url = "memory://"
    celery_app.conf.broker_transport_options = {}


@contextmanager
def scratch_database(name: str, *, template: str | None = None) -> Iterator[None]:
    """Point Django's default database at a new database ``name`` on the same server, migrate
    it, and drop it afterwards, whatever happens in between; then point back where it was.

    With ``template``, the new database is a copy of that one (a scratch database already
    migrated, with nobody connected) instead of a fresh migration: a benchmark that needs a
    second database of its own gets it in a second or two."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    if connections["default"].connection is not None:
        raise RuntimeError("a connection to the developer's database is already open")
    original = db["NAME"]
    server = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        # libpq parameters from DATABASE_URL's query string (sslmode, ...), not Django's own.
        **{k: v for k, v in db.get("OPTIONS", {}).items() if k not in DJANGO_ONLY_OPTIONS},
    }
    # Django's wrapper and its settings share this dict, so the change holds even if the
    # connection handler read the settings already; no connection has been made yet.
    db["NAME"] = name
    if template is None:
        _admin_execute(server, original, "CREATE DATABASE {}", name)
    else:
        _admin_execute(server, original, "CREATE DATABASE {} TEMPLATE {}", name, template)
    print(f"bench: scratch database {name} created", file=sys.stderr)
    try:
        if template is None:
            call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connections.close_all()
        _admin_execute(server, original, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
        db["NAME"] = original
        print(f"bench: scratch database {name} dropped", file=sys.stderr)


def _admin_execute(server: dict, fallback_dbname: str, template: str, *names: str) -> None:
    """Run CREATE/DROP DATABASE from the maintenance database ``postgres``, or from the
    configured database when the server has no ``postgres`` database we may use."""
    import psycopg
    from psycopg import sql

    try:
        conn = psycopg.connect(dbname="postgres", autocommit=True, **server)
    except psycopg.OperationalError:
        conn = psycopg.connect(dbname=fallback_dbname, autocommit=True, **server)
    with conn:
        conn.execute(sql.SQL(template).format(*map(sql.Identifier, names)))


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


if __name__ == "__main__":
    sys.exit(main())
