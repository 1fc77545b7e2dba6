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
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from num2words import num2words
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from hr.models import Employee
from hr.selectors.personnel_file import payslip_personal_data_for
from payroll.models import Cheque, PayrollRun, Payslip, PayslipLine
from payroll.selectors import payslip_year_to_date

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


def document_language(*, employee: Employee | None, default: str) -> str:
    """The language a document for ``employee`` is written in: what the employee's login chose
    (``backoffice.UserPreference``, set by the language switch), else ``default`` (the payroll
    settings' document language), else the site's. ``employee.user__preference`` should be
    selected along."""
    user = employee.user if employee is not None else None
    chosen = ""
    if user is not None:
        try:
            chosen = user.preference.language
        except ObjectDoesNotExist:
            chosen = ""
    for language in (chosen, default):
        if language:
            try:
                return translation.get_supported_language_variant(language)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def payslip_contexts(payslips: Iterable[Payslip]) -> dict[int, dict]:
    """Everything the payslips show, by payslip id, in five queries for the whole batch: the
    payslips with employee, login and its language, department, period and cheque; their
    lines; the payroll settings (employer and default language); the personal fields of the
    personnel files (through hr.selectors); the year-to-date totals (payroll.selectors)."""
    from payroll.services.payday import payroll_settings

    ids = [p.pk for p in payslips]
    slips = Payslip.objects.select_related(
        "employee__user__preference", "department", "run__period", "cheque"
    ).filter(pk__in=ids)
    lines: dict[int, list[PayslipLine]] = defaultdict(list)
    for line in PayslipLine.objects.filter(payslip_id__in=ids).order_by("payslip_id", "id"):
        lines[line.payslip_id].append(line)
    company = payroll_settings()
    slips = list(slips)
    personal = payslip_personal_data_for(employee_ids=[s.employee_id for s in slips])
    totals = payslip_year_to_date(payslip_ids=ids)
    contexts = {}
    for slip in slips:
        try:
            cheque = slip.cheque
        except Cheque.DoesNotExist:
            cheque = None
        own = lines[slip.pk]
        contexts[slip.pk] = {
            "slip": slip,
            "employee": slip.employee,
            "personal": personal.get(slip.employee_id),
            "period": slip.run.period,
            "settings": company,
            "company_address": company_address_lines(company),
            "earnings": [ln for ln in own if ln.kind == PayslipLine.Kind.EARNING],
            "deductions": [ln for ln in own if ln.kind == PayslipLine.Kind.DEDUCTION],
            "employer": [ln for ln in own if ln.kind == PayslipLine.Kind.EMPLOYER],
            "year_to_date": totals.get(slip.pk),
            "cheque": cheque,
            "masked_iban": mask_iban(slip.iban) if slip.iban else "",
            "is_cheque": slip.pay_method == "cheque",
            "language": document_language(
                employee=slip.employee, default=company.document_language
            ),
        }
    return contexts


def company_address_lines(company) -> list[str]:
    city_line = " ".join(p for p in (company.company_postal_code, company.company_city) if p)
    return [line for line in (company.company_street, city_line) if line]


def payslip_context(payslip: Payslip) -> dict:
    return payslip_contexts([payslip])[payslip.pk]


def payslip_html(payslip: Payslip, *, context: dict | None = None) -> str:
    """The payslip's HTML in the employee's language (``context["language"]``), whatever
    language the request or task that asks for it speaks."""
    context = context or payslip_context(payslip)
    with translation.override(context["language"]):
        return render_to_string("payroll/pdf/payslip.html", context)


def render_payslip_pdf(payslip: Payslip, *, context: dict | None = None) -> bytes:
    """The payslip as PDF, in the employee's language. ``context`` from ``payslip_contexts``
    when a batch is rendered (one set of queries for the batch)."""
    return html_to_pdf(payslip_html(payslip, context=context))


def amount_in_words(amount: Decimal, *, language: str) -> str:
    """``1234.56`` -> "eintausendzweihundertvierunddreißig Euro und 56 Cent" (de) or "one
    thousand, two hundred and thirty-four euros and 56 cents" (en): euros in words, cents in
    figures, as on a cheque."""
    cents_total = int((abs(amount) * 100).to_integral_value())
    euros, cents = divmod(cents_total, 100)
    with translation.override(language):
        lang = "de" if language.startswith("de") else "en"
        words = num2words(euros, lang=lang)
        if lang == "de" and words.endswith("eins"):
            words = words[:-1]  # "ein Euro", "einhundertein Euro": before a noun
        return _("%(euros)s and %(cents)s") % {
            "euros": ngettext("%(words)s euro", "%(words)s euros", euros) % {"words": words},
            "cents": ngettext("%(count)s cent", "%(count)s cents", cents) % {"count": cents},
        }


def cheques_html(run: PayrollRun) -> str:
    """The run's cheques, each in its payee's language with the amount in words and figures;
    the document's own language is the payroll settings' default."""
    from payroll.services.payday import payroll_settings

    run = PayrollRun.objects.select_related("period").get(pk=run.pk)
    company = payroll_settings()
    cheques = []
    for cheque in (
        Cheque.objects.filter(run=run)
        .select_related("payslip__employee__user__preference")
        .order_by("number")
    ):
        language = document_language(
            employee=cheque.payslip.employee, default=company.document_language
        )
        cheques.append(
            {
                "cheque": cheque,
                "language": language,
                "words": amount_in_words(cheque.amount, language=language),
            }
        )
    language = document_language(employee=None, default=company.document_language)
    with translation.override(language):
        return render_to_string(
            "payroll/pdf/cheques.html",
            {
                "run": run,
                "period": run.period,
                "cheques": cheques,
                "settings": company,
                "company_address": company_address_lines(company),
                "language": language,
            },
        )


def render_cheques_pdf(run: PayrollRun) -> bytes:
    """The run's cheques, one page each, in cheque-number order."""
    return html_to_pdf(cheques_html(run), seconds=CHEQUES_PDF_SECONDS)
