"""``python -m bench seed``: how long demo seeding takes, and whether the home page's query
count stays the same as the data grows.

Steps, in the scratch database: ``seed_demo --employees 200``; the home page's query count as
``staff`` and as ``hrmanager``; ``seed_demo --employees N`` on top (timed, wall clock; this is
what ``make run`` does to a database seeded with the default size); the counts again.
"""

from __future__ import annotations

import sys
import time

SMALL = 200
USERS = ("staff", "hrmanager")


def run(*, employees: int) -> tuple[dict, bool]:
    if employees <= SMALL:
        raise SystemExit(f"--employees must be more than {SMALL} for the seed benchmark")

    home_queries: dict[str, dict[str, int]] = {username: {} for username in USERS}

    seed_small_seconds = _seed(SMALL)
    for username in USERS:
        home_queries[username][str(SMALL)] = _home_query_count(username)

    seed_seconds = _seed(employees)
    for username in USERS:
        home_queries[username][str(employees)] = _home_query_count(username)

    queries_equal = all(len(set(counts.values())) == 1 for counts in home_queries.values())
    figures = {
        "bench": "seed",
        "employees": employees,
        "seed_seconds": round(seed_seconds, 2),
        "seed_seconds_from_empty_to_200": round(seed_small_seconds, 2),
        "home_queries": home_queries,
        "queries_equal": queries_equal,
    }
    return figures, queries_equal


def _seed(employees: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", employees=employees, stdout=sys.stderr)
    return time.perf_counter() - started


def _home_query_count(username: str) -> int:
    """Queries of one GET / as ``username``, after one unmeasured GET that fills whatever
    the process caches (translations, URL resolver, content types)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    if response.status_code != 200:
        raise RuntimeError(f"GET / as {username} answered {response.status_code}")
    return len(captured.captured_queries)
