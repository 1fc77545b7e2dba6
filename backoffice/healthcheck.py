"""Container health check: ``python -m backoffice.healthcheck URL`` exits 0 on HTTP 200.

It sends the first allowed host as Host header and claims HTTPS through the proxy header, so
production's host and SSL checks pass for a request from inside the container.
"""

import os
import sys
import urllib.request


def main(url: str) -> int:
    host = (
        os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0] or "localhost"
    ).strip()
    request = urllib.request.Request(  # noqa: S310 (a URL we are given by the compose file)
        url, headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except Exception as exc:  # any failure means unhealthy
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"))
