"""Personnel documents: stored privately under random names, recognised by content, size-
limited, served as attachments with nosniff only to those allowed, each download logged."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from backoffice import roles
from hr.models import PersonnelDocument, PersonnelFileAccess
from tests.hr.factories import DepartmentFactory, EmployeeFactory
from tests.hr.personnel_file_helpers import PDF, PNG, personnel_file


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def upload_url(employee):
    return reverse("hr:personnel_document_upload", kwargs={"pk": employee.pk})


def download_url(document):
    return reverse(
        "hr:personnel_document_download",
        kwargs={"pk": document.employee_id, "document_pk": document.pk},
    )


def upload(client, employee, content, name="vertrag.pdf", kind="contract"):
    return client.post(
        upload_url(employee),
        {"kind": kind, "title": "Arbeitsvertrag", "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.django_db(transaction=True)
def test_hr_uploads_a_document_stored_privately_under_a_random_name(
    client, make_user, private_root
):
    """Outside the test's transaction: the upload commits its row and its file together."""
    assert not connection.in_atomic_block
    hr = make_user(roles.HR_MANAGER)
    employee = EmployeeFactory()
    client.force_login(hr)
    response = upload(client, employee, PDF, name="Vertrag Müller.pdf")
    assert response.status_code == 302
    document = PersonnelDocument.objects.get()
    stored = Path(private_root) / document.file.name
    assert stored.read_bytes() == PDF
    assert "Vertrag" not in document.file.name and str(employee.pk) not in stored.name
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    assert (document.content_type, document.original_name) == (
        "application/pdf",
        "Vertrag_Muller.pdf",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script>", "vertrag.pdf"),
        (b"MZ\x90\x00", "zeugnis.png"),
        (b"", "x.pdf"),
    ],
)
def test_content_that_is_not_pdf_png_or_jpeg_is_refused(client, make_user, content, name):
    client.force_login(make_user(roles.HR_MANAGER))
    response = upload(client, EmployeeFactory(), content, name=name)
    assert response.status_code == 400
    assert "file" in response.context["upload_form"].errors
    assert not PersonnelDocument.objects.exists()


@pytest.mark.django_db
def test_too_large_a_file_is_refused(client, make_user, settings, private_root):
    settings.PERSONNEL_DOCUMENT_MAX_BYTES = 1024 * 1024
    client.force_login(make_user(roles.HR_MANAGER))
    response = upload(client, EmployeeFactory(), PDF + b"0" * (1024 * 1024))
    assert response.status_code == 400
    assert "too large" in str(response.context["upload_form"].errors["file"])
    assert not PersonnelDocument.objects.exists()
    assert not any(p.is_file() for p in Path(private_root).rglob("*"))


@pytest.mark.django_db
def test_only_hr_uploads(client, make_user):
    department = DepartmentFactory()
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save()
    member = EmployeeFactory(department=department)
    client.force_login(head)
    assert upload(client, member, PDF).status_code == 403
    staff = make_user(roles.STAFF)
    client.force_login(staff)
    assert upload(client, member, PDF).status_code == 404
    assert upload(client, staff.employee, PDF).status_code == 403
    assert not PersonnelDocument.objects.exists()


@pytest.mark.django_db
def test_document_served_only_to_those_allowed_and_each_download_logged(client, make_user):
    department = DepartmentFactory()
    hr = make_user(roles.HR_MANAGER)
    owner = make_user(roles.STAFF, department=department)
    personnel_file(owner.employee)
    client.force_login(hr)
    upload(client, owner.employee, PNG, name="zeugnis.png", kind="certificate")
    document = PersonnelDocument.objects.get()

    for user in (hr, owner):
        client.force_login(user)
        response = client.get(download_url(document))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"

    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save()
    colleague = make_user(roles.STAFF, department=department)
    for user in (head, colleague, make_user(roles.PAYROLL_CLERK)):
        client.force_login(user)
        assert client.get(download_url(document)).status_code == 404
    # The document under another employee's address is not found either.
    client.force_login(hr)
    wrong = reverse(
        "hr:personnel_document_download",
        kwargs={"pk": colleague.employee.pk, "document_pk": document.pk},
    )
    assert client.get(wrong).status_code == 404

    downloads = PersonnelFileAccess.objects.filter(document=document)
    assert sorted(downloads.values_list("viewer", flat=True)) == sorted([hr.pk, owner.pk])
    assert all(parts == ["documents"] for parts in downloads.values_list("parts", flat=True))
