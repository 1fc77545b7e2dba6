"""Payslip and cheque-run PDFs: what a payslip shows, that WeasyPrint fetches nothing but the
app's static files, the per-document time box, and the background tasks that store the PDFs
once (idempotent, in chunks, skipping a document that fails)."""

import datetime
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

from backoffice import roles
from payroll import pdf
from payroll.models import PayrollRun, Payslip
from payroll.services import publish
from payroll.services.payday import (
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payroll_settings,
)
from payroll.tasks import cheques_pdf_render, payslip_pdfs_render
from tests.payroll.factories import payroll_setup, period_for, profile, speaks

STATIC_CSS = Path(settings.BASE_DIR) / "static" / "css" / "payslip.css"


@pytest.fixture
def run_paid(make_user, django_capture_on_commit_callbacks):
    """A paid March 2026: a salaried direct-deposit employee (net 2,271.00: 3,000.00 less
    9.3 % pension and 15 % wage tax) and one paid by cheque."""

    def make(*, cheques=1, deposits=1):
        schedule = payroll_setup()
        for i in range(deposits):
            profile(schedule, salary="3000.00", iban_index=i)
        for _ in range(cheques):
            profile(schedule, salary="2000.00", pay_method="cheque", iban="")
        calculator, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)
        with django_capture_on_commit_callbacks(execute=True):
            run = payday_run_calculate(period=period_for(schedule), user=calculator)
        payday_run_approve(run=run, user=approver)
        with django_capture_on_commit_callbacks(execute=True):
            payday_run_pay(run=run, user=approver)
        run.refresh_from_db()
        return run

    return make


@pytest.mark.django_db
def test_payslip_shows_what_an_employee_needs(run_paid):
    """Company, name, personnel number, period, payday, earnings with quantity, rate and
    amount, deductions, employer contributions, gross, net and the masked IBAN; the full IBAN
    never appears."""
    run = run_paid(cheques=0)
    slip = Payslip.objects.select_related("employee").get(run=run)
    speaks(slip.employee, "en")
    with translation.override("en"):
        html = pdf.payslip_html(slip)
        payday = date_format(run.period.payday, "SHORT_DATE_FORMAT")
        start = date_format(run.period.start, "SHORT_DATE_FORMAT")
    assert "Backoffice GmbH" in html
    assert slip.employee.full_name in html
    assert slip.employee.personnel_number in html
    assert payday in html
    assert start in html
    assert slip.net == Decimal("2271.00")
    assert "€2,271.00" in html  # net
    assert "€3,000.00" in html  # gross
    assert "€279.00" in html  # pension, employee share (also the employer's)
    assert "€450.00" in html  # wage tax
    assert "Rentenversicherung" in html
    assert "DE89 **** **** **** **30 00" in html
    assert "DE89370400440532013000" not in html
    assert "css/payslip.css" in html


@pytest.mark.django_db
def test_cheque_payslip_names_the_cheque_number(run_paid):
    run = run_paid(deposits=0, cheques=1)
    slip = Payslip.objects.get(run=run)
    speaks(slip.employee, "en")
    with translation.override("en"):
        html = pdf.payslip_html(slip)
    assert f"Cheque no. {slip.cheque.number}" in html
    assert "****" not in html


@pytest.mark.django_db
def test_payslip_pdf_renders(run_paid):
    """The payslip renders to a PDF (the net amount is checked on the HTML above)."""
    run = run_paid(cheques=0)
    data = pdf.render_payslip_pdf(Payslip.objects.get(run=run))
    assert data.startswith(b"%PDF")
    assert len(data) > 1000


@pytest.mark.django_db
def test_cheque_run_pdf_lists_every_cheque(run_paid):
    """The cheque run has each cheque with its number, payee and amount."""
    run = run_paid(deposits=1, cheques=2)
    cheques = list(run.cheques.order_by("number"))
    settings_row = payroll_settings()
    settings_row.document_language = "en"
    settings_row.save(update_fields=["document_language"])
    with translation.override("de"):
        html = pdf.cheques_html(run)
    for cheque in cheques:
        assert f"Cheque no. {cheque.number}" in html
        assert cheque.payee in html
    assert html.count('class="cheque"') == 2
    assert pdf.render_cheques_pdf(run).startswith(b"%PDF")


# --- The URL fetcher ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/evil.css",
        "http://backoffice.invalid/static/css/payslip.css",
        "https://backoffice.invalid.example.com/static/css/payslip.css",
        "https://backoffice.invalid/media/payslips/x.pdf",
        "https://backoffice.invalid/static/../../../../etc/passwd",
        "https://backoffice.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://backoffice.invalid/static/css/missing.css",
        "file:///etc/passwd",
        "file://" + str(STATIC_CSS),
        "data:text/css;base64,Ym9keXtjb2xvcjpyZWR9",
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    """Other hosts, other schemes, local files, data: URLs, paths out of the static files and
    missing files are all refused."""
    with pytest.raises(ValueError):
        pdf.StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_a_static_file():
    response = pdf.StaticOnlyFetcher().fetch(pdf.STATIC_BASE_URL + "css/payslip.css")
    assert response.status == 200
    assert response.content_type == "text/css"
    assert response.read() == STATIC_CSS.read_bytes()


