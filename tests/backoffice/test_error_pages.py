"""Issue 9, item 7: the 400, 403, 404 and 500 pages use the site's layout in the user's
language; the 500 page needs no database."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.views.defaults import server_error

from backoffice import roles
from backoffice.views import bad_request
from tests.backoffice.clients import TwoFactorClient

pytestmark = pytest.mark.django_db


def german(user) -> TwoFactorClient:
    client = TwoFactorClient(headers={"accept-language": "de"})
    client.force_login(user)
    return client


def test_not_found_is_german_with_the_layout(make_user):
    """A signed-in German reader gets the site's header (navigation, inbox, log out) and a
    German explanation, not Django's bare "Not Found"."""
    response = german(make_user(roles.STAFF)).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Seite nicht gefunden" in page
    assert 'class="topbar"' in page and "Abmelden" in page
    assert 'lang="de"' in page
    assert "Not Found" not in page


def test_forbidden_is_german_with_the_layout(make_user):
    """Staff asking for the hours approval (a department head's page) are refused with the
    site's layout in German."""
    response = german(make_user(roles.STAFF)).get("/payroll/hours/approve/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Zugriff verweigert" in page
    assert 'class="topbar"' in page and "Abmelden" in page
    assert "403 Forbidden" not in page


def test_forbidden_in_english_for_an_english_reader(make_user):
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.force_login(make_user(roles.STAFF))
    page = client.get("/payroll/hours/approve/").content.decode()
    assert "Access denied" in page and "Log out" in page


def test_server_error_page_needs_no_database_and_speaks_german():
    request = RequestFactory().get("/")
    with translation.override("de"), CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    assert len(queries) == 0
    assert response.status_code == 500
    page = response.content.decode()
    assert "Serverfehler" in page and 'class="topbar"' in page


def test_bad_request_page_has_the_layout_without_touching_the_database():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="de")
    with CaptureQueriesContext(connection) as queries:
        response = bad_request(request)
    assert len(queries) == 0
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ungültige Anfrage" in page
    assert 'class="topbar"' in page and 'data-testid="bad-request"' in page
