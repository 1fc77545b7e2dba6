"""Payslip and cheque-run PDFs: context -> HTML -> PDF bytes with WeasyPrint. No writes.

WeasyPrint fetches every stylesheet, image and font through ``StaticOnlyFetcher``, which serves
the app's own static files and refuses every other URL (other hosts, ``file:``, ``data:``), so
a name or a label in the data cannot make the renderer read a local file or call the network.
Each document is time-boxed (``PDF_SECONDS``) where the process can set an alarm; the Celery
tasks that render in bulk have their own soft and hard time limits.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from hr.selectors.personnel_file import payslip_personal_data
from payroll.models import Cheque, PayrollRun, Payslip, PayslipLine

# A host that can never resolve (RFC 6761): relative URLs in the templates resolve against it,
# and the fetcher maps it to the static files finders.
STATIC_BASE_URL = "https://backoffice.invalid/static/"
PDF_SECONDS = 60
CHEQUES_PDF_SECONDS = 300


class PdfTimeout(Exception):
    """A document took longer than its time box."""


class StaticOnlyFetcher(URLFetcher):
    """Serve ``STATIC_BASE_URL`` + path from the static files finders; refuse anything else."""

    _cache: dict[str, tuple[bytes, str]] = {}

    def __init__(self):
        # fail_on_errors stays off: a refused URL is left out, the document still renders.
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)

    def fetch(self, url, headers=None):
        if not isinstance(url, str) or not url.startswith(STATIC_BASE_URL):
            raise ValueError(f"URL refused (only the app's static files): {str(url)[:200]}")
        parts = urlsplit(url)
        if parts.netloc != urlsplit(STATIC_BASE_URL).netloc:
            raise ValueError(f"URL refused (only the app's static files): {url[:200]}")
        relative = unquote(parts.path)[len(urlsplit(STATIC_BASE_URL).path) :]
        normalized = posixpath.normpath(relative)
        if (
            not relative
            or normalized.startswith(("..", "/"))
            or "\\" in relative
            or "\0" in relative
        ):
            raise ValueError(f"URL refused (outside the static files): {url[:200]}")
        cached = self._cache.get(normalized)
        if cached is None:
            path = finders.find(normalized)
            if not path:
                raise ValueError(f"No such static file: {normalized[:200]}")
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(normalized)[0] or "application/octet-stream"
            cached = (body, content_type)
            self._cache[normalized] = cached
        body, content_type = cached
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


@contextmanager
def time_box(seconds: int) -> Iterator[None]:
    """Raise ``PdfTimeout`` in this thread after ``seconds``. Only the main thread of a process
    can take a signal (a Celery prefork child, a gunicorn sync worker); elsewhere (a threaded
    dev server) the task's time limits are the only guard."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expired(signum, frame):
        raise PdfTimeout(f"PDF rendering took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_fonts: tuple[int, FontConfiguration] | None = None
_fonts_lock = threading.Lock()


def _font_configuration() -> FontConfiguration:
    """One font configuration per process. WeasyPrint makes a new one per document unless it
    is given one, and each keeps its fontconfig and Pango font map: about 0.2 MB a document
    that never comes back (measured: +105 % RSS over 1,000 payslips; +0 % shared). Created
    lazily, and again after a fork (a Celery prefork child must not share its parent's)."""
    global _fonts
    if _fonts is None or _fonts[0] != os.getpid():
        _fonts = (os.getpid(), FontConfiguration())
    return _fonts[1]


def html_to_pdf(html: str, *, seconds: int = PDF_SECONDS) -> bytes:
    # The shared font configuration is not made for concurrent use: threads of one process
    # (a threaded dev server) render one at a time; rendering holds the GIL anyway.
    with _fonts_lock, time_box(seconds):
        return HTML(
            string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher()
        ).write_pdf(font_config=_font_configuration())


def mask_iban(iban: str) -> str:
    """``DE89 **** **** **** **30 00``: country, check digits and the last four remain."""
    compact = "".join(iban.split()).upper()
    if len(compact) <= 8:
        return compact
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def payslip_context(payslip: Payslip) -> dict:
    """Everything a payslip shows, in four queries: the payslip with its employee, department,
    period and cheque; its lines; the payroll settings; the personal fields of the employee's
    personnel file (address, tax class, tax ID masked, social-insurance number) from hr."""
    from payroll.services.payday import payroll_settings

    slip = Payslip.objects.select_related("employee", "department", "run__period", "cheque").get(
        pk=payslip.pk
    )
    lines = list(PayslipLine.objects.filter(payslip=slip).order_by("id"))
    try:
        cheque = slip.cheque
    except Cheque.DoesNotExist:
        cheque = None
    return {
        "slip": slip,
        "employee": slip.employee,
        "personal": payslip_personal_data(employee_id=slip.employee_id),
        "period": slip.run.period,
        "settings": payroll_settings(),
        "earnings": [ln for ln in lines if ln.kind == PayslipLine.Kind.EARNING],
        "deductions": [ln for ln in lines if ln.kind == PayslipLine.Kind.DEDUCTION],
        "employer": [ln for ln in lines if ln.kind == PayslipLine.Kind.EMPLOYER],
        "cheque": cheque,
        "masked_iban": mask_iban(slip.iban) if slip.iban else "",
        "is_cheque": slip.pay_method == "cheque",
        "language": translation.get_language() or "de",
    }


def payslip_html(payslip: Payslip) -> str:
    return render_to_string("payroll/pdf/payslip.html", payslip_context(payslip))


def render_payslip_pdf(payslip: Payslip) -> bytes:
    """The payslip as PDF, in the active language."""
    return html_to_pdf(payslip_html(payslip))


def cheques_html(run: PayrollRun) -> str:
    from payroll.services.payday import payroll_settings

    run = PayrollRun.objects.select_related("period").get(pk=run.pk)
    cheques = list(
        Cheque.objects.filter(run=run).select_related("payslip__employee").order_by("number")
    )
    return render_to_string(
        "payroll/pdf/cheques.html",
        {
            "run": run,
            "period": run.period,
            "cheques": cheques,
            "settings": payroll_settings(),
            "language": translation.get_language() or "de",
        },
    )


def render_cheques_pdf(run: PayrollRun) -> bytes:
    """The run's cheques, one page each, in cheque-number order."""
    return html_to_pdf(cheques_html(run), seconds=CHEQUES_PDF_SECONDS)
