"""The admin import's confirmation step imports only a file that the same user uploaded in this
session, once (issue #7, item 3); uploads above the shared limit are refused with a message;
errors never show a traceback (item 6).

django-import-export's default storage joined the confirm form's ``import_file_name`` with the
temp folder and imported and then deleted that file. The hostile cases here plant a victim file
(a valid import, so reading it would import it) and check it is neither imported nor deleted.
"""

import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export.admin import ExportMixin, ImportMixin

from backoffice import imports
from backoffice.imports import (
    ImportExportAdmin,
    ImportFileUnavailable,
    PrivateImportStorage,
    WholeFileModelResource,
)
from hr.models import Department
from tests.backoffice.clients import TwoFactorClient as Client
from tests.hr.factories import UserFactory

IMPORT_URL = "/admin/hr/department/import/"
CONFIRM_URL = "/admin/hr/department/process_import/"
HEADER = "code,name,parent,head,cost_center\n"
REFUSED = "This import cannot be confirmed"


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.IMPORT_EXPORT_TMP_DIR = tmp_path / "imports"
    return tmp_path / "imports"


@pytest.fixture
def admin_client(db):
    """A superuser: this file is about the import's storage, not about who may import."""
    return _client()


def _client() -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _upload(client, content: str, *, url=IMPORT_URL, name="departments.csv"):
    return client.post(
        url,
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile(name, content.encode(), content_type="text/csv"),
        },
    )


def _issued_name(response) -> str:
    assert response.status_code == 200
    return response.context["confirm_form"].initial["import_file_name"]


