"""``python -m bench payslip_pdf``: what our payslip PDF path costs on top of WeasyPrint, and
whether a worker's memory grows over 1,000 PDFs.

In the scratch database: N employees (a third hourly with approved hours, the rest salaried, a
few paid by cheque; the demo deduction preset), March 2026 calculated, approved and paid through
the real services (PDF rendering after Pay switched off). Then, in this one process:

(a) WeasyPrint alone renders the HTML string of one payslip (its stylesheet read from the
    static folder by WeasyPrint's own fetcher; one font configuration for all documents, as
    ours has), ``TIMED`` times;
(b) ``payroll.pdf.render_payslip_pdf`` renders the same payslip ``TIMED`` times: queries,
    template, the static-only URL fetcher and WeasyPrint;

interleaved in rounds after a warm-up, and reports the ratio of the per-PDF times (target
<= 1.3). (c) renders 1,000 payslip PDFs (the run's payslips in turn) with
``render_payslip_pdf`` and compares the resident memory after 1,000 with that after the first
50 (target: at most 10 % growth).
"""

from __future__ import annotations

import datetime
import sys
import time
from decimal import Decimal
from pathlib import Path

PERIOD = datetime.date(2026, 3, 1)
TIMED = 100
ROUNDS = 5
WARMUP = 5
MEMORY_PDFS = 1000
MEMORY_BASELINE_AFTER = 50


def _rss_bytes() -> int:
    """Resident set size now (Linux /proc; psutil elsewhere)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss


def _setup(employees: int):
    """A paid run of ``employees`` payslips, built through the real services."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounting.services import fiscal_year_open
    from hr.models import Department, Employee
    from payroll.demo import seed_payroll_config
    from payroll.models import PayProfile, PayrollRun, PaySchedule, TimeEntry
    from payroll.services import payday
    from payroll.services.schedules import pay_period_for

    fiscal_year_open(year=PERIOD.year)
    seed_payroll_config()
    schedule = PaySchedule.objects.get(is_default=True)
    departments = [
        Department.objects.get_or_create(
            code=code, defaults={"name": name, "cost_center": str(4000 + i)}
        )[0]
        for i, (code, name) in enumerate(
            [("PROD", "Produktion"), ("VERT", "Vertrieb"), ("VERW", "Verwaltung")]
        )
    ]
    ibans = ["DE89370400440532013000", "DE02120300000000202051", "DE02500105170137075030"]
    people = Employee.objects.bulk_create(
        [
            Employee(
                personnel_number=f"PDF{i:06d}",
                first_name="Erika",
                last_name=f"Mustermann-Lüdenscheid {i}",
                department=departments[i % len(departments)],
                employment_type="hourly" if i % 3 == 0 else "salaried",
                hire_date=datetime.date(2020, 1, 1),
            )
            for i in range(employees)
        ]
    )
    approved_at = timezone.now()  # set up as payroll approved them (four eyes)
    PayProfile.objects.bulk_create(
        [
            PayProfile(
                employee=e,
                schedule=schedule,
                hourly_rate=Decimal("18.50") if e.employment_type == "hourly" else None,
                monthly_salary=None if e.employment_type == "hourly" else Decimal("3850.00"),
                pay_method="cheque" if i % 25 == 0 else "deposit",
                iban="" if i % 25 == 0 else ibans[i % 3],
                church_member=i % 4 == 0,
                approved_at=approved_at,
            )
            for i, e in enumerate(people)
        ]
    )
    entries = []
    for e in people:
        if e.employment_type != "hourly":
            continue
        day = PERIOD
        while day.month == PERIOD.month:
            if day.weekday() < 5:
                hours = Decimal("9.5") if day.weekday() == 0 else Decimal("8")
                entries.append(TimeEntry(employee=e, date=day, hours=hours, status="approved"))
            day += datetime.timedelta(days=1)
    TimeEntry.objects.bulk_create(entries, batch_size=10000)

    users = get_user_model()
    calculator = users.objects.create_user("bench-payroll", password=None)
    approver = users.objects.create_user("bench-accountant", password=None)
    payday._after_pay = lambda run_id: None  # the PDFs after Pay are what we time here
    period = pay_period_for(schedule=schedule, day=PERIOD)
    run = payday.payday_run_calculate(period=period, user=calculator)  # chunks run eagerly
    run = PayrollRun.objects.get(pk=run.pk)
    assert run.status == PayrollRun.Status.CALCULATED, run.error
    payday.payday_run_approve(run=run, user=approver, changes_acknowledged=True)
    payday.payday_run_pay(run=run, user=approver)
    return PayrollRun.objects.get(pk=run.pk)


