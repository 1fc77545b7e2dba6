import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from backoffice.roles import ROLES, user_roles
from hr.models import Department, Employee

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_gives_one_login_per_role(capsys):
    call_command("seed_demo", employees=40)
    out = capsys.readouterr().out
    counts = (
        Department.objects.count(),
        Employee.objects.count(),
        get_user_model().objects.count(),
    )
    assert counts[0] >= 6
    assert counts[1] == 40
    call_command("seed_demo", employees=40)
    assert (
        Department.objects.count(),
        Employee.objects.count(),
        get_user_model().objects.count(),
    ) == counts
    users = get_user_model().objects.filter(is_superuser=False)
    seen_roles = set()
    for user in users:
        seen_roles |= user_roles(user)
        assert user.check_password("demo-Backoffice-2026")
        assert Employee.objects.filter(user=user).exists(), user.username
    assert seen_roles == set(ROLES)
    assert "demo-Backoffice-2026" in out
    assert "staff" in out
    # German names, and every department has a head
    assert not Department.objects.filter(head__isnull=True).exists()


def test_seed_demo_grows_to_a_larger_size():
    call_command("seed_demo", employees=30)
    call_command("seed_demo", employees=60)
    assert Employee.objects.count() == 60
