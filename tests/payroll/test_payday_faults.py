"""Payday faults that used to strand or double a run, through a real Celery worker.

The worker runs in a thread of this process with a prefork pool, so a pool child can die and
a time limit can fire as in production. The broker is Redis when ``REDIS_URL`` is set, else a
filesystem queue in a temporary folder (the in-memory broker cannot carry a message a pool
child sends). Every test ends with each employee paid exactly once."""

import datetime
import os
import signal
import threading
import time
from contextlib import contextmanager
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from backoffice import roles
from backoffice.celery import app
from backoffice.models import Notification
from hr.models import Employee
from payroll.models import PayProfile, PayrollChunk, PayrollRun, Payslip, PayslipError
from payroll.services import payday
from payroll.services.payday import (
    PaydayRefused,
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
)
from payroll.services.profiles import pay_profile_change_approve, pay_profile_change_request
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import payroll_setup, period_for, profile

LONG_FIRST = "Maximiliane-Theodora-Friederike"  # 31 characters
LONG_LAST = "von Hohenzollern-Sigmaringen-Wittelsbacher"  # 42 characters
# "First Last" as the bank file's account holder: 74 characters, over SEPA's 70.
assert len(f"{LONG_FIRST} {LONG_LAST}") == 74


@pytest.fixture
def clerks(make_user):
    return make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)


@contextmanager
def real_broker(tmp_path):
    """Tasks go through a broker instead of running eagerly: Redis when REDIS_URL is set, else
    a filesystem queue in ``tmp_path``."""
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping

    conf = app.conf
    saved = (conf.broker_url, dict(conf.broker_transport_options or {}), conf.task_always_eager)
    if conf.broker_url.startswith("memory"):
        folders = {n: tmp_path / n for n in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir()
        conf.broker_url = "filesystem://"
        conf.broker_transport_options = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
        }
        _connections_drop()
    conf.task_always_eager = False
    try:
        with app.connection_for_write() as conn:
            for queue in conf.task_queues:  # nothing left from an earlier run
                conn.default_channel.queue_purge(queue.name)
    except Exception:  # noqa: BLE001 - an absent queue is empty
        pass
    try:
        yield
    finally:
        switched = conf.broker_url != saved[0]
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        if switched:
            _connections_drop()


@contextmanager
def worker():
    """A Celery worker with a prefork pool, so that a pool child can be killed and a time limit
    fires as in production. Settings changed before this starts reach the pool children (they
    are forked here)."""
    # The pool children write messages in the site language: English here, as the tests read.
    with (
        override_settings(LANGUAGE_CODE="en"),
        start_worker(
            app, pool="prefork", concurrency=1, perform_ping_check=False, shutdown_timeout=30
        ),
    ):
        yield


@contextmanager
def real_worker(tmp_path):
    with real_broker(tmp_path), worker():
        yield


def _connections_drop():
    """Forget the broker connection pools made for the other transport (the producer pool
    holds one too); they are left open for whoever still holds them."""
    app._pool = None
    app.amqp._producer_pool = None


_release = threading.Event()


def release_lock():
    _release.set()


@contextmanager
def row_locked(model, pk):
    """Hold ``SELECT ... FOR UPDATE`` on one row in another connection (a thread) until
    ``release_lock()`` or the end of the block."""
    _release.clear()
    locked = threading.Event()

    def hold():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                locked.set()
                _release.wait(timeout=120)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        yield
    finally:
        _release.set()
        thread.join(timeout=30)


def wait_for(predicate, *, timeout=60, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def run_status(run):
    return PayrollRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()


def employees_paid_once(period, employee_ids):
    """Each employee has exactly one payslip for the period, in a paid run."""
    paid = list(
        Payslip.objects.filter(period=period, run__status=PayrollRun.Status.PAID).values_list(
            "employee_id", flat=True
        )
    )
    assert sorted(paid) == sorted(employee_ids)
    assert Payslip.objects.filter(period=period).count() == len(employee_ids)


def approve_and_pay(run, approver):
    payday_run_approve(run=run, user=approver)
    payday_run_pay(run=run, user=approver)
    assert run_status(run) == PayrollRun.Status.PAID


@pytest.mark.django_db(transaction=True)
def test_killed_delivery_after_its_chunk_committed_still_finishes_the_run(
    clerks, monkeypatch, settings, tmp_path
):
    """The pool child dies (SIGKILL) right after its chunk committed, before it finished the
    run. The message comes back (acks_late, reject on worker lost); its second delivery finds
    the chunk done and finishes the run, which no longer stays "calculating" for ever."""
    calculator, approver = clerks
    schedule = payroll_setup()
    monkeypatch.setattr(payday, "CHUNK_SIZE", 2)
    ids = [profile(schedule, salary="3000.00", iban_index=i).employee_id for i in range(3)]
    flag = tmp_path / "killed-once"
    real_finish = payday._run_finish_if_done

    def finish_or_die(run_id):
        if not flag.exists():
            flag.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)  # after the chunk's COMMIT
        return real_finish(run_id)

    monkeypatch.setattr(payday, "_run_finish_if_done", finish_or_die)
    with real_worker(tmp_path):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
        wait_for(
            lambda: run_status(run) == PayrollRun.Status.CALCULATED,
            timeout=90,
            what="the run to finish after a killed delivery",
        )
    assert flag.exists()  # a child really died
    assert PayrollChunk.objects.filter(run=run, status=PayrollChunk.Status.DONE).count() == 2
    assert Payslip.objects.filter(run=run).count() == 3
    approve_and_pay(run, approver)
    employees_paid_once(run.period, ids)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", ["soft time limit", "lock timeout"])
