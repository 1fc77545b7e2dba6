"""``python -m bench pages``: the busy pages of issue 14 at 200 and at N employees, served as in
production, for every role that uses them.

Steps, once per size, each size in a scratch database of its own (200 in a copy of the freshly
migrated scratch database, N in the scratch database itself; seeding N on top of 200 would
leave the paid months paid for 200):

1. ``seed_demo --employees SIZE`` (every past month of the year paid), then the current month
   calculated through the payday services: a calculated run and paid runs to look at.
2. Query counts: each page as each of its roles through Django's test client, the second GET
   counted with ``CaptureQueriesContext`` (the first fills the process's caches).
3. Timings: gunicorn with two workers serves the project on a free loopback port (local
   settings, DEBUG off); a second process (``bench.http_load plan``) logs in through the login
   form as each demo user (password ``demo-Backoffice-2026``; the local settings ask no second
   factor) and fetches each page: SEQUENTIAL requests one after another, then 8 clients at once
   doing ROUNDS requests each. Every phase also stops after PHASE_SECONDS: bounded, whatever
   the pages cost.

Prints one JSON line: per page and role, p50/p95 sequential and concurrent and the query count
at both sizes. Exit status 0 only when, at N employees, every page as every role has p95 <= 60
ms sequentially and <= 200 ms with 8 clients, answers every request, and has the same query
count at both sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SMALL = 200
CLIENTS = 8
SEQUENTIAL = 20  # requests one after another, per page and role
ROUNDS = 5  # requests per client with 8 clients at once, per page and role
PHASE_SECONDS = 30.0
TARGET_SEQUENTIAL_P95_MS = 60.0
TARGET_CONCURRENT_P95_MS = 200.0
SEARCH = "m%C3%BCl"  # "mül": a substring of many German surnames


@dataclass(frozen=True)
class Page:
    label: str
    roles: tuple[str, ...]  # the demo logins of the roles that use the page
    path: Callable[[dict], str]  # the seeded run ids -> the address


def _url(name: str, *, query: str = "", run: str | None = None) -> Callable[[dict], str]:
    def path(ids: dict) -> str:
        from django.urls import reverse

        address = reverse(name, args=[ids[run]] if run else [])
        return f"{address}?{query}" if query else address

    return path


PAYROLL_READERS = ("payroll", "accountant", "auditor")
ACCOUNTING_REPORTS = ("accountant", "auditor")

# The pages of issue 14's table, with the roles that use them (backoffice/roles.py).
PAGES = (
    Page("payday dashboard", ("payroll",), _url("payroll:dashboard")),
    Page(
        "run review (calculated run)",
        PAYROLL_READERS,
        _url("payroll:run_detail", run="calculated_run"),
    ),
    Page("run detail (paid run)", PAYROLL_READERS, _url("payroll:run_detail", run="paid_run")),
    Page("admin payslip changelist", PAYROLL_READERS, _url("admin:payroll_payslip_changelist")),
    Page("payroll register (latest paid run)", PAYROLL_READERS, _url("payroll:payroll_register")),
    Page(
        "admin employee changelist with a search",
        ("hrmanager", "payroll", "auditor", "helpdesk", "office"),
        _url("admin:hr_employee_changelist", query=f"q={SEARCH}"),
    ),
    Page("home", ("staff", "hrmanager", "payroll", "accountant", "depthead"), _url("home")),
    Page("employee list", ("hrmanager", "depthead"), _url("hr:employee_list")),
    Page("trial balance", ACCOUNTING_REPORTS, _url("accounting:trial_balance")),
    Page("general ledger", ACCOUNTING_REPORTS, _url("accounting:general_ledger")),
    Page(
        "general ledger CSV",
        ACCOUNTING_REPORTS,
        _url("accounting:general_ledger", query="format=csv"),
    ),
    Page("budget dashboard", ("accountant", "depthead"), _url("accounting:budget_dashboard")),
    Page(
        "admin journal entries",
        ACCOUNTING_REPORTS,
        _url("admin:accounting_journalentry_changelist"),
    ),
)


def run(*, employees: int) -> tuple[dict, bool]:
    from django.conf import settings
    from django.db import connections

    from bench.__main__ import scratch_database

    if employees <= SMALL:
        raise SystemExit(f"--employees must be more than {SMALL} for the pages benchmark")
    sizes = (SMALL, employees)
    measured: dict[int, dict] = {}
    seed_seconds: dict[str, float] = {}
    paths: dict[str, dict[str, str]] = {page.label: {} for page in PAGES}

    large_database = settings.DATABASES["default"]["NAME"]
    connections.close_all()  # the template must have nobody connected
    with scratch_database(f"{large_database}_small", template=large_database):
        seed_seconds[str(SMALL)], measured[SMALL] = _measure_size(SMALL, paths)
    seed_seconds[str(employees)], measured[employees] = _measure_size(employees, paths)

    pages = {
        page.label: {
            "path": paths[page.label],
            "roles": {
                role: {str(size): measured[size][page.label][role] for size in sizes}
                for role in page.roles
            },
        }
        for page in PAGES
    }
    failures = target_failures(pages, small=SMALL, large=employees)
    figures = {
        "bench": "pages",
        "sizes": list(sizes),
        "seed_seconds": seed_seconds,
        "clients": CLIENTS,
        "requests": {
            "sequential": SEQUENTIAL,
            "concurrent": CLIENTS * ROUNDS,
            "phase_seconds": PHASE_SECONDS,
        },
        "pages": pages,
        "targets": {
            "sequential_p95_ms": TARGET_SEQUENTIAL_P95_MS,
            "concurrent_p95_ms": TARGET_CONCURRENT_P95_MS,
            "queries": "the same at both sizes",
            "at_employees": employees,
        },
        "failures": failures,
        "ok": not failures,
    }
    return figures, not failures


def target_failures(pages: dict, *, small: int, large: int) -> list[str]:
    """What misses the targets, one line each (empty: every target holds). Timings count at
    the large size; query counts must be equal at both; any error or missing figure fails."""
    failures = []
    for label, page in pages.items():
        for role, by_size in page["roles"].items():
            at_small, at_large = by_size[str(small)], by_size[str(large)]
            where = f"{label} as {role}"
            for figures, size in ((at_small, small), (at_large, large)):
                if figures.get("errors"):
                    failures.append(f"{where}: {figures['errors']} failed requests at {size}")
                if figures.get("queries") is None:
                    failures.append(f"{where}: no query count at {size}")
            if at_small.get("queries") != at_large.get("queries"):
                failures.append(
                    f"{where}: {at_small.get('queries')} queries at {small}, "
                    f"{at_large.get('queries')} at {large}"
                )
            for key, target in (
                ("sequential_p95_ms", TARGET_SEQUENTIAL_P95_MS),
                ("concurrent_p95_ms", TARGET_CONCURRENT_P95_MS),
            ):
                value = at_large.get(key)
                if value is None or value > target:
                    failures.append(f"{where}: {key} {value} at {large} (target {target:g})")
    return failures


def _measure_size(size: int, paths: dict) -> tuple[float, dict]:
    """Seed ``size`` employees into the current database and measure every page there."""
    from django.core.management import call_command

    _log(f"seeding {size} employees")
    started = time.perf_counter()
    call_command("seed_demo", employees=size, stdout=sys.stderr)
    ids = {"calculated_run": _calculate_current_month(), "paid_run": _latest_paid_run()}
    seconds = round(time.perf_counter() - started, 1)
    _log(f"seeded {size} employees in {seconds} s; runs {ids}")
    _vacuum_analyze()

    plan = []
    for page in PAGES:
        path = page.path(ids)
        paths[page.label][str(size)] = path
        plan += [(page.label, role, path) for role in page.roles]
    queries = {(label, role): _query_count(role, path) for label, role, path in plan}
    timings = _serve_and_load(plan)
    results: dict[str, dict] = {}
    for label, role, _path in plan:
        figures = timings.get(label, {}).get(role, {"errors": "not measured"})
        results.setdefault(label, {})[role] = {**figures, "queries": queries[label, role]}
    return seconds, results


def _calculate_current_month() -> int:
    """The current month's regular run, calculated through the payday services. Its chunk
    tasks go to the benchmark's in-memory broker; the chunks are calculated here, through the
    service those tasks call (as seed_demo does for the past months)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from payroll.models import PayrollChunk, PayrollRun
    from payroll.services.payday import payday_run_calculate, payroll_chunk_calculate
    from payroll.services.schedules import default_schedule, pay_period_for

    clerk = get_user_model().objects.get(username="payroll")
    period = pay_period_for(schedule=default_schedule(), day=timezone.localdate())
    run = payday_run_calculate(period=period, user=clerk)
    for chunk_id in run.chunks.exclude(status=PayrollChunk.Status.DONE).values_list(
        "pk", flat=True
    ):
        payroll_chunk_calculate(chunk_id=chunk_id)
    run.refresh_from_db()
    if run.status != PayrollRun.Status.CALCULATED:
        raise SystemExit(f"the current month's run is {run.status}: {run.error}")
    return run.pk


