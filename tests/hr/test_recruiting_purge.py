"""Deletion after six months (issue #10, item 7): the beat task deletes rejected applicants'
records and resumes when their keeping time has run out, keeps consenting applicants until
their date, logs counts without personal data, and a second run changes nothing."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from backoffice.celery import app as celery_app
from hr.models import Application
from hr.tasks import recruiting_applications_purge
from tests.hr.recruiting_helpers import ApplicationFactory, files_under, rejected

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def test_the_purge_is_declared_in_the_beat_schedule():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "hr.tasks.recruiting_applications_purge" in tasks


def test_purge_deletes_records_and_files_and_keeps_consenting_applicants_until_their_date(
    private_root, caplog
):
    due = rejected(
        ApplicationFactory(with_file=True, name="Due Person", email="due@example.org"),
        days_ago=190,
    )
    recent = rejected(ApplicationFactory(with_file=True), days_ago=150)
    consenting = rejected(ApplicationFactory(with_file=True), days_ago=400, consent_months=24)
    consent_over = rejected(ApplicationFactory(with_file=True), days_ago=800, consent_months=24)
    open_old = ApplicationFactory(with_file=True, submitted_at=timezone.now() - timedelta(days=900))
    linked = ApplicationFactory(email="due@example.org", duplicate_of=due)
    assert len(files_under(private_root)) == 5

    with caplog.at_level(logging.INFO, logger="hr.services.recruiting"):
        assert recruiting_applications_purge() == 2

    remaining = set(Application.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, consenting.pk, open_old.pk, linked.pk}
    assert len(files_under(private_root)) == 3
    linked.refresh_from_db()
    assert linked.duplicate_of is None
    log = caplog.text
    assert "2 rejected applications" in log
    assert "Due Person" not in log and "due@example.org" not in log

    assert recruiting_applications_purge() == 0  # idempotent
    assert len(files_under(private_root)) == 3

    # The consenting applicant goes once their 24 months have passed.
    later = timezone.now() + timedelta(days=24 * 31 - 400 + 1)
    from hr.services.recruiting import applications_purge

    assert applications_purge(now=later) >= 1
    assert not Application.objects.filter(pk=consenting.pk).exists()
    assert consent_over.pk not in set(Application.objects.values_list("pk", flat=True))