def _confirm(client, name: str, *, url=CONFIRM_URL):
    return client.post(
        url,
        {
            "import_file_name": name,
            "original_file_name": "departments.csv",
            "format": "0",
            "resource": "0",
        },
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _victim(folder: Path, name: str, code: str) -> Path:
    """A valid departments file: if anything read it, department ``code`` would exist."""
    path = folder / name
    path.write_text(HEADER + f"{code},Victim,,,\n")
    return path


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


# --- The happy path and replays ------------------------------------------------------------------


@pytest.mark.django_db
def test_own_upload_is_confirmed_once_and_removed(admin_client, private_folder):
    """The upload lands in the private folder under a random name, readable only by the
    application; the confirmation imports it and removes the file; confirming the same name again
    is refused with a message, even when a file of that name is back in the folder."""
    name = _issued_name(_upload(admin_client, HEADER + "VERT,Vertrieb,,,\n"))
    assert imports.TOKEN.match(name)
    path = private_folder / name
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(private_folder.stat().st_mode) == 0o700

    response = _confirm(admin_client, name)
    assert response.status_code == 302
    assert response["Location"] == "/admin/hr/department/"
    assert Department.objects.get(code="VERT").name == "Vertrieb"
    assert any("Import finished: 1 new" in m for m in _messages(response))
    assert not path.exists()

    # A replay: even a file planted under the used name is neither read nor removed.
    planted = _victim(private_folder, name, "REPLAY")
    response = _confirm(admin_client, name)
    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    assert any(REFUSED in m for m in _messages(response))
    assert planted.exists()
    assert not Department.objects.filter(code="REPLAY").exists()
    assert Department.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_upload_and_confirm_without_a_wrapping_transaction(private_folder):
    """The same two requests outside the test's transaction: the import commits, and a failed
    import (the data changed between check and confirmation) rolls back whole."""
    client = _client()
    name = _issued_name(_upload(client, HEADER + "VERT,Vertrieb,,,\nEINK,Einkauf,,,\n"))
    assert _confirm(client, name).status_code == 302
    assert set(Department.objects.values_list("code", flat=True)) == {"VERT", "EINK"}
    assert _files(private_folder) == []

    # Checked while the parent existed; the parent is gone by the confirmation.
    Department.objects.create(code="ALT", name="Alt")
    name = _issued_name(_upload(client, HEADER + "NEU,Neu,,,\nKIND,Kind,ALT,,\n"))
    Department.objects.filter(code="ALT").delete()
    response = _confirm(client, name)
    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    [message] = _messages(response)
    assert message.startswith("The import failed; nothing was written.")
    assert "Traceback" not in message
    assert not Department.objects.filter(code__in=["NEU", "KIND"]).exists()
    assert _files(private_folder) == []


# --- Hostile confirmations ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["temp-name", "dot-dot", "absolute", "private-token"])
def test_forged_names_are_refused_and_their_files_left_alone(admin_client, private_folder, where):
    """A confirmation naming a file the server did not issue to this session, whether a file in
    the system's temp folder (the old storage read and deleted it), a path with ``../``, an
    absolute path, or a well-formed name in the private folder, is refused with a message; the
    file is neither imported nor deleted."""
    temp = Path(tempfile.gettempdir())
    victim_name = f"victim-{secrets.token_hex(4)}.csv"
    if where == "private-token":
        private_folder.mkdir(parents=True, exist_ok=True)
        victim = _victim(private_folder, secrets.token_hex(16), "FORGED")
        forged = victim.name
    else:
        victim = _victim(temp, victim_name, "FORGED")
        forged = {
            "temp-name": victim_name,
            "dot-dot": "../" * 8 + str(victim).lstrip("/"),
            "absolute": str(victim),
        }[where]
    try:
        # The session holds an upload of its own: the refusal is about the name, not an
        # empty session.
        _issued_name(_upload(admin_client, HEADER + "OWN,Own,,,\n"))
        content = victim.read_text()
        response = _confirm(admin_client, forged)
        assert response.status_code == 302
        assert response["Location"] == IMPORT_URL
        assert any(REFUSED in m for m in _messages(response))
        assert victim.exists() and victim.read_text() == content
        assert not Department.objects.exists()
    finally:
        victim.unlink(missing_ok=True)


@pytest.mark.django_db
def test_another_users_upload_cannot_be_confirmed(private_folder):
    """User B confirming the name issued to user A is refused; A's file stays, nothing is
    imported, and A can still confirm it."""
    alice, bob = _client(), _client()
    name = _issued_name(_upload(alice, HEADER + "VERT,Vertrieb,,,\n"))

    response = _confirm(bob, name)
    assert response.status_code == 302
    assert any(REFUSED in m for m in _messages(response))
    assert (private_folder / name).exists()
    assert not Department.objects.exists()

    assert _confirm(alice, name).status_code == 302
    assert Department.objects.filter(code="VERT").exists()


@pytest.mark.django_db
def test_an_upload_is_confirmed_only_for_the_model_it_was_checked_for(admin_client, private_folder):
    """A departments file checked in the departments import cannot be confirmed as accounts."""
    name = _issued_name(_upload(admin_client, HEADER + "VERT,Vertrieb,,,\n"))
    response = _confirm(admin_client, name, url="/admin/accounting/account/process_import/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/accounting/account/import/"
    assert any(REFUSED in m for m in _messages(response))
    assert not Department.objects.exists()
    # The name is used up by the attempt: its file is gone too.
    assert _files(private_folder) == []


@pytest.mark.django_db
def test_a_removed_file_is_a_message_not_a_500(admin_client, private_folder):
    name = _issued_name(_upload(admin_client, HEADER + "VERT,Vertrieb,,,\n"))
    (private_folder / name).unlink()
    response = _confirm(admin_client, name)
    assert response.status_code == 302
    assert any("gone" in m for m in _messages(response))
    assert not Department.objects.exists()


# --- Failed checks, size, tracebacks --------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_that_fails_its_check_is_removed_at_once(admin_client, private_folder):
    response = _upload(admin_client, HEADER + "VERT,,,,\n")  # a department needs a name
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert response.context["result"].has_validation_errors()
    assert _files(private_folder) == []


@pytest.mark.django_db
def test_an_oversized_admin_import_is_refused_naming_the_limit(admin_client, private_folder):
    """Larger than IMPORT_MAX_UPLOAD_BYTES (5 MB by default): a form error naming the limit;
    nothing is stored or imported."""
    row = "VERT,Vertrieb,,,\n"
    content = HEADER + row * (5 * 1024 * 1024 // len(row) + 1)
    response = _upload(admin_client, content)
    assert response.status_code == 200
    [error] = response.context["form"].errors["import_file"]
    assert error == "The file is too large: files up to 5.0\xa0MB can be imported."
    assert "confirm_form" not in response.context
    assert _files(private_folder) == []
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_the_limit_is_a_setting(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = _upload(admin_client, HEADER + "VERT,Vertrieb,,,\n" * 10)
    [error] = response.context["form"].errors["import_file"]
    assert error == "The file is too large: files up to 100\xa0bytes can be imported."


@pytest.mark.django_db
def test_admin_import_errors_show_the_message_never_a_traceback(admin_client, private_folder):
    """A file without the key column (an error of the whole file, shown with a traceback by the
    library's page) and a row the database refuses (a row error) name the problem, no traceback."""
    response = _upload(admin_client, "name,cost_center\nVertrieb,4711\n")
    page = response.content.decode()
    assert response.context["result"].has_errors()
    assert "code" in page and "not present in the file headers" in page
    assert "Traceback" not in page and 'File "' not in page

    response = _upload(admin_client, HEADER + "VERT,Vertrieb,,,\nEINK,Ein\x00kauf,,,\n")
    page = response.content.decode()
    assert response.context["result"].has_errors()
    assert "Row 2" in page
    assert "Traceback" not in page and 'File "' not in page
    assert not Department.objects.exists()
    assert _files(private_folder) == []


# --- The storage and the admin classes ---------------------------------------------------------


def test_the_storage_issues_fresh_names_and_reads_only_its_own(private_folder):
    first, second = PrivateImportStorage(), PrivateImportStorage(name="../../etc/passwd")
    first.save(b"a")
    second.save(b"b")  # a name given by a caller is never used for writing
    assert first.name != second.name
    assert {first.name, second.name} == set(_files(private_folder))
    assert PrivateImportStorage(name=first.name, read_mode="rb").read() == b"a"
    for name in ("../../etc/passwd", "/etc/passwd", "passwd", first.name.upper(), "", None):
        with pytest.raises(ImportFileUnavailable):
            PrivateImportStorage(name=name).read()
        PrivateImportStorage(name=name).remove()  # does nothing
    assert Path("/etc/passwd").exists()
    PrivateImportStorage(name=first.name).remove()
    with pytest.raises(ImportFileUnavailable):
        PrivateImportStorage(name=first.name, read_mode="rb").read()


def test_abandoned_uploads_are_removed_after_a_while(private_folder):
    old = PrivateImportStorage()
    old.save(b"old")
    past = time.time() - imports.MAX_AGE_SECONDS - 60
    os.utime(private_folder / old.name, (past, past))
    new = PrivateImportStorage()
    new.save(b"new")
    assert _files(private_folder) == [new.name]


def test_every_import_export_admin_uses_the_safe_base():
    """An admin that imports or exports through django-import-export but not through the
    project's base would bring back the library's storage, formats and error page; a resource
    not derived from the project's base would export unescaped cells and half-write files."""
    ie_admins = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ImportMixin | ExportMixin)
    ]
    assert {a.opts.label_lower for a in ie_admins} >= {
        "hr.employee",
        "hr.department",
        "accounting.account",
        "accounting.budget",
    }
    assert all(isinstance(a, ImportExportAdmin) for a in ie_admins)
    assert all(
        issubclass(resource, WholeFileModelResource)
        for a in ie_admins
        for resource in a.get_resource_classes(request=None)
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("field", "value"),
    [("format", "99"), ("format", "x"), ("format", "-1"), ("resource", "7"), ("resource", "abc")],
)
def test_forged_format_or_resource_in_the_confirmation_is_refused(private_folder, field, value):
    """The confirm form's ``format`` and ``resource`` are list indexes the library used unchecked:
    a forged one answered 500 (IndexError, ValueError). It is refused with a message, nothing is
    imported, and the genuine confirmation still works afterwards."""
    client = _client()
    name = _issued_name(_upload(client, HEADER + "VERT,Vertrieb,,,\n"))
    data = {
        "import_file_name": name,
        "original_file_name": "departments.csv",
        "format": "0",
        "resource": "0",
        field: value,
    }
    response = client.post(CONFIRM_URL, data)
    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    assert any("format or a kind of import that is not offered" in m for m in _messages(response))
    assert not Department.objects.filter(code="VERT").exists()

    assert _confirm(client, name).status_code == 302
    assert Department.objects.get(code="VERT").name == "Vertrieb"
