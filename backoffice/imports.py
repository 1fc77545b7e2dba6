"""Import rules every app's django-import-export resource follows, and the admin's import and
export around them.

Also the parsing every CSV import shares (encoding, separator, dates) and the upload size limit
every import shares (``IMPORT_MAX_UPLOAD_BYTES``).

A file is validated as a whole: one bad row and nothing is written. django-import-export rolls
back on errors but, by default, not on validation errors; ``WholeFileModelResource`` makes it do
both. Its exports follow the project's one formula-escaping rule (``backoffice.csv_export``).

The admin import runs in two requests: the upload (checked in a dry run) and the confirmation,
whose form names the uploaded file. django-import-export's default temporary storage joins that
name with the system's temp folder and imports and then deletes whatever file it names: the
client chooses the file. Here the name is a random token the server issued to this user in this
session (``import_file_issue``), the file lies in a private folder (``PrivateImportStorage``),
and the confirmation is refused with a message unless it names a token this session holds
(``import_file_claim``); a token is used once. ``ImportExportAdmin`` wires this up and is the
base of every import/export admin of the project.
"""

import contextlib
import csv
import datetime
import io
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.forms import ImportForm
from import_export.tmp_storages import BaseStorage
from import_export.widgets import NumberWidget

from backoffice.csv_export import neutralise

DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class WholeFileModelResource(resources.ModelResource):
    """Validate every row (``full_clean``) and write nothing when any row is invalid. Export
    every text cell, the header included, through the project's formula-escaping rule."""

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def export_field(self, field, instance, **kwargs):
        """The cell as the widget renders it, neutralised unless it is a number.

        The rule is ``csv_export``'s: a number the application renders stays a number (a
        negative amount is ``-12.50``, which a spreadsheet adds up), any text is neutralised. A
        number widget renders only numbers (its text is digits, a sign and separators) or an
        empty cell; every other widget and every ``dehydrate_`` method gives text from data."""
        value = super().export_field(field, instance, **kwargs)
        if not isinstance(value, str):
            return value
        dehydrate = field.get_dehydrate_method(self.get_field_name(field))
        if isinstance(field.widget, NumberWidget) and not (
            callable(dehydrate) or hasattr(self, dehydrate)
        ):
            return value
        return neutralise(value)

    def get_export_headers(self, selected_fields=None):
        return [neutralise(h) for h in super().get_export_headers(selected_fields=selected_fields)]


def parse_date(value: str) -> datetime.date:
    """``2026-03-31`` or ``31.03.2026``; ValueError with a message naming the value."""
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"value": value})


def csv_reader(content: bytes):
    """A csv.reader over an uploaded file: UTF-8 with or without BOM, separated by semicolons
    (as German Excel writes) or commas, whichever the first line uses more. ValueError with a
    message when the file is not UTF-8 text."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise ValueError(_("The file is not a text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


# --- Upload size -------------------------------------------------------------------------------


def upload_max_bytes() -> int:
    """The largest file any import takes (``IMPORT_MAX_UPLOAD_BYTES``)."""
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def upload_size_check(upload) -> None:
    """ValidationError naming the limit when an uploaded file is larger than any import takes.
    For the ``clean_<file field>`` of every import form."""
    limit = upload_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large: files up to %(limit)s can be imported.")
            % {"limit": filesizeformat(limit)},
            code="too_large",
        )


class ImportFileForm(ImportForm):
    """The admin's upload form, refusing files above the shared limit before they are read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        upload_size_check(upload)
        return upload


# --- Temporary files of the admin import ------------------------------------------------------

TOKEN = re.compile(r"[0-9a-f]{32}\Z")
# An upload that is never confirmed is removed after this long (and its token forgotten).
MAX_AGE_SECONDS = 6 * 3600
# A session remembers at most this many unconfirmed uploads; older ones are removed.
MAX_PENDING = 10
SESSION_KEY = "backoffice.import_files"


class ImportFileUnavailable(Exception):
    """The named import file is not one this storage issued, or it is gone."""


def import_folder() -> Path:
    """The private folder of uploads waiting for confirmation (``IMPORT_EXPORT_TMP_DIR``),
    created readable only by the application's own user."""
    folder = Path(settings.IMPORT_EXPORT_TMP_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


class PrivateImportStorage(BaseStorage):
    """django-import-export's temporary storage, for ``IMPORT_EXPORT_TMP_STORAGE_CLASS``.

    ``save`` always picks a fresh random name (32 hex digits) and writes the file, readable
    only by the application, into the private folder. ``read`` and ``remove`` take only a name
    of that form, so no name reaches a file outside the folder; an unknown or removed name
    raises ``ImportFileUnavailable``. Which user may use which name is the session's business
    (``import_file_claim``). Files older than ``MAX_AGE_SECONDS`` are removed on every save."""

    def save(self, data):
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        folder = import_folder()
        _remove_expired(folder)
        self.name = secrets.token_hex(16)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(folder / self.name, flags, 0o600), "wb") as file:
            file.write(data)

    def read(self):
        binary = "b" in self.read_mode
        try:
            with open(
                self._path(), self.read_mode, encoding=None if binary else self.encoding
            ) as file:
                return file.read()
        except FileNotFoundError:
            raise ImportFileUnavailable(self.name) from None

    def remove(self):
        with contextlib.suppress(FileNotFoundError, ImportFileUnavailable):
            os.remove(self._path())

    def _path(self) -> Path:
        if not isinstance(self.name, str) or not TOKEN.match(self.name):
            raise ImportFileUnavailable(self.name)
        return import_folder() / self.name


