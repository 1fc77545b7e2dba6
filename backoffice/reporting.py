"""What every report page shares: one permission, GET only, a CSV switch, filter links."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.views.decorators.http import require_GET

from backoffice.csv_export import Dialect, csv_copy_response, csv_response, dialect_for


def report_view(permission: str):
    """Login, GET only, and ``permission``; 403 without it."""

    def decorate(view):
        @login_required
        @require_GET
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def csv_for_request(request, *, rows, header, filename: str):
    """Stream ``rows`` as CSV in the dialect the request asks for (?dialect=excel-de)."""
    return csv_response(
        rows=rows,
        header=[str(h) for h in header],
        filename=filename,
        dialect=dialect_for(request.GET.get("dialect")),
    )


def csv_copy_for_request(
    request, *, queryset_for: Callable[[Dialect], QuerySet], header, filename: str
):
    """Stream the rows of ``queryset_for(dialect)`` as CSV written by PostgreSQL (see
    ``backoffice.csv_export.csv_copy_response``), in the dialect the request asks for."""
    dialect = dialect_for(request.GET.get("dialect"))
    return csv_copy_response(
        queryset=queryset_for(dialect),
        header=[str(h) for h in header],
        filename=filename,
        dialect=dialect,
    )


def filter_query(data: dict) -> str:
    """The filter part of a URL (empty values left out), for the CSV and pager links."""
    return urlencode({k: v for k, v in data.items() if v not in (None, "")})
