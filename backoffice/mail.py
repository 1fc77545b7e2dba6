"""Mail leaves the site: every link in it is absolute, built from the one SITE_URL setting."""

from __future__ import annotations

from django.conf import settings


def mail_link(path: str) -> str:
    """The absolute address of a page of this site, for a mail: ``SITE_URL`` followed by the
    path (``/accounting/budgets/`` becomes ``https://backoffice.example.com/accounting/
    budgets/``). A link that already starts with ``SITE_URL`` is returned as it is; anything
    else is taken as a path of this site, so a mail never links to another host."""
    site = settings.SITE_URL.rstrip("/")
    if path == site or path.startswith(site + "/"):
        return path
    return f"{site}/{path.lstrip('/')}"