def test_chunk_waiting_on_a_lock_is_recorded_and_delivered_again(clerks, settings, tmp_path, limit):
    """A chunk waits on an employee row that another transaction holds. Either its soft time
    limit fires inside the lock wait (the connection is then unusable) or the lock wait times
    out. The attempt is recorded on a fresh connection, the progress page says so, and once
    the lock is gone the chunk is delivered again and the run finishes."""
    calculator, approver = clerks
    schedule = payroll_setup()
    ids = [profile(schedule, salary="3000.00", iban_index=i).employee_id for i in range(3)]
    settings.PAYROLL_CHUNK_RETRY_SECONDS = 1
    settings.PAYROLL_CHUNK_MAX_ATTEMPTS = 5
    if limit == "soft time limit":
        settings.PAYROLL_CHUNK_SOFT_TIME_LIMIT, settings.PAYROLL_CHUNK_TIME_LIMIT = 2, 20
        settings.PAYROLL_CHUNK_LOCK_TIMEOUT = 30
        expected_error = ("took longer than its time limit of 2 s",)
    else:
        settings.PAYROLL_CHUNK_LOCK_TIMEOUT = 1
        expected_error = ("waited longer than 1 s for a lock held by other work",)

    with real_broker(tmp_path):
        # The run starts; its chunk message waits in the broker for a worker.
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
        chunk = run.chunks.get()
        # Another transaction changes an employee (FOR UPDATE blocks the key share lock the
        # payslip insert needs) while the worker takes the chunk.
        with row_locked(Employee, ids[1]), worker():
            wait_for(
                lambda: PayrollChunk.objects.filter(pk=chunk.pk, attempts__gte=1).exists(),
                timeout=60,
                what="a failed attempt to be recorded",
            )
            chunk.refresh_from_db()
            assert any(text in chunk.error for text in expected_error), chunk.error
            assert chunk.status == PayrollChunk.Status.PENDING
            progress = payday.payday_progress(run=run)
            assert progress["status"] == PayrollRun.Status.CALCULATING
            assert "tried again" in progress["quiet_text"]
            release_lock()
            wait_for(
                lambda: run_status(run) == PayrollRun.Status.CALCULATED,
                timeout=60,
                what="the run to finish once the lock is released",
            )
    assert not PayslipError.objects.filter(run=run).exists()
    approve_and_pay(run, approver)
    employees_paid_once(run.period, ids)


@pytest.mark.django_db(transaction=True)
def test_over_long_name_is_one_payslip_error_and_the_others_are_paid(clerks, tmp_path):
    """An employee whose name (the derived account holder) is longer than a bank transfer
    allows used to sink the whole chunk with a database error naming nobody. Now it is a
    payslip error naming that employee; the rest of the chunk is written. The approvers hear
    nothing while the run cannot be approved; after the fix (a pay-profile change that a second
    person approves) and "calculate again", everyone is paid once."""
    calculator, approver = clerks
    schedule = payroll_setup()
    ids = [profile(schedule, salary="3000.00", iban_index=i).employee_id for i in range(3)]
    long_named = profile(
        schedule,
        salary="3100.00",
        iban_index=3,
        employee=EmployeeFactory(first_name=LONG_FIRST, last_name=LONG_LAST),
    )
    ids.append(long_named.employee_id)
    period = period_for(schedule)

    with real_worker(tmp_path):
        run = payday_run_calculate(period=period, user=calculator)
        wait_for(lambda: run_status(run) == PayrollRun.Status.CALCULATED, what="calculation")
        error = PayslipError.objects.get(run=run)
        assert error.employee_id == long_named.employee_id
        assert "The name has 74 characters; a bank transfer allows 70" in error.message
        assert Payslip.objects.filter(run=run).count() == 3
        # The approvers are not told of a run they cannot approve; the clerk is.
        assert not Notification.objects.filter(user=approver).exists()
        assert Notification.objects.filter(user=calculator, subject__contains="1 error").exists()
        with pytest.raises(PaydayRefused):
            payday_run_approve(run=run, user=approver)

        # The fix goes through four eyes like every bank-detail change.
        change = pay_profile_change_request(
            profile=long_named, user=calculator, account_holder="M. von Hohenzollern"
        )
        pay_profile_change_approve(change=change, user=approver)
        assert PayProfile.objects.get(pk=long_named.pk).account_holder == "M. von Hohenzollern"

        run = payday.payday_run_recalculate(run=run, user=calculator)
        wait_for(lambda: run_status(run) == PayrollRun.Status.CALCULATED, what="recalculation")
    assert not PayslipError.objects.filter(run=run).exists()
    assert (
        Notification.objects.filter(user=approver, subject__contains="waits for approval").count()
        == 1
    )
    approve_and_pay(run, approver)
    employees_paid_once(period, ids)
    slip = Payslip.objects.get(run=run, employee_id=long_named.employee_id)
    assert slip.account_holder == "M. von Hohenzollern"


