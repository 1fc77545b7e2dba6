"""Mail is written in its recipient's language (the one their login chose, else the site's
default), never in the language of whoever caused it: a notification, the welcome mail at
hire and the password reset. Outside the test transaction: the mail leaves after commit, and
the preference is written by a service that locks its row."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from backoffice.services import notify, user_language_set
from backoffice.stored_text import stored
from hr.services.lifecycle import welcome_mail_send

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = {
    "en": "Your payslip for 12/2026 is ready",
    "de": "Ihre Entgeltabrechnung für 12/2026 liegt vor",
}
BODY_START = {"en": "Payday is ", "de": "Zahltag ist "}
SOURCE = stored(gettext_noop("Your payslip for %(period)s is ready"), period="12/2026").as_json()


def speaking(make_user, language: str):
    user = make_user()
    if language:
        user_language_set(user=user, language=language)
    return user


def payslip_ready(users) -> None:
    notify(
        users=users,
        subject=stored(gettext_noop("Your payslip for %(period)s is ready"), period="12/2026"),
        body=stored(
            gettext_noop("Payday is %(payday)s. Open your payslips to download the PDF."),
            payday="2026-12-28",
        ),
        link="/payroll/my/payslips/",
    )


def mail_to(user):
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


@pytest.mark.parametrize("writer", ["de", "en"])
def test_a_notification_is_mailed_in_each_recipients_language(make_user, writer):
    """Whoever writes (German or English interface), the English reader gets English mail, the
    German reader German mail, and one who never chose the site's default (German)."""
    english = speaking(make_user, "en")
    german = speaking(make_user, "de")
    undecided = speaking(make_user, "")
    assert settings.LANGUAGE_CODE == "de"

    with translation.override(writer):
        payslip_ready([english, german, undecided])
        assert translation.get_language() == writer  # the writer's language is left alone

    for user, language in ((english, "en"), (german, "de"), (undecided, "de")):
        message = mail_to(user)
        assert message.subject == SUBJECT[language]
        assert message.body.startswith(BODY_START[language]), message.body
        assert message.body.rstrip().endswith("/payroll/my/payslips/")


def test_the_welcome_mail_is_in_the_new_employees_language(make_user):
    """The clerk hires in English; the new login that already chose German gets German, one
    that never chose gets the site's default."""
    german = speaking(make_user, "de")
    undecided = speaking(make_user, "")
    english = speaking(make_user, "en")

    with translation.override("en"):
        for user in (german, undecided):
            welcome_mail_send(user_id=user.pk)
    with translation.override("de"):
        welcome_mail_send(user_id=english.pk)

    assert mail_to(german).subject == "Willkommen: Legen Sie das Passwort Ihres Zugangs fest"
    assert mail_to(undecided).subject == mail_to(german).subject
    assert mail_to(english).subject == "Welcome: set the password of your login"
    assert "Set your password with this link:" in mail_to(english).body


@pytest.mark.parametrize(("browser", "chosen"), [("de", "en"), ("en", "de")])
def test_the_password_reset_mail_is_in_the_account_owners_language(
    client, make_user, browser, chosen
):
    """Whoever asks for the reset (their browser's language), the mail speaks the language the
    account's owner chose."""
    user = speaking(make_user, chosen)

    response = client.post(
        "/accounts/password/reset/", {"email": user.email}, headers={"accept-language": browser}
    )

    assert response.status_code == 302
    with translation.override(chosen):
        expected = gettext("Password reset on %(site_name)s") % {
            "site_name": settings.BACKOFFICE_SITE_NAME
        }
        greeting = gettext("Thanks for using our site!")
    message = mail_to(user)
    assert message.subject == expected
    assert greeting in message.body
    assert ("Password reset" in message.subject) == (chosen == "en")


def test_mailing_in_each_recipients_language_costs_the_same_queries_for_more_recipients(
    make_user,
):
    """The recipients' languages are read with the batch, not one query per recipient."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backoffice.models import Notification
    from backoffice.tasks import notification_mail_send

    def queries_to_mail(count: int) -> int:
        users = [speaking(make_user, ("en", "de", "")[i % 3]) for i in range(count)]
        with translation.override("de"):
            # Written without mail (as if the broker had lost it); mailed by the task below.
            rows = Notification.objects.bulk_create(
                [Notification(user=u, subject="x", subject_source=SOURCE) for u in users]
            )
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries:
            assert notification_mail_send([r.pk for r in rows]) == count
        subjects = {m.to[0]: m.subject for m in mail.outbox}
        assert subjects[users[0].email] == SUBJECT["en"]
        assert subjects[users[1].email] == SUBJECT["de"]
        return len(queries)

    assert queries_to_mail(2) == queries_to_mail(9)
