"""The load side of the page benchmarks, in a process of its own (no Django here):
``python -m bench.http_load BASE_URL USERNAME CLIENTS ROUNDS PATHS_JSON``.

Logs in through the login form with the demo password, warms each page up, then measures each
page sequentially and with CLIENTS threads (each its own session) doing ROUNDS requests. Prints
one JSON object: per page label, p50/p95 in ms and the error count."""

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
            ok = response.status == 200 and "/accounts/login/" not in response.url
    except Exception:  # noqa: BLE001 - counted as an error
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def _p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def main(argv: list[str]) -> int:
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