def test_rendering_asks_the_fetcher_and_external_urls_stay_out(monkeypatch):
    """A document pointing at a remote stylesheet, a local file and a remote image renders,
    and the fetcher refused all three while serving the static stylesheet."""
    seen: list[tuple[str, str]] = []
    real_fetch = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = real_fetch(self, url, headers)
        except ValueError:
            seen.append((url, "refused"))
            raise
        seen.append((url, "served"))
        return response

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    html = (
        '<html><head><link rel="stylesheet" href="css/payslip.css">'
        '<link rel="stylesheet" href="https://example.com/evil.css"></head><body>'
        '<img src="file:///etc/hostname"><img src="http://169.254.169.254/latest/meta-data">'
        "<p>Hello</p></body></html>"
    )
    assert pdf.html_to_pdf(html).startswith(b"%PDF")
    outcome = dict(seen)
    assert outcome[pdf.STATIC_BASE_URL + "css/payslip.css"] == "served"
    assert outcome["https://example.com/evil.css"] == "refused"
    assert outcome["file:///etc/hostname"] == "refused"
    assert outcome["http://169.254.169.254/latest/meta-data"] == "refused"


def test_a_document_is_time_boxed():
    """A document that takes longer than its time box is stopped with PdfTimeout."""
    started = time.monotonic()
    with pytest.raises(pdf.PdfTimeout), pdf.time_box(0.2):
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_mask_iban():
    assert pdf.mask_iban("DE89 3704 0044 0532 0130 00") == "DE89 **** **** **** **30 00"
    assert pdf.mask_iban("") == ""


# --- Background rendering ---------------------------------------------------------------


@pytest.fixture
def before_payday():
    """Pay on 20 March, before March's payday (the 28th): the PDFs are rendered ahead. (A run
    paid after its payday renders them when first asked for: tests/payroll/test_pdf_lazy.py.)"""
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 3, 20)):
        yield


@pytest.mark.django_db
def test_pay_stores_every_payslip_pdf_and_the_cheque_run(run_paid, before_payday):
    """Pay queues the PDF tasks after commit; every payslip and the cheque run are stored."""
    run = run_paid(deposits=2, cheques=1)
    slips = list(Payslip.objects.filter(run=run))
    assert len(slips) == 3
    for slip in slips:
        assert slip.pdf
        with slip.pdf.open("rb") as handle:
            assert handle.read().startswith(b"%PDF")
    assert run.cheques_pdf
    with run.cheques_pdf.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")


@pytest.mark.django_db
def test_pdf_tasks_are_idempotent(run_paid, before_payday):
    """A second delivery renders nothing and keeps the stored files."""
    run = run_paid(deposits=2, cheques=1)
    names = dict(Payslip.objects.filter(run=run).values_list("pk", "pdf"))
    cheques_name = run.cheques_pdf.name
    assert payslip_pdfs_render.delay(run.pk).get() == 0
    assert cheques_pdf_render.delay(run.pk).get() is False
    assert dict(Payslip.objects.filter(run=run).values_list("pk", "pdf")) == names
    run.refresh_from_db()
    assert run.cheques_pdf.name == cheques_name


@pytest.mark.django_db
def test_missing_pdfs_render_in_chunks(run_paid):
    """The service renders at most ``limit`` per call and says where to continue; the task
    follows on until none is missing."""
    run = run_paid(deposits=3, cheques=0)
    Payslip.objects.filter(run=run).update(pdf="")
    ids = sorted(Payslip.objects.filter(run=run).values_list("pk", flat=True))
    assert publish.payslip_pdfs_render(run_id=run.pk, limit=2) == (2, ids[1])
    assert publish.payslip_pdfs_render(run_id=run.pk, after_id=ids[1], limit=2) == (1, None)
    Payslip.objects.filter(run=run).update(pdf="")
    assert payslip_pdfs_render.delay(run.pk).get() == 3
    assert not Payslip.objects.filter(run=run, pdf="").exists()


@pytest.mark.django_db
def test_a_failing_payslip_is_skipped_not_retried_forever(run_paid, monkeypatch):
    """One document that cannot be rendered is logged and left for the download to try; the
    others are stored and the task ends."""
    run = run_paid(deposits=3, cheques=0)
    Payslip.objects.filter(run=run).update(pdf="")
    bad = Payslip.objects.filter(run=run).order_by("pk")[1]
    real = publish.render_payslip_pdf

    def render(payslip, **kwargs):
        if payslip.pk == bad.pk:
            raise pdf.PdfTimeout("too slow")
        return real(payslip, **kwargs)

    monkeypatch.setattr(publish, "render_payslip_pdf", render)
    assert payslip_pdfs_render.delay(run.pk).get() == 2
    assert list(Payslip.objects.filter(run=run, pdf="").values_list("pk", flat=True)) == [bad.pk]


@pytest.mark.django_db
def test_unpaid_runs_get_no_stored_pdfs(make_user, django_capture_on_commit_callbacks):
    """Before Pay nothing is stored (the run may be calculated again); a clerk's preview is
    rendered on the fly."""
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=make_user(roles.PAYROLL_CLERK))
    assert publish.payslip_pdfs_render(run_id=run.pk) == (0, None)
    assert publish.cheques_pdf_store(run_id=run.pk) is False
    slip = Payslip.objects.get(run=run)
    assert publish.payslip_pdf_bytes(payslip=slip).startswith(b"%PDF")
    slip.refresh_from_db()
    assert not slip.pdf
    assert PayrollRun.objects.get(pk=run.pk).status == PayrollRun.Status.CALCULATED
