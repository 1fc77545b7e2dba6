"""``python -m bench ledger``: posting throughput, the general ledger CSV export of a million
lines, and the budget check over them.

Steps, in the scratch database:

1. Background: 20 departments, an accountant's login, the current fiscal year, and a budget
   per department and expense account group (warn policy, so no posting is refused; sized so
   that some cross 80 % and 100 % by the end and the check has notifications to send).
2. Posting, timed: ``--employees N`` balanced lines (default 200,000; for this benchmark the
   runner's size flag is the number of lines) through ``accounting.services.
   journal_entries_post``, in batches of 1,000 entries of 10 lines (nine expense lines across
   departments and expense accounts, one bank line). Target: 20,000 lines per second.
3. Fill: the same service, same batches, until the ledger holds 1,000,000 lines, so hashes and
   running balances are right for every line. 10,000 of these lines (1,000 entries) carry the
   cost center ``BSMALL`` for the small export. Timed and reported separately.
   Dates advance through the year as the ledger fills (with a few days' jitter), as a year of
   bookings posted day by day does.
4. Export: ``GET /accounting/reports/general-ledger/?format=csv`` as the accountant through
   Django's test client, reading the streamed body to the end: once for cost center
   ``BSMALL`` (10,000 rows) and once for the whole year (1,000,000 rows). Rows per second
   (target 200,000), time to the first byte and to the first data row (target under 1 s), and
   the growth of peak resident memory from the small to the full export (target at most
   50 MB; Linux ``VmHWM``, reset through ``/proc/self/clear_refs`` before each export).
5. Budget check: ``budgets_check`` for every department of the year over the million lines,
   and ``budget_statuses`` alone; milliseconds (target 500).

The budget check that every posting schedules after commit goes to an in-memory broker: in
production a worker runs it, apart from the posting.
"""

from __future__ import annotations

import datetime
import gc
import random
import resource
import sys
import time
from decimal import Decimal

LINES_PER_ENTRY = 10
ENTRIES_PER_BATCH = 1_000
TOTAL_LINES = 1_000_000
SMALL_EXPORT_LINES = 10_000
SMALL_DEPARTMENT = "BSMALL"
DEPARTMENTS = 20
EXPENSE_ACCOUNTS = ("4210", "4240", "4360", "4500", "4600", "4650", "4660", "4800", "4920", "4930")
BANK_ACCOUNT = "1200"
JITTER_DAYS = 3

TARGET_POSTING_LINES_PER_SECOND = 20_000
TARGET_EXPORT_ROWS_PER_SECOND = 200_000
TARGET_FIRST_BYTE_SECONDS = 1
TARGET_RSS_GROWTH_MB = 50
TARGET_BUDGET_CHECK_MS = 500


def run(*, employees: int) -> tuple[dict, bool]:
    posting_lines = employees
    if not 0 < posting_lines <= TOTAL_LINES - SMALL_EXPORT_LINES:
        raise SystemExit(
            f"--employees (lines to post) must be between 1 and {TOTAL_LINES - SMALL_EXPORT_LINES}"
        )
    _dispatch_tasks_in_memory()
    ledger = _Ledger(random.Random(2026))

    posting_seconds = ledger.post(posting_lines)
    _log(f"posting: {posting_lines} lines in {posting_seconds:.1f} s")
    fill_started = ledger.lines
    fill_seconds = ledger.post(SMALL_EXPORT_LINES, department=ledger.small_department)
    fill_seconds += ledger.post(TOTAL_LINES - ledger.lines)
    fill_lines = ledger.lines - fill_started
    total_lines = _line_count()
    _log(f"fill: {fill_lines} lines in {fill_seconds:.1f} s; the ledger holds {total_lines}")

    _vacuum_analyze()
    small = _export(ledger, department=SMALL_DEPARTMENT)
    full = _export(ledger, department=None)
    rss_growth_mb = (full["peak_rss_kb"] - small["peak_rss_kb"]) / 1024

    check = _budget_check(ledger)

    lines_per_second = posting_lines / posting_seconds
    checks = {
        "posting_lines_per_second": lines_per_second >= TARGET_POSTING_LINES_PER_SECOND,
        "export_rows_per_second": full["rows_per_second"] >= TARGET_EXPORT_ROWS_PER_SECOND,
        "export_first_byte": full["first_row_seconds"] < TARGET_FIRST_BYTE_SECONDS,
        "export_memory_growth": rss_growth_mb <= TARGET_RSS_GROWTH_MB,
        "export_complete": full["rows"] == total_lines and small["rows"] == SMALL_EXPORT_LINES,
        "budget_check_ms": check["budgets_check_ms"] <= TARGET_BUDGET_CHECK_MS,
    }
    figures = {
        "bench": "ledger",
        "posting": {
            "lines": posting_lines,
            "lines_per_entry": LINES_PER_ENTRY,
            "entries_per_batch": ENTRIES_PER_BATCH,
            "seconds": round(posting_seconds, 2),
            "lines_per_second": round(lines_per_second),
            "target": TARGET_POSTING_LINES_PER_SECOND,
        },
        "fill": {
            "lines": fill_lines,
            "seconds": round(fill_seconds, 2),
            "lines_per_second": round(fill_lines / fill_seconds) if fill_seconds else None,
        },
        "ledger_lines": total_lines,
        "export": {
            "small": small,
            "full": full,
            "rss_growth_mb": round(rss_growth_mb, 1),
            "targets": {
                "rows_per_second": TARGET_EXPORT_ROWS_PER_SECOND,
                "first_byte_seconds": TARGET_FIRST_BYTE_SECONDS,
                "rss_growth_mb": TARGET_RSS_GROWTH_MB,
            },
        },
        "budget_check": {**check, "target_ms": TARGET_BUDGET_CHECK_MS},
        "checks": checks,
        "ok": all(checks.values()),
    }
    return figures, figures["ok"]


