"""Payday never waits behind other work: payday chunks go to a queue of their own that a
worker of its own serves (``manage.py runall`` and docker-compose start it), PDFs to "bulk",
mail and the rest to "default"."""

import time
from pathlib import Path

import pytest
import yaml
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.conf import settings
from django.db import close_old_connections

from backoffice import roles
from backoffice.celery import WORKERS, app
from backoffice.management.commands.runall import worker_command
from payroll.models import PayrollRun
from payroll.services.payday import payday_run_calculate
from payroll.tasks import cheques_pdf_render
from tests.payroll.factories import payroll_setup, period_for, profile

EXPECTED_QUEUE = {
    "payroll.tasks.payroll_chunk_calculate": "payday",
    "payroll.tasks.payday_watchdog": "payday",
    "payroll.tasks.payslip_pdfs_render": "bulk",
    "payroll.tasks.cheques_pdf_render": "bulk",
    "payroll.tasks.payday_after_pay": "default",
    "backoffice.tasks.notification_mail_send": "default",
    "backoffice.tasks.notification_mail_send_pending": "default",
    "accounting.tasks.budgets_check": "default",
    "accounting.tasks.audit_run": "default",
    "hr.tasks.training_reminders_send": "default",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(("task", "queue"), sorted(EXPECTED_QUEUE.items()))
def test_each_task_goes_to_its_queue(task, queue):
    assert task in app.tasks, f"{task} is not a registered task"
    assert queue_of(task) == queue


def test_every_project_task_lands_on_a_queue_some_worker_serves():
    """A new task routed to a queue nobody consumes would wait for ever."""
    served = {queue for queues in WORKERS.values() for queue in queues}
    declared = {queue.name for queue in app.conf.task_queues}
    assert served == declared == {"payday", "default", "bulk"}
    project = [name for name in app.tasks if not name.startswith("celery.")]
    assert project
    for name in project:
        assert queue_of(name) in served, name


def test_runall_starts_a_payday_worker_and_a_worker_for_the_rest():
    commands = {name: worker_command("python", name) for name in WORKERS}
    assert commands["payday"][commands["payday"].index("--queues") + 1] == "payday"
    assert commands["worker"][commands["worker"].index("--queues") + 1] == "default,bulk"
    # Two workers on one host need two node names.
    names = {cmd[cmd.index("--hostname") + 1] for cmd in commands.values()}
    assert len(names) == len(commands)


def test_compose_starts_the_same_workers():
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    consumed = {}
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command[:1] == ["celery"] and "worker" in command:
            consumed[name] = tuple(command[command.index("--queues") + 1].split(","))
            assert "healthcheck" in service, name
    assert sorted(consumed.values()) == sorted(WORKERS.values())


@pytest.fixture(params=["filesystem", "redis"])
def payday_worker(request, tmp_path):
    """A real worker in a thread that consumes what runall's payday worker consumes, through
    the filesystem broker of `make run` (in ``tmp_path``) and through Redis (when REDIS_URL is
    set, as in production). The queue selection is kept on the app: restored afterwards."""
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping

    conf = app.conf
    saved = (conf.broker_url, dict(conf.broker_transport_options or {}))
    if request.param == "redis":
        if not conf.broker_url.startswith("redis"):
            pytest.skip("REDIS_URL is not set")
    else:
        folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir()
        conf.broker_url = "filesystem://localhost//"
        conf.broker_transport_options = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
        }
        _connections_drop()
    queues = app.amqp.queues
    consume_from = queues._consume_from
    conf.task_always_eager = False
    _purge("payday", "bulk")
    try:
        with start_worker(
            app,
            pool="solo",
            queues=list(WORKERS["payday"]),
            perform_ping_check=False,
            shutdown_timeout=10,
        ):
            yield
    finally:
        _purge("payday", "bulk")
        queues._consume_from = consume_from
        conf.task_always_eager = True
        if conf.broker_url != saved[0]:
            conf.broker_url, conf.broker_transport_options = saved
            _connections_drop()


def _connections_drop():
    """Forget the connection pools made for the other transport."""
    app._pool = None
    app.amqp._producer_pool = None


def _purge(*names):
    with app.connection_for_write() as conn:
        for name in names:
            conn.default_channel.queue_purge(name)


def _waiting(name: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=name, passive=True).message_count


@pytest.mark.django_db(transaction=True)
def test_a_calculation_is_done_while_a_backlog_of_pdfs_waits(make_user, payday_worker):
    """Fifty PDF messages are queued before Calculate; the payday worker calculates the run
    while all fifty still wait on the bulk queue (they are another worker's). With one worker
    for every queue this is not so on the filesystem broker: kombu's virtual transports take
    from a worker's queues in turn (round-robin), whatever the -Q order."""

    schedule = payroll_setup()
    for i in range(3):
        profile(schedule, salary="3000.00", iban_index=i)
    ran: list[str] = []

    def record(sender=None, **_kwargs):
        ran.append(sender.name)

    task_prerun.connect(record, weak=False)
    for _ in range(50):
        cheques_pdf_render.delay(0)
    assert _waiting("bulk") == 50
    run = payday_run_calculate(period=period_for(schedule), user=make_user(roles.PAYROLL_CLERK))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        close_old_connections()
        if PayrollRun.objects.get(pk=run.pk).status == PayrollRun.Status.CALCULATED:
            break
        time.sleep(0.2)
    assert PayrollRun.objects.get(pk=run.pk).status == PayrollRun.Status.CALCULATED
    task_prerun.disconnect(record)
    assert run.payslips.count() == 3
    assert _waiting("bulk") == 50
    # The payday worker ran the run's chunk and nothing else: no copy of a PDF message
    # reached its queue (queues sharing an exchange and key would each get every message).
    assert set(ran) == {"payroll.tasks.payroll_chunk_calculate"}


@pytest.mark.django_db(transaction=True)
def test_with_redis_the_general_worker_takes_mail_before_pdfs():
    """docker-compose's `worker` consumes default,bulk. With the broker options of our settings
    it takes whatever waits on "default" (mail) before "bulk" (PDFs), not turn about."""
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping

    from backoffice.settings import base
    from backoffice.tasks import notification_mail_send

    conf = app.conf
    if not conf.broker_url.startswith("redis"):
        pytest.skip("REDIS_URL is not set")
    saved = dict(conf.broker_transport_options or {})
    conf.broker_transport_options = dict(base.CELERY_BROKER_TRANSPORT_OPTIONS)
    _connections_drop()
    consume_from = app.amqp.queues._consume_from
    conf.task_always_eager = False
    ran: list[str] = []

    def record(sender=None, **_kwargs):
        ran.append(sender.name.rsplit(".", 1)[1])

    task_prerun.connect(record, weak=False)
    try:
        _purge("default", "bulk")
        for _ in range(3):
            cheques_pdf_render.delay(0)
        for _ in range(3):
            notification_mail_send.delay([])
        with start_worker(
            app,
            pool="solo",
            queues=list(WORKERS["worker"]),
            perform_ping_check=False,
            shutdown_timeout=10,
        ):
            deadline = time.monotonic() + 30
            while len(ran) < 6 and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        task_prerun.disconnect(record)
        _purge("default", "bulk")
        app.amqp.queues._consume_from = consume_from
        conf.task_always_eager = True
        conf.broker_transport_options = saved
        _connections_drop()
    assert ran == ["notification_mail_send"] * 3 + ["cheques_pdf_render"] * 3
