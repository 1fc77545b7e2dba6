"""The public careers page (issue #10, items 2, 3 and 7): no login, German and English; the
application form with its abuse protection (rate limit, size limit, CSRF, honeypot), hostile
resumes refused with nothing written and nothing on disk, never a 500; the confirmation mail
in the applicant's language with the link that deletes everything."""

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from hr.models import Application, Opening
from tests.hr.recruiting_helpers import (
    EXE,
    HTML,
    PDF,
    PDF_JAVASCRIPT,
    SVG,
    ApplicationFactory,
    OpeningFactory,
    docx,
    docx_bomb,
    files_under,
)
from tests.mail_checks import absolute_links


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def opening(db):
    return OpeningFactory(title_de="Buchhalter/in", title_en="Accountant")


def apply_url(opening):
    return reverse("careers:opening", kwargs={"pk": opening.pk})


def form(**overrides):
    data = {
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "phone": "+49 30 123456",
        "cover_letter": "Ich bewerbe mich.",
        "resume": SimpleUploadedFile("Lebenslauf.pdf", PDF),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def apply(client, opening, **overrides):
    return client.post(apply_url(opening), form(**overrides))


def test_anonymous_visitor_sees_open_positions_only_in_german_and_english(client, db):
    shown = OpeningFactory(title_de="Lagerist/in", title_en="Warehouse clerk")
    OpeningFactory(title_de="Entwurf", status=Opening.Status.DRAFT)
    OpeningFactory(title_de="Geschlossen", status=Opening.Status.CLOSED)
    english = client.get(reverse("careers:list"))
    assert english.status_code == 200
    assert "Warehouse clerk" in english.text and "Entwurf" not in english.text
    assert "Geschlossen" not in english.text
    german = Client(headers={"accept-language": "de"}).get(reverse("careers:list"))
    assert "Lagerist/in" in german.text and "Karriere" in german.text
    page = client.get(apply_url(shown))
    assert page.status_code == 200 and 'name="website"' in page.text
    assert 'type="checkbox" name="consent"' in page.text and "checked" not in page.text


def test_a_draft_or_closed_opening_has_no_page(client, db):
    for status in (Opening.Status.DRAFT, Opening.Status.CLOSED):
        draft = OpeningFactory(status=status)
        assert client.get(apply_url(draft)).status_code == 404
        assert apply(client, draft).status_code == 404
    assert Application.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_applicant_applies_and_gets_a_confirmation_with_a_deletion_link(client, private_root):
    """Outside the test's transaction: the row, the file and, after the commit, the mail."""
    assert not connection.in_atomic_block
    opening = OpeningFactory(title_de="Buchhalter/in", title_en="Accountant")
    response = apply(client, opening, consent="on")
    assert response.status_code == 302 and response["Location"] == reverse("careers:thanks")
    application = Application.objects.get()
    assert (application.name, application.email, application.language) == (
        "Erika Mustermann",
        "erika@example.org",
        "en",
    )
    assert application.stage == Application.Stage.NEW and application.consent_months == 24
    stored = Path(private_root) / application.resume.name
    assert stored.read_bytes() == PDF and "Lebenslauf" not in stored.name
    assert application.resume_name == "Lebenslauf.pdf"
    assert application.confirmation_sent_at is not None
    (message,) = mail.outbox
    assert message.to == ["erika@example.org"] and "Accountant" in message.subject
    (link,) = [x for x in absolute_links(message.body) if "/careers/withdraw/" in x]
    assert "24 months" in message.body

    # The link asks first (GET changes nothing), then deletes row and file (POST).
    from hr.services.recruiting import application_delete_token

    path = reverse(
        "careers:application_delete", kwargs={"token": application_delete_token(application)}
    )
    assert link.endswith(path)
    path = path.lstrip("/")
    confirm = client.get("/" + path)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert Application.objects.count() == 1
    done = client.post("/" + path)
    assert done.status_code == 200 and "have been deleted" in done.text
    assert Application.objects.count() == 0
    assert files_under(private_root) == []
    again = client.post("/" + path)
    assert again.status_code == 200 and "nothing to delete" in again.text


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_is_in_german_for_a_german_applicant(private_root):
    opening = OpeningFactory(title_de="Buchhalter/in", title_en="Accountant")
    german = Client(headers={"accept-language": "de"})
    assert apply(german, opening).status_code == 302
    (message,) = mail.outbox
    assert "Buchhalter/in" in message.subject
    assert "Bewerbung" in message.subject
    assert Application.objects.get().language == "de"


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_of_the_confirmation_task_sends_nothing(private_root):
    from hr.tasks import recruiting_confirmation_send

    application = ApplicationFactory(with_file=True)
    assert recruiting_confirmation_send(application.pk) is True
    assert recruiting_confirmation_send(application.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_leaves_the_confirmation_for_the_sweep(private_root, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from hr.services import recruiting
    from hr.tasks import recruiting_confirmation_send, recruiting_confirmations_send_pending

    application = ApplicationFactory(with_file=True)

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(recruiting, "send_mail", refuse)
    with pytest.raises(OSError):
        recruiting_confirmation_send(application.pk)
    application.refresh_from_db()
    assert application.confirmation_sent_at is None
    monkeypatch.undo()
    assert recruiting_confirmations_send_pending() == 0  # too young: its own task may come
    Application.objects.update(submitted_at=timezone.now() - timedelta(minutes=6))
    assert recruiting_confirmations_send_pending() == 1
    assert recruiting_confirmations_send_pending() == 0
    assert len(mail.outbox) == 1 and "/careers/withdraw/" in mail.outbox[0].body


def test_a_forged_deletion_link_is_not_found(client, db):
    application = ApplicationFactory()
    assert client.get("/careers/withdraw/abc/").status_code == 404
    assert client.post(f"/careers/withdraw/{application.pk}/").status_code == 404
    assert Application.objects.count() == 1


def test_a_second_application_of_the_same_email_is_linked_to_the_first(client, opening):
    first = ApplicationFactory(email="Erika@Example.org")
    assert apply(client, opening, email="erika@example.org").status_code == 302
    second = Application.objects.exclude(pk=first.pk).get()
    assert second.duplicate_of == first


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.pdf", EXE, "program"),
        ("cv.html", HTML, "PDF or DOCX"),
        ("cv.svg", SVG, "PDF or DOCX"),
        ("cv.pdf", PDF_JAVASCRIPT, "JavaScript"),
        ("cv.docx", docx({"word/vbaProject.bin": b"x"}), "macros"),
        ("cv.docx", docx_bomb(60), "bomb"),
    ],
    ids=["exe-as-pdf", "html", "svg", "pdf-js", "docx-macro", "docx-bomb"],
)
def test_hostile_resumes_are_refused_with_a_message_and_leave_nothing(
    client, opening, private_root, name, content, words
):
    response = apply(client, opening, resume=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert words in response.text
    assert Application.objects.count() == 0
    assert files_under(private_root) == []
    assert mail.outbox == []


def test_a_missing_resume_is_asked_for(client, opening, private_root):
    response = apply(client, opening, resume=None)
    assert response.status_code == 400 and "attach your resume" in response.text
    assert Application.objects.count() == 0


def test_an_oversized_resume_is_refused_while_uploading(client, opening, private_root, settings):
    """Just over the limit: the upload handler stops keeping the file; the form says why."""
    big = PDF + b"%" * settings.RECRUITING_RESUME_MAX_BYTES
    response = apply(client, opening, resume=SimpleUploadedFile("cv.pdf", big))
    assert response.status_code == 400 and "too large: at most 10 MB" in response.text
    assert Application.objects.count() == 0 and files_under(private_root) == []


def test_a_request_far_over_the_limit_is_refused_before_its_body_is_read(
    client, opening, private_root, settings
):
    big = b"%" * (settings.RECRUITING_RESUME_MAX_BYTES + 2 * 1024 * 1024)
    response = apply(client, opening, resume=SimpleUploadedFile("cv.pdf", big))
    assert response.status_code == 413 and "too large" in response.text
    assert Application.objects.count() == 0 and files_under(private_root) == []


def test_a_file_name_with_folder_parts_is_harmless_through_the_form(client, opening, private_root):
    """Django strips folders from an uploaded name; the name never reaches the disk anyway."""
    response = apply(client, opening, resume=SimpleUploadedFile("../../etc/cv.pdf", PDF))
    assert response.status_code == 302
    (stored,) = files_under(private_root)
    assert stored.parent == Path(private_root) / "resumes" and "cv" not in stored.name
    assert Application.objects.get().resume_name == "cv.pdf"


def test_a_file_name_with_folder_parts_is_refused_by_the_service(opening, private_root):
    from django.core.exceptions import ValidationError

    from hr.services.recruiting import application_submit

    with pytest.raises(ValidationError) as caught:
        application_submit(
            opening_id=opening.pk,
            name="Eve",
            email="eve@example.org",
            language="en",
            resume_data=PDF,
            resume_name="../../../etc/passwd.pdf",
            client_address="192.0.2.1",
        )
    assert "folder names" in caught.value.message_dict["resume"][0]
    assert Application.objects.count() == 0 and files_under(private_root) == []


def test_the_honeypot_gets_the_usual_thanks_and_nothing_is_kept(client, opening, private_root):
    response = apply(client, opening, website="http://spam.example")
    assert response.status_code == 302 and response["Location"] == reverse("careers:thanks")
    assert Application.objects.count() == 0 and files_under(private_root) == []
    assert mail.outbox == []


def test_applications_per_client_address_are_limited(client, opening, settings, private_root):
    settings.RECRUITING_APPLICATIONS_PER_HOUR = 2
    for n in range(2):
        assert apply(client, opening, email=f"a{n}@example.org").status_code == 302
    refused = apply(client, opening, email="a3@example.org")
    assert refused.status_code == 429 and "Too many applications" in refused.text
    assert Application.objects.count() == 2
    assert len(files_under(private_root)) == 2
    other = Client(headers={"accept-language": "en"}, REMOTE_ADDR="198.51.100.7")
    assert apply(other, opening, email="b@example.org").status_code == 302
    assert "198.51.100.7" not in str(list(Application.objects.values_list("client_hash")))


def test_posts_per_client_address_are_limited_whatever_their_outcome(client, opening, settings):
    """Refused posts count too (in the cache): a bot cannot probe the checks endlessly."""
    settings.RECRUITING_POSTS_PER_HOUR = 3
    for _ in range(3):
        assert apply(client, opening, resume=SimpleUploadedFile("x.pdf", EXE)).status_code == 400
    assert apply(client, opening).status_code == 429
    assert Application.objects.count() == 0


def test_a_post_without_the_csrf_token_is_refused(opening, private_root):
    strict = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    response = strict.post(apply_url(opening), form())
    assert response.status_code == 403
    assert Application.objects.count() == 0 and files_under(private_root) == []


def test_with_the_csrf_token_the_form_works(opening, private_root):
    strict = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    strict.get(apply_url(opening))
    token = strict.cookies["csrftoken"].value
    response = strict.post(apply_url(opening), {**form(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "Eve\x00"},
        {"cover_letter": "x" * 3 * 1024 * 1024},
        {"cover_letter": "x" * 10_001},
        {"name": "x" * 201},
        {"email": "not-an-email"},
        {"resume": "not a file"},
    ],
    ids=["nul", "huge-field", "long-letter", "long-name", "bad-email", "text-as-file"],
)
def test_hostile_form_input_is_refused_never_a_500(client, opening, private_root, overrides):
    response = apply(client, opening, **overrides)
    assert response.status_code in (400, 413)
    assert Application.objects.count() == 0 and files_under(private_root) == []


def test_wrong_methods_are_refused(client, opening):
    assert client.put(apply_url(opening)).status_code == 405
    assert client.delete(apply_url(opening)).status_code == 405
    assert client.post(reverse("careers:list")).status_code == 405
    assert client.post(reverse("careers:thanks")).status_code == 405


def test_a_docx_resume_is_accepted(client, opening, private_root):
    response = apply(client, opening, resume=SimpleUploadedFile("cv.docx", docx()))
    assert response.status_code == 302
    assert Application.objects.get().resume_name == "cv.docx"


def test_behind_a_proxy_the_configured_header_names_the_client(opening, settings, private_root):
    """Otherwise every applicant would share the proxy's address and its limit."""
    settings.RECRUITING_APPLICATIONS_PER_HOUR = 1
    settings.RECRUITING_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = Client(headers={"accept-language": "en"}, REMOTE_ADDR="10.0.0.1")
    first = proxy.post(apply_url(opening), form(), HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    second = proxy.post(
        apply_url(opening), form(email="x@example.org"), HTTP_X_FORWARDED_FOR="203.0.113.6"
    )
    again = proxy.post(
        apply_url(opening), form(email="y@example.org"), HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.6"
    )
    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 429)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"garbage", "multipart/form-data"),
        (
            b'--x\r\nContent-Disposition: form-data; name="resume"\r\n',
            "multipart/form-data; boundary=x",
        ),
        (b"\x00\x01\x02", "application/octet-stream"),
    ],
    ids=["no-boundary", "truncated", "binary"],
)
def test_malformed_posts_are_refused_never_a_500(client, opening, private_root, body, content_type):
    response = client.generic("POST", apply_url(opening), body, content_type=content_type)
    assert response.status_code == 400
    assert Application.objects.count() == 0 and files_under(private_root) == []
