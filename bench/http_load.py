"""The load side of the page benchmarks, in a process of its own (no Django here):
``python -m bench.http_load BASE_URL USERNAME CLIENTS ROUNDS PATHS_JSON``.

Logs in through the login form with the demo password, warms each page up, then measures each
page sequentially and with CLIENTS threads (each its own session) doing ROUNDS requests. Prints
one JSON object: per page label, p50/p95 in ms and the error count.

``python -m bench.http_load plan BASE_URL CLIENTS SEQUENTIAL ROUNDS SECONDS`` reads a plan from
stdin, a JSON list of ``[label, username, path]``: every page as every user it names, SEQUENTIAL
requests one after another, then CLIENTS sessions of that user doing ROUNDS requests each at
once. Each phase also stops after SECONDS, so a page that has become very slow cannot hold the
benchmark up. Prints per label and user the p50/p95, the request counts and the errors.

A request counts as an error unless it answers 200 at the address asked for: a redirect (to a
login page, say) is an error too."""

from __future__ import annotations

import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from functools import partial

DEMO_PASSWORD = "demo-Backoffice-2026"


def _session(base: str, username: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"{base}/accounts/login/"
    page = opener.open(login, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD}
    ).encode()
    request = urllib.request.Request(login, data=data, headers={"Referer": login})
    opener.open(request, timeout=30).read()
    if not any(c.name == "sessionid" for c in jar):
        raise SystemExit(f"login as {username} failed")
    return opener


def _timed(opener, url: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with opener.open(url, timeout=60) as response:
            response.read()
            ok = (
                response.status == 200
                and urllib.parse.urlsplit(response.url).path == urllib.parse.urlsplit(url).path
            )
    except Exception:  # noqa: BLE001 - counted as an error
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def _p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def _until(deadline: float, count: int, opener, url: str) -> list[tuple[float, bool]]:
    """``count`` timed requests of ``url``, fewer when ``deadline`` (monotonic) passes first."""
    results = []
    for _ in range(count):
        results.append(_timed(opener, url))
        if time.monotonic() > deadline:
            break
    return results


def run_plan(
    base: str, plan: list, *, clients: int, sequential: int, rounds: int, seconds: float
) -> dict:
    sessions: dict[str, list] = {}
    for _label, username, _path in plan:
        if username not in sessions:
            sessions[username] = [_session(base, username) for _ in range(clients)]
    results: dict[str, dict] = {}
    for label, username, path in plan:
        url = base + path
        openers = sessions[username]
        for opener in openers:  # warm-up: caches, connections, the page's first render
            _timed(opener, url)
        alone = _until(time.monotonic() + seconds, sequential, openers[0], url)
        measure = partial(_until, time.monotonic() + seconds, rounds, url=url)
        with ThreadPoolExecutor(max_workers=clients) as pool:
            together = [r for batch in pool.map(measure, openers) for r in batch]
        figures = {
            "sequential_p50_ms": _p([t for t, _ in alone], 50),
            "sequential_p95_ms": _p([t for t, _ in alone], 95),
            "concurrent_p50_ms": _p([t for t, _ in together], 50),
            "concurrent_p95_ms": _p([t for t, _ in together], 95),
            "requests": [len(alone), len(together)],
            "errors": sum(1 for _, ok in alone + together if not ok),
        }
        results.setdefault(label, {})[username] = figures
        print(f"http_load: {label} as {username}: {figures}", file=sys.stderr, flush=True)
    return results


def main(argv: list[str]) -> int:
    if argv and argv[0] == "plan":
        base, clients, sequential, rounds, seconds = argv[1:]
        results = run_plan(
            base,
            json.load(sys.stdin),
            clients=int(clients),
            sequential=int(sequential),
            rounds=int(rounds),
            seconds=float(seconds),
        )
        print(json.dumps(results))
        return 0
    base, username, clients, rounds, paths = argv
    clients, rounds, paths = int(clients), int(rounds), json.loads(paths)
    sessions = [_session(base, username) for _ in range(clients)]
    results = {}
    for label, path in paths:
        url = base + path
        for opener in sessions:  # warm-up: caches, connections, the page's first render
            _timed(opener, url)
        sequential = [_timed(sessions[0], url) for _ in range(rounds)]

        def client(opener, url=url):
            return [_timed(opener, url) for _ in range(rounds)]

        with ThreadPoolExecutor(max_workers=clients) as pool:
            concurrent = [r for batch in pool.map(client, sessions) for r in batch]
        results[label] = {
            "path": path,
            "sequential_p50_ms": _p([t for t, _ in sequential], 50),
            "sequential_p95_ms": _p([t for t, _ in sequential], 95),
            "concurrent_p50_ms": _p([t for t, _ in concurrent], 50),
            "concurrent_p95_ms": _p([t for t, _ in concurrent], 95),
            "errors": sum(1 for _, ok in sequential + concurrent if not ok),
        }
        print(f"http_load: {label}: {results[label]}", file=sys.stderr)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