# --- Without a worker: the rules themselves --------------------------------------------------


@pytest.mark.django_db
def test_second_start_and_offcycle_never_pay_anyone_twice(
    clerks, django_capture_on_commit_callbacks
):
    """A regular run that exists refuses a second start (naming it); an off-cycle run for the
    same period must name its employees and refuses those the regular run pays; a late hire
    paid off-cycle is left out of the regular run. Everyone ends paid once."""
    calculator, approver = clerks
    schedule = payroll_setup()
    period = period_for(schedule)
    staff = [profile(schedule, salary="3000.00", iban_index=i).employee_id for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        regular = payday_run_calculate(period=period, user=calculator)
    with pytest.raises(PaydayRefused) as again:
        payday_run_calculate(period=period, user=calculator)
    assert f" {regular.pk}, " in str(again.value)

    with pytest.raises(PaydayRefused) as unnamed:
        payday_run_calculate(period=period, user=calculator, kind=PayrollRun.Kind.OFF_CYCLE)
    assert "name at least one" in str(unnamed.value)
    with pytest.raises(PaydayRefused) as twice:
        payday_run_calculate(
            period=period, user=calculator, kind=PayrollRun.Kind.OFF_CYCLE, employee_ids=staff
        )
    assert "never pays again" in str(twice.value)

    late = profile(schedule, salary="2000.00", iban_index=5).employee_id
    with django_capture_on_commit_callbacks(execute=True):
        offcycle = payday_run_calculate(
            period=period, user=calculator, kind=PayrollRun.Kind.OFF_CYCLE, employee_ids=[late]
        )
    assert list(Payslip.objects.filter(run=offcycle).values_list("employee_id", flat=True)) == [
        late
    ]
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_pay(offcycle, approver)
    with django_capture_on_commit_callbacks(execute=True):
        # The regular run, calculated again, leaves out whom the off-cycle run paid.
        regular = payday.payday_run_recalculate(run=regular, user=calculator)
    assert late not in Payslip.objects.filter(run=regular).values_list("employee_id", flat=True)
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_pay(regular, approver)
    employees_paid_once(period, [*staff, late])


@pytest.mark.django_db
def test_the_database_refuses_a_second_payslip_for_a_paid_period(clerks, schedule_paid_once):
    """Backed by a unique constraint: one payslip that pays a period per employee."""
    from django.db import IntegrityError

    run, slip = schedule_paid_once
    other = PayrollRun.objects.create(period=run.period, kind=PayrollRun.Kind.OFF_CYCLE)
    chunk = PayrollChunk.objects.create(run=other, index=0, employee_ids=[slip.employee_id])
    with pytest.raises(IntegrityError), transaction.atomic():
        Payslip.objects.create(
            run=other,
            chunk=chunk,
            period=run.period,
            employee_id=slip.employee_id,
            department_id=slip.department_id,
            pay_method="deposit",
            gross=Decimal("1.00"),
            deductions=Decimal("0.00"),
            net=Decimal("1.00"),
            employer_contributions=Decimal("0.00"),
        )


@pytest.fixture
def schedule_paid_once(clerks, django_capture_on_commit_callbacks):
    calculator, approver = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_pay(run, approver)
    return run, Payslip.objects.get(run=run)


@pytest.mark.django_db
def test_watchdog_resumes_a_stalled_run_once_then_fails_it_and_tells_the_clerk(
    clerks, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A run whose chunk message was lost sits at "calculating". After the stall time the beat
    watchdog queues what is not done and tells the clerk; when nothing moves after that either,
    it fails the run with a message; the progress says nothing moved."""
    calculator, _ = clerks
    settings.PAYROLL_STALL_MINUTES = 10
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=False):  # the chunk message is lost
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    now = payday.timezone.now()
    assert payday.payday_watchdog(now=now) == {"resumed": 0, "failed": 0}  # not stalled yet
    later = now + datetime.timedelta(minutes=11)
    sent = []
    monkeypatch.setattr(payday, "_chunk_send", lambda chunk_id, **kw: sent.append(chunk_id))
    with django_capture_on_commit_callbacks(execute=True):  # and lost once more
        assert payday.payday_watchdog(now=later) == {"resumed": 1, "failed": 0}
    assert sent == [run.chunks.get().pk]  # the chunk was queued again
    monkeypatch.undo()
    assert Notification.objects.filter(user=calculator, subject__contains="resumed").exists()
    PayrollRun.objects.filter(pk=run.pk).update(updated_at=later)
    even_later = later + datetime.timedelta(minutes=11)
    assert payday.payday_watchdog(now=even_later) == {"resumed": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.FAILED
    assert "automatic resume" in run.error
    assert Notification.objects.filter(user=calculator, subject__contains="stalled").exists()
    assert payday.payday_watchdog(now=even_later) == {"resumed": 0, "failed": 0}  # once
    # The clerk resumes by hand once the workers run again; the run then finishes.
    with django_capture_on_commit_callbacks(execute=True):
        payday.payday_run_resume(run=run, user=calculator)
    assert run_status(run) == PayrollRun.Status.CALCULATED


@pytest.mark.django_db
def test_progress_says_when_nothing_has_moved(clerks, settings, django_capture_on_commit_callbacks):
    calculator, _ = clerks
    settings.PAYROLL_PROGRESS_QUIET_SECONDS = 60
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=False):
        run = payday_run_calculate(period=period_for(schedule), user=calculator)
    assert payday.payday_progress(run=run)["quiet"] is False
    past = payday.timezone.now() - datetime.timedelta(minutes=3)
    PayrollRun.objects.filter(pk=run.pk).update(updated_at=past, calculation_started_at=past)
    run.refresh_from_db()
    progress = payday.payday_progress(run=run)
    assert progress["quiet"] is True
    assert "Nothing has moved for 3 minutes" in progress["quiet_text"]


@pytest.mark.django_db(transaction=True)
def test_finishing_lock_does_not_block_a_chunk_writing_payslips(clerks):
    """The run lock taken to finish a run (FOR NO KEY UPDATE) does not conflict with the key
    share lock a payslip insert takes on its run: a chunk commits while the run is locked."""
    import threading

    calculator, _ = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    run = PayrollRun.objects.create(period=period_for(schedule))
    done = threading.Event()

    def insert_key_share():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
                cursor.execute(
                    f"SELECT id FROM {PayrollRun._meta.db_table} WHERE id = %s FOR KEY SHARE",
                    [run.pk],
                )
            done.set()
        finally:
            connection.close()

    with transaction.atomic():
        payday._run_locked(run.pk)
        thread = threading.Thread(target=insert_key_share)
        thread.start()
        thread.join(timeout=10)
    assert done.is_set()


@pytest.mark.django_db(transaction=True)
def test_calculate_again_and_resume_from_the_run_page(client, clerks):
    """Without a wrapping transaction: a second Calculate on the dashboard is refused with a
    message naming the run; "Calculate again" needs its confirmation; Resume queues what is
    not done. (Chunks run eagerly here.)"""
    calculator, _ = clerks
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    period = period_for(schedule)
    client.force_login(calculator)
    response = client.post(reverse("payroll:run_calculate"), {"period": period.pk}, follow=True)
    run = PayrollRun.objects.get(period=period)
    assert run_status(run) == PayrollRun.Status.CALCULATED
    first_slip = Payslip.objects.get(run=run).pk

    response = client.post(reverse("payroll:run_calculate"), {"period": period.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("payroll:run_detail", args=[run.pk])
    assert "already has a regular run" in response.content.decode()
    assert Payslip.objects.get(run=run).pk == first_slip  # nothing recomputed

    response = client.post(reverse("payroll:run_recalculate", args=[run.pk]), follow=True)
    assert Payslip.objects.get(run=run).pk == first_slip  # not confirmed: nothing happens
    assert "Confirm that the run&#x27;s payslips are to be replaced" in response.content.decode()
    response = client.post(
        reverse("payroll:run_recalculate", args=[run.pk]), {"confirm": "yes"}, follow=True
    )
    assert Payslip.objects.get(run=run).pk != first_slip
    assert run_status(run) == PayrollRun.Status.CALCULATED

    PayrollRun.objects.filter(pk=run.pk).update(status=PayrollRun.Status.FAILED, error="x")
    response = client.post(reverse("payroll:run_resume", args=[run.pk]), follow=True)
    assert response.status_code == 200
    assert run_status(run) == PayrollRun.Status.CALCULATED
    assert Payslip.objects.filter(run=run).count() == 1