def _latest_paid_run() -> int:
    from payroll.models import PayrollRun

    run = PayrollRun.objects.filter(status=PayrollRun.Status.PAID).order_by("-period__start")
    pk = run.values_list("pk", flat=True).first()
    if pk is None:
        raise SystemExit("seed_demo paid no month (run the benchmark after January)")
    return pk


def _vacuum_analyze() -> None:
    """Fresh planner statistics, as autovacuum has them soon after the seeding."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _query_count(username: str, path: str) -> int | None:
    """Queries of one GET of ``path`` as ``username`` (the body read to the end), after one
    unmeasured GET that fills the process's caches; None when the page does not answer 200."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    _read(client.get(path))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        _read(response)
    if response.status_code != 200:
        _log(f"GET {path} as {username} answered {response.status_code}")
        return None
    return len(captured.captured_queries)


def _read(response) -> None:
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    response.close()


def _serve_and_load(plan: list[tuple[str, str, str]]) -> dict:
    """gunicorn (two workers) on loopback, and the load process against it."""
    from django.conf import settings

    from bench.hr_pages import _database_url, _free_port, _wait_for

    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.local",
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TWO_FACTOR_REQUIRED": "false",
    }
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "backoffice.wsgi:application",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        ],
        cwd=root, env=env, stdout=sys.stderr, stderr=sys.stderr,
    )  # fmt: skip
    try:
        _wait_for(port)
        load = subprocess.run(
            [sys.executable, "-m", "bench.http_load", "plan", f"http://127.0.0.1:{port}",
             str(CLIENTS), str(SEQUENTIAL), str(ROUNDS), str(PHASE_SECONDS)],
            input=json.dumps(plan), cwd=root, env=env, capture_output=True, text=True,
            timeout=3600, check=False,
        )  # fmt: skip
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    sys.stderr.write(load.stderr)
    if load.returncode != 0:
        raise SystemExit(f"the load process failed ({load.returncode})")
    return json.loads(load.stdout)


def _log(message: str) -> None:
    print(f"bench pages: {message}", file=sys.stderr, flush=True)