def _log(message: str) -> None:
    print(f"bench ledger: {message}", file=sys.stderr, flush=True)


def _dispatch_tasks_in_memory() -> None:
    from backoffice.celery import app

    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}
    app.conf.task_always_eager = False


class _Ledger:
    """The background data, and posting through the service with dates that advance through
    the year as the ledger fills."""

    def __init__(self, rnd: random.Random) -> None:
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from accounting.models import Account, Budget
        from accounting.services import fiscal_year_open
        from backoffice import roles
        from backoffice.services import user_roles_set
        from hr.models import Department

        self.rnd = rnd
        today = timezone.localdate()
        self.today = today
        self.fiscal_year = fiscal_year_open(year=today.year)
        self.start = datetime.date(today.year, 1, 1)
        self.days = (today - self.start).days
        departments = Department.objects.bulk_create(
            Department(code=f"B{i:02d}", name=f"Bench-Abteilung {i}", cost_center=f"{9000 + i}")
            for i in range(DEPARTMENTS)
        )
        self.departments = [d.pk for d in departments]
        self.small_department = Department.objects.create(
            code=SMALL_DEPARTMENT, name="Bench klein"
        ).pk
        self.accountant = get_user_model().objects.create_user(username="bench-accountant")
        user_roles_set(user=self.accountant, roles=[roles.ACCOUNTANT])

        accounts = {a.number: a for a in Account.objects.filter(number__in=EXPENSE_ACCOUNTS)}
        self.expense_accounts = [accounts[n].pk for n in EXPENSE_ACCOUNTS]
        self.bank = Account.objects.get(number=BANK_ACCOUNT).pk
        # Expected spend of a department on a group over the million lines: its share of the
        # expense lines times the mean amount (250.50). Budgets of 0.9 to 1.5 times that
        # leave departments near 110 %, 95 %, 83 % and 67 % at the end.
        expected_per_account = Decimal(TOTAL_LINES * (LINES_PER_ENTRY - 1) // LINES_PER_ENTRY) * (
            Decimal("250.50") / DEPARTMENTS / len(EXPENSE_ACCOUNTS)
        )
        accounts_per_group: dict[str, int] = {}
        for number in EXPENSE_ACCOUNTS:
            group = accounts[number].group
            accounts_per_group[group] = accounts_per_group.get(group, 0) + 1
        factors = (Decimal("0.9"), Decimal("1.05"), Decimal("1.2"), Decimal("1.5"))
        Budget.objects.bulk_create(
            Budget(
                department=department,
                fiscal_year=self.fiscal_year,
                account_group=group,
                amount=(expected_per_account * count * factors[i % 4]).quantize(Decimal(1)),
                policy=Budget.Policy.WARN,
            )
            for i, department in enumerate(departments)
            for group, count in sorted(accounts_per_group.items())
        )
        self.lines = 0

    def _date(self) -> datetime.date:
        day = self.days * self.lines // TOTAL_LINES + self.rnd.randint(-JITTER_DAYS, JITTER_DAYS)
        return self.start + datetime.timedelta(days=min(max(day, 0), self.days))

    def post(self, lines: int, *, department: int | None = None) -> float:
        """Post ``lines`` lines (whole entries) through the posting service; the seconds the
        service took. ``department`` puts every line of the entries on one cost center."""
        from accounting.services import EntrySpec, Line, journal_entries_post

        rnd = self.rnd
        entries = -(-lines // LINES_PER_ENTRY)
        seconds = 0.0
        while entries > 0:
            size = min(ENTRIES_PER_BATCH, entries)
            specs = []
            for _i in range(size):
                expense_lines = []
                total = Decimal(0)
                for _j in range(LINES_PER_ENTRY - 1):
                    amount = Decimal(rnd.randrange(100, 50_000)).scaleb(-2)
                    total += amount
                    expense_lines.append(
                        Line(
                            account=rnd.choice(self.expense_accounts),
                            side="D",
                            amount=amount,
                            department=department or rnd.choice(self.departments),
                            memo=f"Rechnung {rnd.randrange(10**6):06d}",
                        )
                    )
                bank_line = Line(account=self.bank, side="C", amount=total, department=department)
                specs.append(
                    EntrySpec(
                        date=self._date(),
                        lines=[*expense_lines, bank_line],
                        memo="Eingangsrechnungen",
                    )
                )
                self.lines += LINES_PER_ENTRY
            started = time.perf_counter()
            journal_entries_post(entries=specs)
            seconds += time.perf_counter() - started
            entries -= size
            if self.lines % 100_000 == 0:
                _log(f"{self.lines} lines posted")
        return seconds


def _line_count() -> int:
    from accounting.models import JournalLine

    return JournalLine.objects.count()


def _vacuum_analyze() -> None:
    """What autovacuum does soon after a million inserts: fresh statistics for the planner."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("accounting_journalline", "accounting_journalentry"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _export(ledger: _Ledger, *, department: str | None) -> dict:
    """GET the general ledger CSV as the accountant and read the whole stream."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(ledger.accountant)
    params = {"format": "csv", "year": ledger.fiscal_year.year}
    if department is not None:
        params["department"] = department
    url = reverse("accounting:general_ledger")
    gc.collect()
    memory_measure = _reset_peak_rss()
    cpu_started = time.process_time()
    started = time.perf_counter()
    response = client.get(url, params)
    if response.status_code != 200 or not response.streaming:
        raise RuntimeError(f"general ledger CSV answered {response.status_code}")
    first_byte = first_row = None
    size = newlines = 0
    for chunk in response.streaming_content:
        now = time.perf_counter() - started
        if first_byte is None and chunk:
            first_byte = now
        newlines += chunk.count(b"\n")
        if first_row is None and newlines > 1:
            first_row = now
        size += len(chunk)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    response.close()
    rows = newlines - 1  # the header line
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 3),
        # This process's CPU time: the rest of the wall time is PostgreSQL producing the rows
        # (and, on a busy machine, waiting for a CPU).
        "cpu_seconds": round(cpu_seconds, 3),
        "rows_per_second": round(rows / seconds),
        "first_byte_seconds": round(first_byte or seconds, 3),
        "first_row_seconds": round(first_row or seconds, 3),
        "peak_rss_kb": _peak_rss_kb(),
        "memory_measure": memory_measure,
    }


def _reset_peak_rss() -> str:
    """Reset Linux's peak-RSS mark (VmHWM) to the current RSS, so the next reading is the peak
    of what follows; elsewhere fall back to getrusage's lifetime peak."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "VmHWM, reset before each export"
    except OSError:
        return "ru_maxrss, the lifetime peak (growth may read low)"


def _peak_rss_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _budget_check(ledger: _Ledger) -> dict:
    from accounting.services import budget_statuses, budgets_check
    from backoffice.models import Notification

    started = time.perf_counter()
    statuses = budget_statuses(fiscal_year=ledger.fiscal_year)
    statuses_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    alerts = budgets_check(today=ledger.today)
    check_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    again = budgets_check(today=ledger.today)
    again_ms = (time.perf_counter() - started) * 1000
    return {
        "budgets": len(statuses),
        "departments": len({s.budget.department_id for s in statuses}),
        "over_80_percent": sum(1 for s in statuses if s.percent >= 80),
        "budget_statuses_ms": round(statuses_ms, 1),
        "budgets_check_ms": round(check_ms, 1),
        "alerts_sent": alerts,
        "notifications": Notification.objects.count(),
        "budgets_check_again_ms": round(again_ms, 1),
        "alerts_sent_again": again,
    }
