import pytest
from django.urls import reverse
from django.utils.translation import gettext_noop

from backoffice import roles
from backoffice.services import notify
from backoffice.stored_text import stored

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"


def test_html_in_stored_text_parameters_is_escaped_in_the_inbox(client, make_user):
    user = make_user(roles.STAFF)
    notify(
        users=[user],
        subject=stored(gettext_noop("Used %(used)s of %(amount)s."), used=XSS, amount=XSS),
        body=stored("A msgid not in the catalogue: %(name)s", name=XSS),
    )
    client.force_login(user)
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A msgid not in the catalogue" in html
