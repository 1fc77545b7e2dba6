"""The careers page in Chromium (issue #10): an anonymous visitor finds an opening in German,
switches to English, applies with a PDF resume and gets the confirmation mail; the recruiter
then finds the applicant and downloads the resume as an attachment."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from backoffice import roles
from hr.models import Application
from tests.browser_fixtures import browser_log_in
from tests.hr.recruiting_helpers import PDF, OpeningFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def test_anonymous_visitor_applies_with_a_resume_and_the_recruiter_downloads_it(
    page, live_server, make_user, password, tmp_path
):
    opening = OpeningFactory(title_de="Lagerist/in", title_en="Warehouse clerk")
    resume = tmp_path / "Lebenslauf Müller.pdf"
    resume.write_bytes(PDF)

    page.goto(f"{live_server.url}/careers/")
    expect(page.locator("h1")).to_have_text("Karriere")
    page.get_by_role("link", name="Lagerist/in").click()
    page.locator("form.langswitch button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Warehouse clerk")
    form = page.locator("form.application-form")
    form.locator("#id_name").fill("Erika Mustermann")
    form.locator("#id_email").fill("erika@example.org")
    form.locator("#id_cover_letter").fill("I would like to work with you.")
    form.locator("#id_resume").set_input_files(str(resume))
    expect(form.locator("#id_consent")).not_to_be_checked()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/careers/thanks/$"))
    expect(page.locator("h1")).to_have_text("Thank you for your application")

    application = Application.objects.get()
    assert (application.opening_id, application.language) == (opening.pk, "en")
    assert application.consent_months is None
    assert application.resume_name == "Lebenslauf_Muller.pdf"
    (message,) = mail.outbox
    assert "Warehouse clerk" in message.subject and "/careers/withdraw/" in message.body

    recruiter = make_user(roles.RECRUITER)
    browser_log_in(page, live_server, recruiter, password)
    page.goto(f"{live_server.url}/hr/recruiting/")
    # The visitor's choice of English stays with the browser (the language cookie).
    page.get_by_role("link", name="Warehouse clerk").click()
    page.get_by_role("link", name="Erika Mustermann").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("resume-download").click()
    download = download_info.value
    assert download.suggested_filename == "Lebenslauf_Muller.pdf"
    assert Path(download.path()).read_bytes() == PDF
