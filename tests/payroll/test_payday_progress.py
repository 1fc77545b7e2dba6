"""The progress of a calculating run says what it waits for: "Waiting for a worker: 3 parts
queued." while no worker has taken a part, else the parts written, being calculated (a worker
holds the part's row) and queued; and how long the run has run. Read from the database, not
the broker; a constant number of queries however many parts."""

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from backoffice import roles
from payroll.models import PayrollChunk, PayrollRun
from payroll.services import payday
from payroll.services.payday import payday_progress, payday_run_calculate
from tests.payroll.factories import payroll_setup, period_for, profile


@pytest.fixture
def no_worker(monkeypatch):
    """The broker takes the parts but no worker runs (in tests tasks would run eagerly)."""
    sent: list[int] = []
    monkeypatch.setattr(payday, "_chunk_send", lambda chunk_id, **_kw: sent.append(chunk_id))
    monkeypatch.setattr(payday, "CHUNK_SIZE", 1)
    return sent


def calculating_run(parts: int, clerk) -> PayrollRun:
    schedule = payroll_setup()
    for i in range(parts):
        profile(schedule, salary="3000.00", iban_index=i)
    return payday_run_calculate(period=period_for(schedule), user=clerk)


def started_ago(run: PayrollRun, seconds: int) -> None:
    PayrollRun.objects.filter(pk=run.pk).update(
        calculation_started_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )
    run.refresh_from_db()


@pytest.mark.django_db
def test_a_run_no_worker_took_says_it_waits_for_a_worker_and_for_how_long(
    make_user, client, no_worker, django_capture_on_commit_callbacks
):
    clerk = make_user(roles.PAYROLL_CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        run = calculating_run(3, clerk)
    assert len(no_worker) == 3
    started_ago(run, 125)
    progress = payday_progress(run=run)
    assert progress["status"] == "calculating"
    assert progress["parts"] == {"total": 3, "written": 0, "running": 0, "queued": 3}
    assert re.fullmatch(
        r"Waiting for a worker: 3 parts queued\. Running for 2 min (5|6) s\.",
        progress["activity_text"],
    )

    with translation.override("de"):
        assert payday_progress(run=run)["activity_text"].startswith(
            "Wartet auf einen Worker: 3 Teile in der Warteschlange. Läuft seit 2 min "
        )

    client.force_login(clerk)
    page = client.get(reverse("payroll:run_detail", args=[run.pk])).content.decode()
    assert "Waiting for a worker: 3 parts queued." in page
    data = client.get(reverse("payroll:run_progress", args=[run.pk])).json()
    assert data["activity_text"].startswith("Waiting for a worker: 3 parts queued.")


@pytest.mark.django_db
def test_a_run_that_is_done_says_nothing_about_workers(
    make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = calculating_run(2, make_user(roles.PAYROLL_CLERK))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert payday_progress(run=run)["activity_text"] == ""


@pytest.mark.django_db(transaction=True)
def test_a_part_a_worker_holds_counts_as_being_calculated(make_user, no_worker):
    """Three parts: one written, one whose row a worker holds (locked in its transaction, as
    payroll_chunk_calculate does), one queued. A worker that died would release its lock:
    then the part counts as queued again."""
    run = calculating_run(3, make_user(roles.PAYROLL_CLERK))
    first, second, _third = run.chunks.order_by("index").values_list("pk", flat=True)
    payday.payroll_chunk_calculate(chunk_id=first)

    locked, release = threading.Event(), threading.Event()

    def worker_holds_the_part():
        try:
            with transaction.atomic():
                PayrollChunk.objects.select_for_update().get(pk=second)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=worker_holds_the_part)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        progress = payday_progress(run=run)
    finally:
        release.set()
        thread.join(timeout=30)
    assert progress["parts"] == {"total": 3, "written": 1, "running": 1, "queued": 1}
    assert progress["activity_text"].startswith(
        "1 of 3 parts written, 1 being calculated, 1 queued. Running for "
    )
    assert "Waiting for a worker" not in progress["activity_text"]
    # The lock is gone (the worker died, say): the part is queued again.
    assert payday_progress(run=run)["parts"] == {
        "total": 3,
        "written": 1,
        "running": 0,
        "queued": 2,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("parts", [1, 4])
def test_progress_queries_do_not_grow_with_parts(
    parts, make_user, client, no_worker, django_capture_on_commit_callbacks
):
    clerk = make_user(roles.PAYROLL_CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        run = calculating_run(parts, clerk)
    client.force_login(clerk)
    url = reverse("payroll:run_progress", args=[run.pk])
    client.get(url)  # the session and the user, loaded once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json()["parts"]["queued"] == parts
    assert len(queries) == PROGRESS_QUERIES, [q["sql"] for q in queries]


# The same at 1 and 4 parts: the session, the user, the second factor and permissions, then
# the run, payslips, errors, the parts (one query), last progress and a part being retried.
PROGRESS_QUERIES = 12