def _remove_expired(folder: Path) -> None:
    oldest = time.time() - MAX_AGE_SECONDS
    with os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                if TOKEN.match(entry.name) and entry.stat().st_mtime < oldest:
                    os.remove(entry.path)


def import_file_issue(request, *, name: str, model: str) -> None:
    """Remember that this session's user uploaded the file ``name`` to import into ``model``
    (``app_label.model_name``). A session keeps the latest ``MAX_PENDING`` such files; the
    files of older ones are removed."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[name] = [request.user.pk, model, int(time.time())]
    if len(pending) > MAX_PENDING:
        for old in sorted(pending, key=lambda n: pending[n][2])[: len(pending) - MAX_PENDING]:
            del pending[old]
            PrivateImportStorage(name=old).remove()
    request.session[SESSION_KEY] = pending


def import_file_claim(request, *, name: str, model: str) -> bool:
    """Whether ``name`` is a file this session's user uploaded for ``model`` within
    ``MAX_AGE_SECONDS``. The name is forgotten either way, and its file removed when it is
    refused: a name is confirmed at most once. A name this session does not hold touches
    nothing."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    if not isinstance(name, str) or name not in pending:
        return False
    user_pk, for_model, issued = pending.pop(name)
    request.session[SESSION_KEY] = pending
    if (
        user_pk == request.user.pk
        and for_model == model
        and time.time() - issued <= MAX_AGE_SECONDS
    ):
        return True
    PrivateImportStorage(name=name).remove()
    return False


# --- The admin ---------------------------------------------------------------------------------

MAX_ERRORS_IN_MESSAGE = 10


class ImportExportAdmin(ImportExportModelAdmin):
    """The base of every django-import-export admin of the project.

    - The confirmation imports only a file this user uploaded in this session, once; anything
      else is refused with a message (see the module docstring). A file whose check failed is
      removed at once.
    - Uploads above ``IMPORT_MAX_UPLOAD_BYTES`` are refused with a message naming the limit.
    - Errors show their messages, never a traceback, also for errors of the whole file.
    - CSV only, in and out: the format the resources and their escaping are made for.
    """

    tmp_storage_class = PrivateImportStorage
    import_form_class = ImportFileForm
    import_error_display = ("message",)
    import_template_name = "admin/backoffice/import.html"
    import_formats = [CSV]
    export_formats = [CSV]

    def _import_url(self) -> str:
        return reverse(
            "admin:{}_{}_import".format(*self.get_model_info()), current_app=self.admin_site.name
        )

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            import_file_issue(
                request, name=initial["import_file_name"], model=self.opts.label_lower
            )
        return initial

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if name and "confirm_form" not in context:
            # The check failed: this upload is never confirmed.
            self.get_tmp_storage_class()(name=name).remove()
        return response

    def process_import(self, request, **kwargs):
        if request.method != "POST" or not self.has_import_permission(request):
            return super().process_import(request, **kwargs)  # 405 or 403, as the library does
        if not self._confirm_choices_valid(request):
            messages.error(
                request,
                _(
                    "This import cannot be confirmed: the confirmation names a format or a "
                    "kind of import that is not offered here. Please upload the file again."
                ),
            )
            return HttpResponseRedirect(self._import_url())
        name = request.POST.get("import_file_name", "")
        if not import_file_claim(request, name=name, model=self.opts.label_lower):
            messages.error(
                request,
                _(
                    "This import cannot be confirmed: the file was not uploaded by you in this "
                    "session, or it was imported already. Please upload it again."
                ),
            )
            return HttpResponseRedirect(self._import_url())
        try:
            return super().process_import(request, **kwargs)
        except ImportFileUnavailable:
            messages.error(request, _("The uploaded file is gone. Please upload it again."))
            return HttpResponseRedirect(self._import_url())
        finally:
            self.get_tmp_storage_class()(name=name).remove()

    def _confirm_choices_valid(self, request) -> bool:
        """The confirm form's ``format`` and ``resource`` are indexes the client sends back;
        the library indexes its lists with them unchecked (a forged one is a 500)."""
        offered = (
            ("format", len(self.get_import_formats())),
            ("resource", len(self.get_import_resource_classes(request))),
        )
        for field, count in offered:
            value = request.POST.get(field, "0")
            if not (isinstance(value, str) and value.isascii() and value.isdigit()):
                return False
            if int(value) >= count:
                return False
        return True

    def process_result(self, result, request):
        """After the confirmation: the usual summary, or (when the data changed since the check
        and the import failed, so nothing was written) the errors and the upload form."""
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = [
            _("Row %(row)d: %(message)s") % {"row": number, "message": error.error}
            for number, errors in result.row_errors()
            for error in errors
        ]
        for row in result.invalid_rows:
            for column, errors in row.field_specific_errors.items():
                problems += [
                    _("Row %(row)d, column “%(column)s”: %(message)s")
                    % {"row": row.number, "column": column, "message": message}
                    for message in errors
                ]
            problems += [
                _("Row %(row)d: %(message)s") % {"row": row.number, "message": message}
                for message in row.non_field_specific_errors
            ]
        problems += [str(error.error) for error in result.base_errors]
        shown = problems[:MAX_ERRORS_IN_MESSAGE]
        text = " ".join([_("The import failed; nothing was written."), *shown])
        if len(problems) > len(shown):
            rest = len(problems) - len(shown)
            text += " " + ngettext(
                "… and %(count)d more error.", "… and %(count)d more errors.", rest
            ) % {"count": rest}
        messages.error(request, text)
        return HttpResponseRedirect(self._import_url())
