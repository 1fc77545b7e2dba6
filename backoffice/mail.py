"""Mail leaves the site: every link in it is absolute, built from the one SITE_URL setting.
Locally (`make run`) mail goes to files under var/mail instead (``FileBackend``)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger(__name__)


def mail_link(path: str) -> str:
    """The absolute address of a page of this site, for a mail: ``SITE_URL`` followed by the
    path (``/accounting/budgets/`` becomes ``https://backoffice.example.com/accounting/
    budgets/``). A link that already starts with ``SITE_URL`` is returned as it is; anything
    else is taken as a path of this site, so a mail never links to another host."""
    site = settings.SITE_URL.rstrip("/")
    if path == site or path.startswith(site + "/"):
        return path
    return f"{site}/{path.lstrip('/')}"


class FileBackend(BaseEmailBackend):
    """The demo's mail (`make run`): each message is written to a file of its own under
    ``EMAIL_FILE_PATH`` (``var/mail``), ``<time>-<id>.eml``, which a mail client opens as it is,
    and logged in one line (to whom, the subject, the file). Django's own file backend writes
    every message of a connection into one log file; the console backend floods the terminal
    that runs web, workers and beat."""

    def __init__(self, *args, file_path: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            path = self.folder / name
            try:
                path.write_bytes(message.message().as_bytes(linesep="\n"))
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            logger.info(
                "mail to %s: %s (%s)", ", ".join(message.recipients()), message.subject, path
            )
            sent += 1
        return sent
