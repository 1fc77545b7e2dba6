"""Issue 9, item 7: stored messages (notifications, audit findings) are shown in the reader's
language, with dates and money as that language writes them; rows written before keep their
text."""

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from accounting.audit import audit_run
from accounting.models import Finding
from backoffice import roles
from backoffice.models import Notification
from backoffice.services import notify
from backoffice.stored_text import Money, StoredText, render_stored, stored, stored_label
from tests.accounting.factories import open_year, post_expense
from tests.backoffice.clients import TwoFactorClient

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def reader(user, language: str) -> TwoFactorClient:
    client = TwoFactorClient(headers={"accept-language": language})
    client.force_login(user)
    return client


def payslip_ready(user) -> None:
    notify(
        users=[user],
        subject=stored(gettext_noop("Your payslip for %(period)s is ready"), period="12/2026"),
        body=stored(
            gettext_noop("Payday is %(payday)s. Open your payslips to download the PDF."),
            payday=datetime.date(2026, 12, 30),
        ),
        link="/payroll/my/payslips/",
    )


def test_a_notification_written_in_german_reads_in_english(make_user):
    """Written while German was active (a German clerk's action), the English reader sees
    English with an en-GB date; the German reader German with a German date."""
    user = make_user(roles.STAFF)
    with translation.override("de"):
        payslip_ready(user)
    assert "Entgeltabrechnung" in Notification.objects.get().subject  # the writer's rendering

    english = reader(user, "en").get("/inbox/").content.decode()
    assert "Your payslip for 12/2026 is ready" in english
    assert "Payday is 30/12/2026." in english
    assert "Entgeltabrechnung" not in english and "Zahltag" not in english

    german = reader(user, "de").get("/inbox/").content.decode()
    assert "Ihre Entgeltabrechnung für 12/2026 liegt vor" in german
    assert "Zahltag ist der 30.12.2026." in german
    assert "Payday" not in german


def test_a_notification_written_in_english_reads_in_german(make_user):
    user = make_user(roles.STAFF)
    with translation.override("en"):
        payslip_ready(user)
    german = reader(user, "de").get("/inbox/").content.decode()
    assert "Zahltag ist der 30.12.2026." in german
    assert "Payday" not in german


def test_old_notifications_and_plain_text_show_as_written(make_user):
    """Rows from before (no source) and a person's own words are shown as stored."""
    user = make_user(roles.STAFF)
    Notification.objects.create(user=user, subject="Alte Nachricht", body="Wie geschrieben")
    notify(users=[user], subject="Bitte melden", body="Ein eigener Satz")
    page = reader(user, "en").get("/inbox/").content.decode()
    for text in ("Alte Nachricht", "Wie geschrieben", "Bitte melden", "Ein eigener Satz"):
        assert text in page


def test_a_text_that_cannot_render_falls_back_to_its_stored_rendering():
    """A broken source (a parameter missing) never raises on a page: the stored text shows."""
    source = {"msgid": "Payday is %(payday)s. Open your payslips to download the PDF."}
    source["params"] = {"other": "x"}
    assert render_stored(source, "Zahltag am 30.12.2026") == "Zahltag am 30.12.2026"


def test_parameters_round_trip_and_render_per_language():
    """Money, dates, datetimes, decimals and translatable labels are kept neutral and written
    as the reader's language writes them."""
    from hr.models import Absence

    text = stored(
        gettext_noop("Used %(used)s of %(amount)s (%(percent)d %%)."),
        used=Money(Decimal("1234.5")),
        amount=Money(Decimal("2000")),
        percent=61,
    )
    source = StoredText.from_json(text.as_json()).as_json()
    assert source == text.as_json()
    with translation.override("de"):
        assert "1.234,50\u00a0€" in render_stored(source)
    with translation.override("en"):
        assert render_stored(source) == "Used €1,234.50 of €2,000.00 (61 %)."
    label = stored_label(Absence.Kind.VACATION.label)
    assert isinstance(label, StoredText)
    with translation.override("de"):
        german = render_stored(label.as_json())
    with translation.override("en"):
        english = render_stored(label.as_json())
    assert german != english


