"""What every mail the suite sees must hold: no link is a bare path (a mail client cannot
follow ``/accounting/budgets/``); links are absolute, from SITE_URL (backoffice.mail)."""

import re

# A path standing on its own in a text: after a blank, a bracket or a quote, or at the start.
_RELATIVE = re.compile(r"(?:^|[\s(<\"'])(/[^\s)>\"']*)")
_ABSOLUTE = re.compile(r"https?://[^\s)>\"']+")


def relative_links(text: str) -> list[str]:
    return _RELATIVE.findall(text)


def absolute_links(text: str) -> list[str]:
    return _ABSOLUTE.findall(text)
