"""Recruiters' and hiring heads' pages (issue #10): who sees which opening, applicant and
resume (everyone else: not found, anonymous: the login page); the resume only as a download
with nosniff; the applicant list's query count does not grow with the applicants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from hr.models import Application, Opening
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.hr.recruiting_helpers import PDF, ApplicationFactory, OpeningFactory, rejected


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def urls(application):
    return [
        reverse("hr:recruiting_opening", kwargs={"pk": application.opening_id}),
        reverse("hr:recruiting_application", kwargs={"pk": application.pk}),
        reverse("hr:recruiting_resume", kwargs={"pk": application.pk}),
    ]


@pytest.fixture
def head_and_application(make_user):
    """A department head and an application to an opening of the department they head."""
    department = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save(update_fields=["head"])
    application = ApplicationFactory(opening=OpeningFactory(department=department), with_file=True)
    return head, application


@pytest.mark.django_db
def test_anonymous_visitor_reaches_no_application_and_no_resume(client):
    application = ApplicationFactory(with_file=True)
    for url in [reverse("hr:recruiting_openings"), *urls(application)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.HR_MANAGER, roles.PAYROLL_CLERK, roles.DEPARTMENT_HEAD]
)
def test_other_roles_find_no_application_or_resume(client, make_user, role):
    application = ApplicationFactory(with_file=True)
    client.force_login(make_user(role))
    assert client.get(reverse("hr:recruiting_openings")).status_code == 404
    for url in urls(application):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_recruiter_sees_every_opening_its_applicants_and_downloads_the_resume(client, make_user):
    application = ApplicationFactory(with_file=True, name="Erika Mustermann")
    client.force_login(make_user(roles.RECRUITER))
    listing = client.get(reverse("hr:recruiting_openings"))
    assert application.opening.title_en in listing.text
    opening_page, detail, download = (client.get(url) for url in urls(application))
    assert "Erika Mustermann" in opening_page.text
    assert "Erika Mustermann" in detail.text and "Lebenslauf.pdf" in detail.text
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="Lebenslauf.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]


@pytest.mark.django_db
def test_the_hiring_head_sees_their_departments_openings_only(client, head_and_application):
    head, application = head_and_application
    other = ApplicationFactory(with_file=True)
    named = ApplicationFactory(opening=OpeningFactory(hiring_head=head.employee))
    client.force_login(head)
    listing = client.get(reverse("hr:recruiting_openings"))
    assert application.opening.title_en in listing.text
    assert named.opening.title_en in listing.text
    assert other.opening.title_en not in listing.text
    for url in urls(application):
        assert client.get(url).status_code == 200, url
    for url in urls(other):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_resume_missing_on_disk_is_not_found_not_an_error(client, make_user, private_root):
    application = ApplicationFactory(with_file=True)
    (private_root / application.resume.name).unlink()
    client.force_login(make_user(roles.RECRUITER))
    assert client.get(urls(application)[2]).status_code == 404


@pytest.mark.django_db
def test_stage_filter_and_duplicate_link_show_on_the_applicant_list(client, make_user):
    opening = OpeningFactory()
    first = ApplicationFactory(opening=opening, name="Anna Alt", email="a@example.org")
    ApplicationFactory(opening=opening, name="Anna Neu", email="a@example.org", duplicate_of=first)
    rejected(ApplicationFactory(opening=opening, name="Bernd Ab"), days_ago=1)
    client.force_login(make_user(roles.RECRUITER))
    url = reverse("hr:recruiting_opening", kwargs={"pk": opening.pk})
    page = client.get(url, {"stage": Application.Stage.REJECTED})
    assert "Bernd Ab" in page.text and "Anna" not in page.text
    page = client.get(url)
    assert reverse("hr:recruiting_application", kwargs={"pk": first.pk}) in page.text


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_applicants(client, make_user):
    """Openings list, applicant list and detail: the same query count at 3 and 120 applicants
    (rows are bounded by the page, never counted in full)."""
    client.force_login(make_user(roles.RECRUITER))
    opening = OpeningFactory()
    ApplicationFactory.create_batch(3, opening=opening)
    pages = [
        reverse("hr:recruiting_openings"),
        reverse("hr:recruiting_opening", kwargs={"pk": opening.pk}),
        reverse("hr:recruiting_application", kwargs={"pk": opening.applications.first().pk}),
    ]
    small = [_queries(client, url) for url in pages]
    ApplicationFactory.create_batch(117, opening=opening)
    OpeningFactory.create_batch(5, status=Opening.Status.OPEN)
    large = [_queries(client, url) for url in pages]
    assert small == large
    assert "<td>120</td>" in client.get(pages[0]).text  # the opening's applicant count
    second_page = client.get(pages[1], {"page": 3})
    assert second_page.status_code == 200 and "Previous" in second_page.text


@pytest.mark.django_db
def test_careers_list_queries_do_not_grow_with_the_openings(client):
    OpeningFactory.create_batch(2)
    small = _queries(client, reverse("careers:list"))
    OpeningFactory.create_batch(30)
    assert _queries(client, reverse("careers:list")) == small


@pytest.mark.django_db
def test_recruiter_keeps_openings_in_the_admin(client, make_user):
    department = DepartmentFactory()
    client.force_login(make_user(roles.RECRUITER))
    assert client.get("/admin/hr/opening/").status_code == 200
    response = client.post(
        "/admin/hr/opening/add/",
        {
            "status": "open",
            "department": department.pk,
            "headcount": 1,
            "title_de": "Empfang",
            "title_en": "Reception",
            "description_de": "Beschreibung",
            "description_en": "Description",
            "location": "Berlin",
            "salary_min": "50000",
            "salary_max": "40000",
        },
    )
    assert response.status_code == 200 and "must not end below its start" in response.text
    assert Opening.objects.count() == 0
    EmployeeFactory()  # no employee list behind the hiring head's choices
    assert client.get("/admin/hr/employee/").status_code == 403
