"""Discipline: HR managers and the employee's head only; the employee reads their own text to
acknowledge it; documents private, recognised by content and served as attachments; every
read logged (issue #8, item 4)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from backoffice.models import Notification
from hr.models import DisciplinaryDocument, DisciplinaryRecord, DisciplinaryRecordView
from tests.hr.factories import DepartmentFactory, EmployeeFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.HR_PRIVATE_DOCUMENTS_ROOT = tmp_path / "private"
    return settings.HR_PRIVATE_DOCUMENTS_ROOT


@pytest.fixture
def team(make_user):
    """A department with a head (login), an employee with a login and a colleague."""
    department = DepartmentFactory(code="VERT")
    head = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = head.employee
    department.save(update_fields=["head"])
    employee = make_user(roles.STAFF, department=department)
    colleague = make_user(roles.STAFF, department=department)
    hr = make_user(roles.HR_MANAGER)
    return {
        "department": department,
        "head": head,
        "employee": employee,
        "colleague": colleague,
        "hr": hr,
    }


def _record(team, **kw):
    values = {
        "employee": team["employee"].employee,
        "kind": DisciplinaryRecord.Kind.WRITTEN,
        "date": datetime.date(2026, 3, 2),
        "reason": "Unentschuldigtes Fehlen",
        "description": "Am Montag ohne Meldung gefehlt.",
        "issued_by": team["hr"],
    }
    values.update(kw)
    return DisciplinaryRecord.objects.create(**values)


def _document(record, content=PDF, name="warning.pdf"):
    from hr.services.discipline import disciplinary_document_add

    return disciplinary_document_add(
        record=record, upload=SimpleUploadedFile(name, content), user=record.issued_by
    )


# --- Issuing ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_hr_manager_issues_a_warning_with_a_pdf_and_the_employee_is_told(
    client, team, private_root
):
    client.force_login(team["hr"])
    response = client.post(
        reverse("hr:discipline_create"),
        {
            "personnel_number": team["employee"].employee.personnel_number,
            "kind": "written",
            "date": "2026-03-02",
            "reason": "Unentschuldigtes Fehlen",
            "description": "Ohne Meldung gefehlt.",
            "document": SimpleUploadedFile("abmahnung.pdf", PDF, content_type="text/html"),
        },
    )
    record = DisciplinaryRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:discipline_detail", args=[record.pk])
    document = record.documents.get()
    assert document.content_type == "application/pdf"  # by content, not by the browser's word
    assert (private_root / "discipline" / document.file.name).read_bytes() == PDF
    assert not private_root.is_relative_to(django_settings.MEDIA_ROOT)
    note = Notification.objects.get(user=team["employee"])
    assert note.link == reverse("hr:discipline_detail", args=[record.pk])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("content", "name"),
    [(b"<html><script>alert(1)</script></html>", "fake.pdf"), (b"MZ\x90\x00binary", "x.png")],
)
def test_a_file_that_is_not_pdf_png_or_jpeg_is_refused_and_nothing_is_written(
    client, team, private_root, content, name
):
    client.force_login(team["hr"])
    response = client.post(
        reverse("hr:discipline_create"),
        {
            "personnel_number": team["employee"].employee.personnel_number,
            "kind": "verbal",
            "date": "2026-03-02",
            "reason": "Verspätung",
            "document": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert "Only PDF, PNG and JPEG files are accepted." in response.content.decode()
    assert not DisciplinaryRecord.objects.exists()
    assert not DisciplinaryDocument.objects.exists()
    assert not list(private_root.rglob("*.*"))


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(client, team, settings):
    settings.HR_DOCUMENT_MAX_BYTES = 100
    record = _record(team)
    client.force_login(team["hr"])
    client.post(
        reverse("hr:discipline_document_add", args=[record.pk]),
        {"document": SimpleUploadedFile("big.pdf", PDF + b"x" * 200)},
    )
    assert not record.documents.exists()


@pytest.mark.django_db(transaction=True)
def test_head_issues_to_their_department_but_not_to_another_or_to_themselves(client, team):
    other = EmployeeFactory(department=DepartmentFactory())
    client.force_login(team["head"])
    data = {"kind": "verbal", "date": "2026-03-02", "reason": "Verspätung"}
    url = reverse("hr:discipline_create")
    client.post(url, {**data, "personnel_number": other.personnel_number})
    client.post(url, {**data, "personnel_number": team["head"].employee.personnel_number})
    assert not DisciplinaryRecord.objects.exists()
    client.post(url, {**data, "personnel_number": team["colleague"].employee.personnel_number})
    assert DisciplinaryRecord.objects.get().employee == team["colleague"].employee


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.STAFF, roles.PAYROLL_CLERK, roles.AUDITOR])
def test_others_may_not_issue_or_list(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("hr:discipline_create")).status_code == 403
    assert client.get(reverse("hr:discipline_list")).status_code == 403


# --- Who reads what -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_colleague_in_the_same_department_cannot_see_the_record(client, team):
    record = _record(team)
    _document(record)
    document = record.documents.get()
    client.force_login(team["colleague"])
    assert client.get(reverse("hr:discipline_detail", args=[record.pk])).status_code == 404
    url = reverse("hr:discipline_document_download", args=[record.pk, document.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("hr:discipline_mine")).context["records"] == []
    assert not DisciplinaryRecordView.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.PAYROLL_CLERK, roles.AUDITOR, roles.DEPARTMENT_HEAD])
def test_payroll_auditors_and_heads_of_other_departments_get_not_found(
    client, team, make_user, role
):
    """They see every employee (or head another department) but no disciplinary record."""
    record = _record(team)
    user = make_user(role)
    if role == roles.DEPARTMENT_HEAD:
        user.employee.department.head = user.employee
        user.employee.department.save(update_fields=["head"])
    client.force_login(user)
    assert client.get(reverse("hr:discipline_detail", args=[record.pk])).status_code == 404


@pytest.mark.django_db
def test_head_reads_their_department_s_record_and_the_read_is_logged(client, team):
    record = _record(team)
    client.force_login(team["head"])
    response = client.get(reverse("hr:discipline_detail", args=[record.pk]))
    assert response.status_code == 200
    assert "Am Montag ohne Meldung gefehlt." in response.content.decode()
    assert not response.context["show_log"]  # the access log is for HR managers
    view = DisciplinaryRecordView.objects.get()
    assert (view.user, view.record, view.part) == (team["head"], record, "record")


@pytest.mark.django_db
def test_head_sees_their_own_record_only_as_the_employee(client, team):
    record = _record(team, employee=team["head"].employee)
    _document(record)
    client.force_login(team["head"])
    response = client.get(reverse("hr:discipline_detail", args=[record.pk]))
    assert [t.name for t in response.templates][0] == "hr/discipline/own.html"
    assert client.get(reverse("hr:discipline_list")).context["records"] == []


@pytest.mark.django_db
def test_hr_manager_sees_who_read_the_record(client, team):
    record = _record(team)
    client.force_login(team["head"])
    client.get(reverse("hr:discipline_detail", args=[record.pk]))
    client.force_login(team["hr"])
    response = client.get(reverse("hr:discipline_detail", args=[record.pk]))
    assert [v.user for v in response.context["views"]] == [team["hr"], team["head"]]


@pytest.mark.django_db
def test_employee_sees_the_text_only_and_the_read_is_logged(client, team):
    record = _record(team)
    _document(record)
    client.force_login(team["employee"])
    response = client.get(reverse("hr:discipline_detail", args=[record.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Am Montag ohne Meldung gefehlt." in body
    assert "warning.pdf" not in body
    document = record.documents.get()
    url = reverse("hr:discipline_document_download", args=[record.pk, document.pk])
    assert client.get(url).status_code == 404
    assert DisciplinaryRecordView.objects.get().part == "own"


@pytest.mark.django_db
def test_document_is_served_as_an_attachment_never_sniffed_and_logged(client, team):
    record = _record(team)
    document = _document(record, content=PNG, name="foto.png")
    client.force_login(team["hr"])
    url = reverse("hr:discipline_document_download", args=[record.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert DisciplinaryRecordView.objects.get().part == "document"
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - private files have no URL


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("uploaded", "downloaded"),
    [
        ("evil.html", "evil.pdf"),  # a PDF/HTML polyglot must not download as .html
        ("€€€", "document.pdf"),  # nothing left of the name: no 400 "Bad Request"
        ("../../etc/passwd.html", "passwd.pdf"),
        ("x" * 300 + ".pdf", "x" * 80 + ".pdf"),  # cut, keeping the extension
    ],
)
def test_uploaded_name_downloads_with_the_detected_type_s_extension(
    client, team, uploaded, downloaded
):
    record = _record(team)
    client.force_login(team["hr"])
    upload = SimpleUploadedFile(uploaded, b"%PDF-1.4\n<html><script>alert(1)</script></html>")
    response = client.post(
        reverse("hr:discipline_document_add", args=[record.pk]), {"document": upload}
    )
    assert response.status_code == 302
    document = record.documents.get()
    response = client.get(reverse("hr:discipline_document_download", args=[record.pk, document.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{downloaded}"'


# --- Acknowledgement ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_employee_acknowledges_once_and_the_date_stays(client, team):
    record = _record(team)
    client.force_login(team["employee"])
    url = reverse("hr:discipline_acknowledge", args=[record.pk])
    assert client.post(url).status_code == 302
    record.refresh_from_db()
    first = record.acknowledged_at
    assert first is not None
    client.post(url)
    record.refresh_from_db()
    assert record.acknowledged_at == first


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["colleague", "head", "hr"])
def test_nobody_else_can_acknowledge(client, team, who):
    record = _record(team)
    client.force_login(team[who])
    assert client.post(reverse("hr:discipline_acknowledge", args=[record.pk])).status_code == 404
    record.refresh_from_db()
    assert record.acknowledged_at is None


@pytest.mark.django_db(transaction=True)
def test_document_upload_committed_and_refused_to_the_employee(client, team, private_root):
    record = _record(team)
    url = reverse("hr:discipline_document_add", args=[record.pk])
    client.force_login(team["employee"])
    assert client.post(url, {"document": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert not record.documents.exists()
    client.force_login(team["head"])
    assert client.post(url, {"document": SimpleUploadedFile("a.pdf", PDF)}).status_code == 302
    assert record.documents.get().original_name == "a.pdf"


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_the_data(client, team):
    client.force_login(team["hr"])

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("hr:discipline_list"))
        assert response.status_code == 200
        return len(captured), len(response.context["records"])

    for _ in range(3):
        _record(team, employee=EmployeeFactory(department=team["department"]))
    small, rows = measure()
    assert rows == 3
    DisciplinaryRecord.objects.bulk_create(
        [
            DisciplinaryRecord(
                employee=EmployeeFactory(department=DepartmentFactory()),
                kind="verbal",
                date=datetime.date(2026, 1, 5),
                reason="x",
                issued_by=team["hr"],
            )
            for _ in range(60)
        ]
    )
    large, rows = measure()
    assert rows == 50
    assert large == small