def _after_hours_finding(language: str) -> Finding:
    """A 6,000.00 posting on Saturday 14 March 2026 at 11:00 Berlin time, found by the audit
    while ``language`` was active."""
    open_year(2026)
    when = datetime.datetime(2026, 3, 14, 11, 0, tzinfo=BERLIN).astimezone(datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=when):
        post_expense(amount="6000.00")
    with translation.override(language):
        assert audit_run(codes=["after_hours"]).new == 1
    return Finding.objects.get(check_code="after_hours")


@pytest.fixture
def after_hours_finding():
    return _after_hours_finding("de")


def test_a_finding_found_in_english_reads_in_german(make_user):
    finding = _after_hours_finding("en")
    assert "outside business hours" in finding.title
    url = reverse("accounting:finding_detail", args=[finding.pk])
    german = reader(make_user(roles.AUDITOR), "de").get(url).content.decode()
    assert "außerhalb" in german and "Sa 14.03.2026 11:00" in german
    assert "outside business hours" not in german


def test_a_finding_found_in_german_reads_in_english(make_user, after_hours_finding):
    """The auditor reading English sees the finding in English, its date en-GB with the
    weekday, its amount in euros as English writes them; in German all German."""
    assert "außerhalb" in after_hours_finding.title  # rendered in German at the run
    auditor = make_user(roles.AUDITOR)
    url = reverse("accounting:finding_detail", args=[after_hours_finding.pk])

    english = reader(auditor, "en").get(url).content.decode()
    assert "was posted outside business hours (Sat 14/03/2026 11:00)" in english
    assert "€6,000.00" in english
    assert "außerhalb" not in english

    german = reader(auditor, "de").get(url).content.decode()
    assert "außerhalb" in german
    assert "Sa 14.03.2026 11:00" in german
    assert "6.000,00\u00a0€" in german
    assert "2026-03-14" not in german and "Sat" not in german

    listing = reader(auditor, "en").get(reverse("accounting:finding_list")).content.decode()
    assert "outside business hours (Sat 14/03/2026 11:00)" in listing


def test_week_grid_dates_follow_the_language(make_user):
    """The hours grid's column heads: 02.03. in German, 02/03 in English; never US order."""
    from tests.hr.factories import DepartmentFactory

    DepartmentFactory(code="PROD")
    clerk = make_user(roles.DATA_ENTRY_CLERK)
    url = "/payroll/hours/?department=PROD&week=2026-W10"
    german = reader(clerk, "de").get(url).content.decode()
    english = reader(clerk, "en").get(url).content.decode()
    assert "02.03." in german and "08.03." in german
    assert "02/03" in english and "08/03" in english
    assert "03/02" not in english


def test_plural_forms_follow_the_count_in_the_readers_language():
    """A payday message about errors: one error or several, in each language, with the pay
    period's dates written as that language writes them."""
    from backoffice.stored_text import stored_plural

    period = StoredText(
        "%(schedule)s: %(start)s–%(end)s",
        {
            "schedule": "Monatlich",
            "start": datetime.date(2026, 3, 1),
            "end": datetime.date(2026, 3, 31),
        },
    )

    def text(count):
        return stored_plural(
            gettext_noop("Payroll %(period)s is calculated with %(count)d error to fix"),
            gettext_noop("Payroll %(period)s is calculated with %(count)d errors to fix"),
            count,
            period=period,
            count=count,
        ).as_json()

    with translation.override("en"):
        assert render_stored(text(1)) == (
            "Payroll Monatlich: 01/03/2026–31/03/2026 is calculated with 1 error to fix"
        )
        assert "with 2 errors to fix" in render_stored(text(2))
    with translation.override("de"):
        one, two = render_stored(text(1)), render_stored(text(2))
    assert "01.03.2026–31.03.2026" in one
    assert one != two and "Payroll" not in one
