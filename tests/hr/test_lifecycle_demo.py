"""Lifecycle demo data and the daily transfer task's place in the beat schedule."""

import pytest

from backoffice.celery import app as celery_app
from hr import tasks
from hr.demo import seed_hr
from hr.demo_lifecycle import seed_lifecycle
from hr.models import Checklist, EmploymentChange, Termination

pytestmark = pytest.mark.django_db


def test_demo_seeds_checklists_transfers_and_terminations_once():
    seed_hr(employees=80)
    seed_lifecycle(employees=80)
    counts = (
        Checklist.objects.filter(kind="onboarding").count(),
        Checklist.objects.filter(kind="offboarding").count(),
        EmploymentChange.objects.count(),
        EmploymentChange.objects.filter(applied_at__isnull=True).count(),
        Termination.objects.count(),
    )
    assert counts == (4, 3, 3, 1, 3)
    # In progress: some items ticked, none complete.
    assert not Checklist.objects.filter(completed_at__isnull=False).exists()
    seed_lifecycle(employees=80)
    assert Checklist.objects.count() == 7 and EmploymentChange.objects.count() == 3


def test_transfers_are_applied_daily_by_beat():
    entry = celery_app.conf.beat_schedule["hr-transfers-apply-due"]
    assert entry["task"] == "hr.tasks.transfers_apply_due"
    assert tasks.transfers_apply_due.name == entry["task"]
