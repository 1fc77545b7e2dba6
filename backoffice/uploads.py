"""Upload limits that hold before a request's body is read.

The first middleware that reads a form post (backoffice.middleware.RequestInputMiddleware,
which looks for control characters) parses every upload in it; without a limit there, a
request of any size would be streamed to temporary files before a view could refuse it.
A view that takes files declares its limit with ``@upload_limit("SETTING_NAME")``; for the
path of such a view the middleware then, before reading anything:

- answers 413 (templates/413.html, saying the limit) when the declared Content-Length is over
  the limit plus room for the form's other fields;
- puts ``FileSizeLimit`` first among the upload handlers: a file that grows past the limit
  while it is read is skipped, and ``request.upload_too_large`` tells the view to say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import translation

# Room for a form's text fields next to its file (multipart adds headers, too).
FORM_TEXT_ALLOWANCE = 256 * 1024


@dataclass(frozen=True)
class UploadLimit:
    setting: str
    allowance: int = FORM_TEXT_ALLOWANCE

    @property
    def max_bytes(self) -> int:
        return getattr(settings, self.setting)


def upload_limit(setting: str, *, allowance: int = FORM_TEXT_ALLOWANCE):
    """Declare that a view's uploads may have at most ``settings.<setting>`` bytes a file."""

    def decorate(view):
        view.upload_limit = UploadLimit(setting, allowance)
        return view

    return decorate


class FileSizeLimit(FileUploadHandler):
    """Stops keeping an uploaded file once it passes the limit (the parser skips the rest)."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_limit_apply(request) -> HttpResponse | None:
    """For a view with a declared limit: a 413 response, or None with the handler in place."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    limit = getattr(match.func, "upload_limit", None)
    if limit is None:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit.max_bytes + limit.allowance:
        with translation.override(translation.get_language_from_request(request)):
            body = loader.render_to_string(
                "413.html", {"mb": limit.max_bytes // 2**20, "back": request.path}
            )
        return HttpResponse(body, status=413)
    request.upload_handlers.insert(0, FileSizeLimit(request, limit.max_bytes))
    return None
