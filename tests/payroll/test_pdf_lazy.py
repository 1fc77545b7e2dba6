"""A past payslip's PDF is rendered when first asked for and kept: paying a run whose payday
has passed (what the demo seeding does for every past month) queues no PDF task; the first
download renders and stores the PDF, later ones serve the stored file; two first downloads at
the same moment store one file and serve the same bytes."""

import datetime
import threading
from contextlib import contextmanager
from unittest import mock

import pytest
from celery.signals import task_prerun
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from backoffice import roles
from payroll.models import PayrollRun, Payslip
from payroll.services import publish
from payroll.services.payday import payday_run_approve, payday_run_calculate, payday_run_pay
from tests.payroll.factories import payroll_setup, period_for, profile

PDF_TASKS = {"payroll.tasks.payslip_pdfs_render", "payroll.tasks.cheques_pdf_render"}


@contextmanager
def tasks_run():
    """The names of the Celery tasks that ran (eagerly, as tests run them) inside the block."""
    names: list[str] = []

    def record(sender=None, **_kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        yield names
    finally:
        task_prerun.disconnect(record)


def stored_payslip_files(slip) -> set[str]:
    """The stored files of this payslip's name (the test storage keeps files in memory; the
    folder is the month of storing, as FileField's upload_to makes it)."""
    folder = datetime.datetime.now().strftime("payslips/%Y/%m")
    if not default_storage.exists(folder):
        return set()
    prefix = f"payslip-{slip.run_id}-{slip.employee_id}"
    return {name for name in default_storage.listdir(folder)[1] if name.startswith(prefix)}


def _pay(schedule, clerk, accountant, capture):
    with capture(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=clerk)
    payday_run_approve(run=run, user=accountant)
    with tasks_run() as ran, capture(execute=True):
        payday_run_pay(run=run, user=clerk)
    return run, ran


@pytest.mark.django_db
def test_a_past_run_queues_no_pdf_and_the_first_download_renders_and_keeps_it(
    make_user, client, monkeypatch, django_capture_on_commit_callbacks
):
    """March 2026 paid in December: publishing runs, no PDF task; the employee's first
    download renders the PDF and stores it; the second serves the stored file (rendering is
    not called again)."""
    schedule = payroll_setup()
    staff = make_user(roles.STAFF)
    profile(schedule, employee=staff.employee, salary="3000.00")
    profile(schedule, salary="2000.00", pay_method="cheque", iban="")
    clerk, accountant = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 12, 2)):
        run, ran = _pay(schedule, clerk, accountant, django_capture_on_commit_callbacks)
    assert "payroll.tasks.payday_after_pay" in ran
    assert not PDF_TASKS & set(ran)
    slip = Payslip.objects.get(run=run, employee=staff.employee)
    assert slip.published_at is not None and not slip.pdf
    assert not PayrollRun.objects.get(pk=run.pk).cheques_pdf

    client.force_login(staff)
    url = reverse("payroll:my_payslip_pdf", args=[slip.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF")
    slip.refresh_from_db()
    assert slip.pdf
    with slip.pdf.open("rb") as handle:
        assert handle.read() == first.content

    def no_render(payslip):
        raise AssertionError("a stored PDF is not rendered again")

    monkeypatch.setattr(publish, "render_payslip_pdf", no_render)
    second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.django_db
def test_a_run_paid_before_its_payday_renders_its_pdfs_ahead_on_the_bulk_queue(
    make_user, django_capture_on_commit_callbacks
):
    """The other side of the rule: paid on 20 March for the 28th, the PDFs are rendered
    ahead (so the rule above is about the payday, not a switch that turned rendering off)."""
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    clerk, accountant = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 3, 20)):
        run, ran = _pay(schedule, clerk, accountant, django_capture_on_commit_callbacks)
    assert set(ran) >= PDF_TASKS
    assert Payslip.objects.get(run=run).pdf


@pytest.mark.django_db
def test_seeding_queues_no_pdf_task(django_capture_on_commit_callbacks):
    """seed_demo pays the past months of the year; what it queues on commit publishes them but
    renders no PDF (they are past payslips: rendered when first asked for)."""
    with (
        mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 4, 15)),
        tasks_run() as ran,
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("seed_demo", employees=20)
    assert ran.count("payroll.tasks.payday_after_pay") == 3  # January to March
    assert not PDF_TASKS & set(ran)
    assert Payslip.objects.filter(run__status=PayrollRun.Status.PAID).exists()
    assert not Payslip.objects.exclude(pdf="").exists()


@pytest.mark.django_db(transaction=True)
def test_two_first_downloads_at_once_store_one_pdf_and_serve_the_same_bytes(make_user, monkeypatch):
    """Two requests for a PDF not yet stored, each rendering at the same moment in its own
    connection: one file is stored and both answers are its bytes."""
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    clerk, accountant = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 12, 2)):
        run = payday_run_calculate(period=period_for(schedule), user=clerk)
        payday_run_approve(run=run, user=accountant)
        payday_run_pay(run=run, user=clerk)
    slip = Payslip.objects.get(run=run)
    assert slip.published_at is not None and not slip.pdf
    before = stored_payslip_files(slip)

    both_rendering = threading.Barrier(2, timeout=20)
    counter = iter(range(1, 100))

    def render(payslip, *, context=None):
        # Each render differs (as WeasyPrint's do: a creation date inside), so a served copy
        # that is not the stored one shows.
        number = next(counter)
        both_rendering.wait()
        return b"%PDF-1.7 render " + str(number).encode()

    monkeypatch.setattr(publish, "render_payslip_pdf", render)
    answers: list[bytes] = []
    failures: list[BaseException] = []

    def download():
        try:
            answers.append(publish.payslip_pdf_bytes(payslip=Payslip.objects.get(pk=slip.pk)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    slip.refresh_from_db()
    with slip.pdf.open("rb") as handle:
        stored = handle.read()
    assert answers == [stored, stored]
    assert len(stored_payslip_files(slip) - before) == 1
