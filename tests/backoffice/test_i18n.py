import datetime

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from backoffice import roles

pytestmark = pytest.mark.django_db


def test_german_is_the_default_and_english_is_one_click_away(make_user):
    client = Client()  # a browser that states no language preference
    client.force_login(make_user(roles.STAFF))
    page = client.get("/").content.decode()
    assert "Abmelden" in page
    assert 'lang="de"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Log out" in page
    assert "Abmelden" not in page


def test_every_german_message_is_translated():
    """The German catalogue has no untranslated or fuzzy entry."""
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.LOCALE_PATHS[0] / "de/LC_MESSAGES/django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_dates_follow_the_locale():
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }}')
    day = datetime.date(2026, 11, 26)
    with translation.override("de"):
        assert template.render(Context({"day": day})) == "26.11.2026"
    with translation.override("en"):
        assert template.render(Context({"day": day})) == "26/11/2026"
