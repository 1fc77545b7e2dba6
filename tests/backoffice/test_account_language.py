"""A user's chosen language follows them: logging in switches the interface to it (the
language cookie, as the language switch sets it), and the security page lets them choose it
(kept through backoffice.services.user_language_set, like the header's switch). Outside the
test transaction: the preference is written by a service that locks its row."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from backoffice.models import UserPreference
from backoffice.services import user_language_set

pytestmark = pytest.mark.django_db(transaction=True)

COOKIE = settings.LANGUAGE_COOKIE_NAME


def log_in(client, user, password, *, browser: str = "de"):
    return client.post(
        reverse("login"),
        {"username": user.username, "password": password},
        headers={"accept-language": browser},
    )


# --- Login -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("browser", "chosen"), [("de", "en"), ("en", "de")])
def test_logging_in_switches_to_the_chosen_language(client, make_user, password, browser, chosen):
    """On a new device (a browser in the other language, no cookie), the first page after the
    login is in the language the user chose."""
    user = make_user()
    user_language_set(user=user, language=chosen)

    response = log_in(client, user, password, browser=browser)

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == chosen
    page = client.get(reverse("security"), headers={"accept-language": browser})
    assert page["Content-Language"] == chosen
    title = {"en": "<h1>Security</h1>", "de": "<h1>Sicherheit</h1>"}[chosen]
    assert title in page.content.decode()


def test_a_user_who_never_chose_keeps_the_cookies_language(client, make_user, password):
    user = make_user()
    client.cookies[COOKIE] = "en"

    response = log_in(client, user, password, browser="de")

    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert client.get(reverse("security"))["Content-Language"] == "en"
    assert not UserPreference.objects.filter(user=user).exists()


def test_a_failed_login_sets_no_language(client, make_user):
    user = make_user()
    user_language_set(user=user, language="en")

    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})

    assert response.status_code == 200
    assert COOKIE not in response.cookies


# --- The security page -----------------------------------------------------------------------


def test_the_security_page_offers_the_languages_with_the_chosen_one_selected(client, make_user):
    user = make_user()
    user_language_set(user=user, language="en")
    client.force_login(user)

    page = client.get(reverse("security"), headers={"accept-language": "de"}).content.decode()

    assert f'action="{reverse("account_language")}"' in page
    assert '<option value="en" selected>' in page
    assert '<option value="de">' in page


@pytest.mark.parametrize(("before", "chosen"), [("de", "en"), ("en", "de")])
def test_choosing_a_language_on_the_security_page(client, make_user, before, chosen):
    """Kept as the preference (mail and the next login use it) and the pages follow at once,
    saying so in the new language."""
    user = make_user()
    user_language_set(user=user, language=before)
    client.force_login(user)
    client.cookies[COOKIE] = before

    response = client.post(reverse("account_language"), {"language": chosen})

    assert response.status_code == 302
    assert response["Location"] == reverse("security")
    assert response.cookies[COOKIE].value == chosen
    assert UserPreference.objects.get(user=user).language == chosen
    page = client.get(reverse("security"))
    assert page["Content-Language"] == chosen
    said = {"en": "Your language is now English.", "de": "Ihre Sprache ist jetzt Deutsch."}
    assert said[chosen] in page.content.decode()
    assert f'<option value="{chosen}" selected>' in page.content.decode()


@pytest.mark.parametrize("language", ["xx", "", "e" * 300, "en\x00"])
def test_an_unknown_language_is_refused_and_changes_nothing(client, make_user, language):
    """Bad input: a clear message (or the friendly 400 for a control character), no cookie,
    nothing stored, never a 500."""
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("account_language"), {"language": language})

    assert response.status_code in (302, 400)
    assert COOKIE not in response.cookies
    assert not UserPreference.objects.filter(user=user).exists()
    if response.status_code == 302:
        page = client.get(reverse("security"), headers={"accept-language": "en"})
        assert "Choose one of the languages offered." in page.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.post(reverse("account_language"), {"language": "en"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert COOKIE not in response.cookies
    assert not UserPreference.objects.exists()


def test_the_security_pages_language_form_takes_posts_only(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("account_language") + "?language=en").status_code == 405
    assert not UserPreference.objects.exists()


def test_logging_in_through_the_admin_switches_to_the_chosen_language(make_user, password):
    """Every login, not only our login page's: the admin's sets the cookie too."""
    from django.test import Client

    user = make_user(is_staff=True, is_superuser=True)
    user_language_set(user=user, language="en")
    client = Client(headers={"accept-language": "de"})

    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": password}
    )

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
