"""Benchmarks: ``python -m bench NAME [--employees N]`` prints one JSON line of figures.

Each benchmark runs in a scratch database (``bench_<name>_<pid>``) created on the server the
project's settings point at (``DATABASE_URL``, or the embedded PostgreSQL when it is unset),
migrated, used and dropped again. The developer's own database is never connected to. Only the
JSON line goes to stdout; progress, seeding output and logs go to stderr.

Benchmarks are not tests: pytest collects ``tests/`` only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    description: str
    default_employees: int

    def runner(self) -> Callable[..., tuple[dict, bool]]:
        """``run(*, employees=N) -> (figures, ok)``; ``ok`` False makes the exit status 1."""
        return importlib.import_module(self.module).run


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in (
        Benchmark(
            name="seed",
            module="bench.seed",
            description=(
                "time seed_demo at N employees; the home page's query count for staff and "
                "hrmanager at 200 and at N employees must be equal"
            ),
            default_employees=10_000,
        ),
        Benchmark(
            name="payday",
            module="bench.payday",
            description=(
                "payday from Calculate through Pay (payslips, ledger entry, SEPA file; no PDFs) "
                "at N and 2N employees; queries per 1,000-employee chunk"
            ),
            default_employees=10_000,
        ),
        Benchmark(
            name="ledger",
            module="bench.ledger",
            description=(
                "post N lines through the posting service (lines/s), fill to 1,000,000 lines, "
                "general ledger CSV export of 10,000 and 1,000,000 rows (rows/s, first byte, "
                "memory growth), budget check of every department (ms); N is lines here"
            ),
            default_employees=200_000,
        ),
        Benchmark(
            name="payslip_pdf",
            module="bench.payslip_pdf",
            description=(
                "one payslip PDF through render_payslip_pdf against WeasyPrint alone on the same "
                "HTML (ratio), and memory growth over 1,000 PDFs; N employees in the paid run"
            ),
            default_employees=1_000,
        ),
        Benchmark(
            name="hr_pages",
            module="bench.hr_pages",
            description=(
                "employee list, team calendar and compliance dashboard served by gunicorn "
                "(2 workers) at N employees: p50/p95 sequential and with 8 concurrent clients "
                "from a second process; target p95 under 200 ms"
            ),
            default_employees=10_000,
        ),
        Benchmark(
            name="pages",
            module="bench.pages",
            description=(
                "issue 14's busy pages (payroll, admin, reports) as every role that uses them, "
                "at 200 and N employees, served by gunicorn (2 workers): p50/p95 sequential "
                "and with 8 concurrent clients, query counts at both sizes; targets p95 60 ms "
                "and 200 ms at N, equal query counts"
            ),
            default_employees=10_000,
        ),
    )
}
