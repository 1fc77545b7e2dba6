"""`make run` writes demo mail to one place a person can read: one .eml file per mail under
var/mail and one log line per mail, not the console; and its translations step does not call
English, the language the messages are written in, "0% translated"."""

import email
import importlib
import logging
import sys
from email import policy
from io import StringIO

from django.core import mail
from django.core.management import call_command

from backoffice import embedded_db
from backoffice.mail import FileBackend


def test_each_mail_is_one_file_a_mail_client_opens_and_one_log_line(settings, tmp_path, caplog):
    settings.EMAIL_BACKEND = "backoffice.mail.FileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    caplog.set_level(logging.INFO, logger="backoffice.mail")
    sent = mail.send_mass_mail(
        [
            ("Ihre Gehaltsabrechnung", "Grüße aus der Lohnbuchhaltung", None, ["a@example.com"]),
            ("Budget at 80 %", "Second body", None, ["b@example.com", "c@example.com"]),
        ]
    )
    assert sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = sorted(
        (email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files),
        key=lambda m: m["Subject"],
    )
    assert [m["Subject"] for m in parsed] == ["Budget at 80 %", "Ihre Gehaltsabrechnung"]
    assert parsed[0]["To"] == "b@example.com, c@example.com"
    assert parsed[1].get_content().strip() == "Grüße aus der Lohnbuchhaltung"
    lines = [r.getMessage() for r in caplog.records if r.name == "backoffice.mail"]
    assert len(lines) == 2
    assert any("a@example.com" in line and "Ihre Gehaltsabrechnung" in line for line in lines)
    assert all(str(tmp_path / "mail") in line for line in lines)


def test_a_message_without_recipients_writes_nothing(tmp_path):
    backend = FileBackend(file_path=str(tmp_path))
    assert backend.send_messages([mail.EmailMessage("No one", "body", None, [])]) == 0
    assert list(tmp_path.iterdir()) == []


def test_local_settings_write_mail_under_var_mail(monkeypatch):
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    monkeypatch.delenv("EMAIL_FILE_PATH", raising=False)
    # Reading the module must not start a database (it would without DATABASE_URL).
    monkeypatch.setattr(embedded_db, "embedded_database_settings", lambda: {})
    sys.modules.pop("backoffice.settings.local", None)
    local = importlib.import_module("backoffice.settings.local")
    assert local.EMAIL_BACKEND == "backoffice.mail.FileBackend"
    assert str(local.BASE_DIR / "var" / "mail") == local.EMAIL_FILE_PATH


def test_compiling_translations_does_not_call_english_untranslated():
    out = StringIO()
    call_command("compile_translations", stdout=out)
    lines = out.getvalue().splitlines()
    english = next(line for line in lines if "/en/" in line)
    german = next(line for line in lines if "/de/" in line)
    assert "% translated" not in english
    assert "source language" in english
    assert "100% translated" in german
