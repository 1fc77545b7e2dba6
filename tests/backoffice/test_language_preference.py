"""The language switch remembers a signed-in user's choice (backoffice.UserPreference), so
documents rendered for them later without a request (payslips, cheques) use it. Outside the
test transaction: the preference is written by a service that locks its row."""

import pytest
from django.conf import settings
from django.urls import reverse

from backoffice.models import UserPreference

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_switch_keeps_a_signed_in_users_choice(client, make_user):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert UserPreference.objects.get(user=user).language == "en"
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert UserPreference.objects.get(user=user).language == "de"
    assert UserPreference.objects.filter(user=user).count() == 1


def test_an_anonymous_switch_stores_nothing(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert not UserPreference.objects.exists()


@pytest.mark.parametrize("language", ["xx", "", "en\x00", "e" * 300])
def test_an_unknown_language_changes_nothing(client, make_user, language):
    """Bad input: the usual redirect, no cookie, nothing stored, never a 500."""
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code in (302, 400)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert not UserPreference.objects.filter(user=user).exists()


def test_the_switch_takes_posts_only(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("set_language") + "?language=en").status_code == 405
    assert not UserPreference.objects.exists()
