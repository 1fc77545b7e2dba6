"""Run the web server, the Celery workers and Celery beat together until interrupted."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from backoffice.celery import WORKERS


def worker_command(python: str, name: str) -> list[str]:
    """A Celery worker for one entry of ``WORKERS``: payday chunks get a worker of their own,
    so a Calculate starts at once even while the other worker renders PDFs. Each worker has
    its own node name (two workers on one host)."""
    return [
        python, "-m", "celery", "-A", "backoffice", "worker", "--loglevel", "INFO",
        "--hostname", f"{name}@%h", "--queues", ",".join(WORKERS[name]),
        "--concurrency", "2", "--pool", "prefork",
    ]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Start web (runserver), the Celery workers (payday; default and bulk) and Celery beat; "
        "stop all on Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        python = sys.executable
        var = settings.BASE_DIR / "var"
        var.mkdir(exist_ok=True)
        if not settings.REDIS_URL:
            for key in ("data_folder_in", "control_folder"):
                os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
            self.stdout.write(
                "REDIS_URL is unset: Celery uses kombu's filesystem transport under var/celery "
                "(no broker server needed)."
            )
        else:
            self.stdout.write(f"Celery broker: {settings.REDIS_URL}")
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            **{name: worker_command(python, name) for name in WORKERS},
            "beat": [
                python, "-m", "celery", "-A", "backoffice", "beat", "--loglevel", "INFO",
                "--schedule", str(var / "celerybeat-schedule"),
            ],
        }  # fmt: skip
        procs = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
            for name, cmd in commands.items()
        }
        self.stdout.write(f"Backoffice runs at http://{addr}/ (Ctrl-C stops web, workers, beat).")

        def stop(*_args):
            for proc in procs.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with {proc.returncode}; stopping the rest.")
                    stop()
            time.sleep(1)
