import os

import pytest
from django.core import mail
from django.utils import translation

from backoffice.services import user_roles_set
from tests.backoffice.clients import TwoFactorClient
from tests.hr.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.mail_checks import relative_links

pytest_plugins = ["tests.browser_fixtures"]

# Playwright's sync API runs an event loop in the test thread; the browser tests only talk to
# the app through live_server, so Django's async-safety guard may stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "secret-Passw0rd!"


@pytest.fixture(autouse=True)
def english():
    """Tests assert on the English source texts: services run in English, and the test client
    asks for English. The German default and its translations have their own tests
    (tests/backoffice/test_i18n.py and the browser tests)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def mail_links_are_absolute():
    """Whatever a test makes the project mail, no link in it is a bare path: links in mail are
    absolute (backoffice.mail.mail_link, tests/backoffice/test_mail_links.py)."""
    yield
    for message in getattr(mail, "outbox", []):
        assert relative_links(message.body) == [], f"relative link in mail: {message.body}"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (the compliance summary, say, is cached)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def client():
    return TwoFactorClient(headers={"accept-language": "en"})


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's admin client, with the superuser's second factor passed."""
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.force_login(admin_user)
    return client


@pytest.fixture
def make_user(db):
    """A login with the given roles, linked to an employee of ``department`` (or a new one)."""

    def make(*roles, department=None, employee=True, **user_kwargs):
        user = UserFactory(**user_kwargs)
        if roles:
            user_roles_set(user=user, roles=roles)
        if employee:
            EmployeeFactory(
                user=user,
                department=department or DepartmentFactory(),
                first_name=user.username.title(),
            )
        return user

    return make


@pytest.fixture
def password():
    return PASSWORD
