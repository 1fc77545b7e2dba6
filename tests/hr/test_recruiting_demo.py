"""Recruiting demo data (issue #10): openings in several departments, about fifty applicants
across the stages with PDF resumes that pass the resume checks; seeded once."""

from pathlib import Path

import pytest

from backoffice.registry import seeders
from hr.demo import seed_hr
from hr.demo_recruiting import APPLICANTS, seed_recruiting
from hr.models import Application, Opening
from hr.recruiting_resumes import resume_inspect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def test_demo_seeds_openings_and_applicants_with_resumes_once(private_root):
    assert "hr_recruiting" in {s.name for s in seeders()}
    seed_hr(employees=40)
    seed_recruiting(employees=40)
    assert Opening.objects.values("department").distinct().count() >= 4
    assert Application.objects.count() == APPLICANTS
    assert Application.objects.values("stage").distinct().count() >= 4
    sample = Application.objects.first()
    data = (Path(private_root) / sample.resume.name).read_bytes()
    assert resume_inspect(data).content_type == "application/pdf"
    assert len({a.resume.name for a in Application.objects.all()}) == APPLICANTS
    seed_recruiting(employees=40)
    assert Application.objects.count() == APPLICANTS and Opening.objects.count() == 5