def run(*, employees: int) -> tuple[dict, bool]:
    from django.conf import settings
    from django.utils import translation
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import path2url

    from backoffice.celery import app as celery_app
    from payroll.models import Payslip
    from payroll.pdf import payslip_html, render_payslip_pdf

    celery_app.conf.task_always_eager = True
    translation.activate("de")
    t0 = time.perf_counter()
    paid = _setup(employees)
    slips = list(Payslip.objects.filter(run=paid).order_by("pk").only("pk"))
    print(f"bench: {len(slips)} payslips paid in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    # An hourly employee's payslip (hours and overtime lines) is the fuller document.
    slip = Payslip.objects.filter(run=paid, overtime_hours__gt=0).order_by("pk").first() or (
        Payslip.objects.filter(run=paid).order_by("pk").first()
    )
    html = payslip_html(slip)
    static_dir = Path(settings.STATICFILES_DIRS[0])
    assert (static_dir / "css" / "payslip.css").is_file()
    file_base = path2url(str(static_dir) + "/")

    # WeasyPrint at its best: its own fetcher, and one font configuration for every document
    # as ours has (a fresh one per document is slower and leaks; see payroll.pdf).
    fonts = FontConfiguration()

    def weasyprint_alone() -> bytes:
        return HTML(string=html, base_url=file_base).write_pdf(font_config=fonts)

    def ours() -> bytes:
        return render_payslip_pdf(slip)

    for _ in range(WARMUP):
        weasyprint_alone()
        ours()
    alone = full = 0.0
    per_round = TIMED // ROUNDS
    for r in range(ROUNDS):
        order = (weasyprint_alone, ours) if r % 2 == 0 else (ours, weasyprint_alone)
        for fn in order:
            start = time.perf_counter()
            for _ in range(per_round):
                data = fn()
            elapsed = time.perf_counter() - start
            assert data.startswith(b"%PDF")
            if fn is ours:
                full += elapsed
            else:
                alone += elapsed
    timed = per_round * ROUNDS
    alone_ms = alone * 1000 / timed
    full_ms = full * 1000 / timed
    ratio = round(full_ms / alone_ms, 3)
    print(f"bench: weasyprint {alone_ms:.1f} ms, ours {full_ms:.1f} ms", file=sys.stderr)

    baseline = None
    t1 = time.perf_counter()
    for i in range(MEMORY_PDFS):
        render_payslip_pdf(slips[i % len(slips)])
        if i + 1 == MEMORY_BASELINE_AFTER:
            baseline = _rss_bytes()
    final = _rss_bytes()
    memory_seconds = time.perf_counter() - t1
    growth = round((final - baseline) * 100 / baseline, 2)

    figures = {
        "bench": "payslip_pdf",
        "employees": len(slips),
        "pdfs_timed_each": timed,
        "weasyprint_alone_ms_per_pdf": round(alone_ms, 2),
        "render_payslip_pdf_ms_per_pdf": round(full_ms, 2),
        "ratio": ratio,
        "memory_pdfs": MEMORY_PDFS,
        "rss_mb_after_50": round(baseline / 2**20, 1),
        "rss_mb_after_1000": round(final / 2**20, 1),
        "rss_growth_percent": growth,
        "memory_run_seconds": round(memory_seconds, 1),
        "targets": {"ratio": 1.3, "rss_growth_percent": 10},
    }
    return figures, ratio <= 1.3 and growth <= 10
