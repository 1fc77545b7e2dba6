"""Staff ask for a change of their own address or emergency contact; HR approves or refuses
(never the requester); the file changes only on approval; HR and the requester are told.

Outside the test's transaction: the services lock rows and mail after commit."""

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from backoffice import roles
from backoffice.models import Notification
from hr.models import PersonnelChangeRequest, PersonnelFile
from tests.hr.personnel_file_helpers import personnel_file

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ADDRESS = {"street": "Gartenweg 9", "postal_code": "04109", "city": "Leipzig", "country": "DE"}


@pytest.fixture(autouse=True)
def committed():
    assert not connection.in_atomic_block


@pytest.fixture
def staff(make_user):
    user = make_user(roles.STAFF, email="staff@example.com")
    personnel_file(user.employee)
    return user


@pytest.fixture
def hr(make_user):
    return make_user(roles.HR_MANAGER, email="hr@example.com")


def ask(client, user, kind="address", data=None):
    client.force_login(user)
    url = reverse("hr:personnel_change_request_new", kwargs={"kind": kind})
    return client.post(url, data or NEW_ADDRESS)


def test_staff_request_waits_and_hr_approval_changes_the_file(client, staff, hr):
    response = ask(client, staff)
    assert response.status_code == 302
    request = PersonnelChangeRequest.objects.get()
    assert request.status == "pending"
    assert PersonnelFile.objects.get(employee=staff.employee).street == "Lindenstraße 5"
    assert Notification.objects.filter(user=hr).exists()
    assert any(hr.email in m.to for m in mail.outbox)

    client.force_login(hr)
    page = client.get(reverse("hr:personnel_change_request_list")).content.decode()
    assert "Gartenweg 9" in page and "Lindenstraße 5" in page
    mail.outbox.clear()
    response = client.post(
        reverse("hr:personnel_change_request_approve", kwargs={"pk": request.pk})
    )
    assert response.status_code == 302
    file = PersonnelFile.objects.get(employee=staff.employee)
    assert (file.street, file.postal_code, file.city) == ("Gartenweg 9", "04109", "Leipzig")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", hr)
    assert Notification.objects.filter(user=staff, subject__contains="approved").exists()
    assert [m.to for m in mail.outbox] == [[staff.email]]
    # The history says who changed the street, from what to what.
    latest = file.history.first()
    assert latest.history_user == hr
    assert latest.prev_record.street == "Lindenstraße 5"


def test_refusal_leaves_the_file_and_tells_the_requester(client, staff, hr):
    ask(client, staff, kind="emergency_contact", data={"emergency_contact_name": "Max Muster"})
    request = PersonnelChangeRequest.objects.get()
    client.force_login(hr)
    response = client.post(
        reverse("hr:personnel_change_request_refuse", kwargs={"pk": request.pk}),
        {"reason": "Bitte mit Telefonnummer"},
    )
    assert response.status_code == 302
    assert PersonnelFile.objects.get(employee=staff.employee).emergency_contact_name == (
        "Erika Muster"
    )
    request.refresh_from_db()
    assert (request.status, request.reason) == ("refused", "Bitte mit Telefonnummer")
    assert Notification.objects.filter(user=staff, subject__contains="refused").exists()
    # Decided once: a second approval changes nothing.
    client.post(reverse("hr:personnel_change_request_approve", kwargs={"pk": request.pk}))
    request.refresh_from_db()
    assert request.status == "refused"


def test_hr_manager_cannot_approve_their_own_request(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    personnel_file(hr.employee)
    ask(client, hr)
    request = PersonnelChangeRequest.objects.get()
    response = client.post(
        reverse("hr:personnel_change_request_approve", kwargs={"pk": request.pk})
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "pending"
    assert PersonnelFile.objects.get(employee=hr.employee).street == "Lindenstraße 5"


@pytest.mark.parametrize("role", [roles.STAFF, roles.DEPARTMENT_HEAD, roles.PAYROLL_CLERK])
def test_others_cannot_decide(client, staff, make_user, role):
    ask(client, staff)
    request = PersonnelChangeRequest.objects.get()
    client.force_login(make_user(role))
    for name in ("hr:personnel_change_request_approve", "hr:personnel_change_request_refuse"):
        assert client.post(reverse(name, kwargs={"pk": request.pk})).status_code == 403
    assert client.get(reverse("hr:personnel_change_request_list")).status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_one_pending_request_per_kind_and_nothing_without_a_change(client, staff):
    ask(client, staff)
    second = ask(client, staff, data={**NEW_ADDRESS, "street": "Anderswo 1"})
    assert second.status_code == 400
    assert "already waiting for HR's decision" in second.content.decode()
    unchanged = ask(
        client,
        staff,
        kind="emergency_contact",
        data={
            "emergency_contact_name": "Erika Muster",
            "emergency_contact_phone": "+49 170 1234567",
            "emergency_contact_relation": "Mutter",
        },
    )
    assert unchanged.status_code == 400
    assert PersonnelChangeRequest.objects.count() == 1


def test_a_login_without_an_employee_cannot_ask(client, make_user):
    user = make_user(employee=False)
    client.force_login(user)
    url = reverse("hr:personnel_change_request_new", kwargs={"kind": "address"})
    assert client.post(url, NEW_ADDRESS).status_code == 404
    assert not PersonnelChangeRequest.objects.exists()


def test_hr_uploads_in_a_committed_transaction_too(client, hr, settings, tmp_path):
    """The upload URL named here as well, outside the wrapping transaction."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hr.models import PersonnelDocument
    from tests.hr.personnel_file_helpers import PDF

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    employee = personnel_file(hr.employee).employee
    client.force_login(hr)
    response = client.post(
        reverse("hr:personnel_document_upload", kwargs={"pk": employee.pk}),
        {"kind": "other", "title": "Foto", "file": SimpleUploadedFile("f.pdf", PDF)},
    )
    assert response.status_code == 302
    assert PersonnelDocument.objects.get().employee == employee
