"""Input the database or the date arithmetic cannot take is refused before any view runs.

One rule for the whole site instead of a check in every view, filter and form:

- A NUL byte (or another control character, or a lone surrogate) in the path, or in a key or
  value of the query string or of a form post, answers 400. PostgreSQL refuses NUL in text
  (``DataError``, a 500 from every search box and admin filter); the other control characters
  have no place in a URL or a form field and would break the XML and CSV files made from
  stored text. Tab, line feed and carriage return stay allowed in values: text areas send them.
- A date part in a lookup (``hire_date__year``, ``__month``, ``__day`` and the like, as the
  admin's date hierarchy and list filters send them) must be a whole number in its range, and a
  lookup's value written as an ISO date (``hire_date__gte=2024-05-31``) must have a four-digit
  year that leaves room for the following year: otherwise 400. Python's dates end at 9999,
  and a filter that computes "the end of this year" from 9999 or from 99999999999999999999999
  fails with ``OverflowError``. Plain parameters (``q``, ``month``) are the portal's forms'
  to check.
- An admin action's selected objects (``_selected_action`` in a POST) must be whole numbers:
  every model in the admin has an integer key, and the admin filters ``pk__in`` with the posted
  values unchecked (``ValueError``, a 500, for ``abc``).
- A cookie with a control character is dropped (as if not sent) rather than refused: the user
  could not remove it from a link and would be locked out of every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import BadRequest

from backoffice.uploads import upload_limit_apply

# C0 control characters, DEL and lone surrogates. Keys, paths and cookies take none of them.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Values may carry tab, line feed and carriage return (a text area sends them).
_CONTROL_IN_VALUE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# Years a date filter may ask for: four digits, and one below the last year Python's dates
# know, so that "the start of the next year" (the admin's date hierarchy) still exists.
YEARS = (1000, 9998)
# Date parts of Django's lookups (django.db.models.functions.datetime) and their ranges.
DATE_PARTS = {
    "year": YEARS,
    "iso_year": YEARS,
    "quarter": (1, 4),
    "month": (1, 12),
    "week": (1, 53),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}
_ISO_DATE = re.compile(r"\s*([+-]?\d+)-\d{1,2}-\d{1,2}(?:[ T].*)?", re.DOTALL)
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
# The admin's action checkboxes (django.contrib.admin.helpers.ACTION_CHECKBOX_NAME).
SELECTED_ACTION = "_selected_action"
_SELECTED_ID = re.compile(r"[0-9]{1,20}")
_MAX_DIGITS = 6  # more than any date part can need; int() of a huge string is not free


def control_character_in(texts: Iterable[str], *, pattern: re.Pattern = _CONTROL) -> bool:
    return any(pattern.search(text) for text in texts)


def date_part_refusal(key: str, value: str) -> str | None:
    """Why a query parameter's date part is out of range, or None when it is fine (or not a
    date part: a lookup's first segment is a field, so a model field named ``year`` passes)."""
    segments = key.split("__")
    parts = [s for s in segments[1:] if s in DATE_PARTS]
    if not parts or segments[-1] == "isnull" or not value.strip():
        return None
    low, high = DATE_PARTS[parts[-1]]
    for piece in value.split(","):
        piece = piece.strip()
        if not _INTEGER.fullmatch(piece) or len(piece.lstrip("+-")) > _MAX_DIGITS:
            return f"{key} is not a whole number"
        if not low <= int(piece) <= high:
            return f"{key} is out of range ({low}-{high})"
    return None


def date_value_refusal(key: str, value: str) -> str | None:
    """Why a lookup's value written as an ISO date (``2024-05-31``, with or without a time) has
    a year that date arithmetic cannot take, or None."""
    if "__" not in key:
        return None
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return None
    year = match.group(1).lstrip("+")
    low, high = YEARS
    if len(year) > _MAX_DIGITS or not low <= int(year) <= high:
        return f"{key} has a year out of range ({low}-{high})"
    return None


def request_input_refusal(request) -> str | None:
    """Why this request's input cannot be served (for the log), or None."""
    if control_character_in([request.path]):
        return "control character in the path"
    for key, values in request.GET.lists():
        if control_character_in([key]) or control_character_in(values, pattern=_CONTROL_IN_VALUE):
            return "control character in the query string"
        for value in values:
            reason = date_part_refusal(key, value) or date_value_refusal(key, value)
            if reason:
                return reason
    if request.method == "POST":
        for key, values in request.POST.lists():
            if control_character_in([key]) or control_character_in(
                values, pattern=_CONTROL_IN_VALUE
            ):
                return "control character in the form data"
        if any(
            not _SELECTED_ID.fullmatch(value) for value in request.POST.getlist(SELECTED_ACTION)
        ):
            return f"{SELECTED_ACTION} is not a whole number"
    return None


class RequestInputMiddleware:
    """Answer 400 (the friendly templates/400.html) to input that would otherwise end in a
    database error or an overflow; drop cookies that carry control characters.

    Sits before the session middleware, so a forged session cookie never reaches the
    database, and before every view, admin and form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, value in list(request.COOKIES.items()):
            if control_character_in([name, value]):
                del request.COOKIES[name]
        # Before anything reads the body: a view's declared upload limit (backoffice.uploads).
        too_large = upload_limit_apply(request)
        if too_large is not None:
            return too_large
        reason = request_input_refusal(request)
        if reason:
            raise BadRequest(reason)
        return self.get_response(request)
