"""Hostile input in list filters never reaches a 500: a NUL byte or a control character
anywhere in a request, and a date part out of range in a filter, answer a friendly 400 before
any view runs (backoffice.middleware.RequestInputMiddleware); other odd input (unknown ordering,
negative page, long strings, broken percent escapes) is ignored or refused by the page.

The walk covers every admin changelist (each registered ModelAdmin, each of its list filters'
parameters and its date hierarchy) and every portal page that has no URL arguments, with the
parameter names its GET forms send plus the usual ones."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.admin.filters import DateFieldListFilter
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from backoffice import roles
from backoffice.middleware import (
    RequestInputMiddleware,
    control_character_in,
    date_part_refusal,
    date_value_refusal,
    request_input_refusal,
)
from tests.backoffice.clients import TwoFactorClient
from tests.hr.factories import EmployeeFactory

LONG = "x" * 5000
HUGE = "9" * 23
# Raw (percent-encoded) bytes that are no UTF-8: a stray byte, an overlong slash, a lone
# surrogate and a truncated sequence, all in one value.
BROKEN_ESCAPES = "%ff%c0%af%ed%a0%80%e2%82"
# Accepted by the middleware; each page must ignore them or say no without a 5xx.
ODD_VALUES = [LONG, HUGE, "-1", "2024-02-30"]
# The refusal page (templates/400.html), as opposed to a page's own 400 for a bad filter form.
REFUSAL_MARK = b'data-testid="bad-request"'
# Parameters that portal pages read from the query string (besides their forms' fields).
PORTAL_PARAMS = [
    "q",
    "page",
    "department",
    "status",
    "check",
    "year",
    "month",
    "week",
    "start",
    "schedule",
    "run",
    "before",
    "changes",
    "format",
    "dialect",
    "period",
    "next",
]
# Portal pages that are not lists to walk: they act on GET or leave the site.
PORTAL_SKIP = {"logout", "set_language", "healthz"}


def _raw_url(url: str, params: list[tuple[str, str]]) -> str:
    """The URL with each name and value put in as it stands (percent-encoded where needed)."""
    return url + "?" + "&".join(f"{k}={v}" for k, v in params)


def _quoted(url: str, params: list[tuple[str, str]]) -> str:
    return _raw_url(url, [(quote(k, safe=""), quote(v, safe="")) for k, v in params])


class Walk:
    """Sends the requests and keeps every answer that breaks the rule, so one run names them
    all."""

    def __init__(self, client):
        self.client = client
        client.raise_request_exception = False
        self.failures: list[str] = []
        self.requests = 0

    def get(self, url: str, *, expect: int | None = None, refused: bool = True):
        """One request; a 5xx, an answer other than ``expect``, or (``refused=False``) the
        refusal page, which would keep the other parameters from being tried, is a failure.
        (A page's own 400 with its form's errors is fine.)"""
        self.requests += 1
        response = self.client.get(url)
        status = response.status_code
        if (
            status >= 500
            or (expect is not None and status != expect)
            or (not refused and REFUSAL_MARK in response.content)
        ):
            error = getattr(response, "exc_info", None)
            detail = f" {error[1]!r}"[:300] if error else ""
            self.failures.append(f"{url[:200]} -> {status}{detail}")
        return response

    def hostile(
        self, url: str, names: list[str], *, date_parts: list[str] = (), odd_values=ODD_VALUES
    ):
        """NUL in each parameter, and a control character in a value and in a name, answer
        400. Broken escapes and odd values, given to all ``names`` at once, are let through
        (so each parameter really is tried) and answer anything but a 5xx. A date part out of
        range answers 400."""
        for name in [*names, *date_parts]:
            self.get(_raw_url(url, [(name, "%00")]), expect=400)
        self.get(_raw_url(url, [(names[0], "a%1bb")]), expect=400)
        self.get(_raw_url(url, [("x%00y", "1")]), expect=400)
        self.get(_raw_url(url, [(name, BROKEN_ESCAPES) for name in names]), refused=False)
        for value in odd_values:
            self.get(_quoted(url, [(name, value) for name in names]), refused=False)
        for name in date_parts:
            for value in (HUGE, "99999", "10000", "9999", "0", "-1", "abc"):
                self.get(_quoted(url, [(name, value)]), expect=400)

    def assert_clean(self):
        assert self.failures == [], f"{len(self.failures)} of {self.requests}:\n" + "\n".join(
            self.failures
        )


@pytest.fixture
def superuser(make_user):
    """A superuser who is also an employee with every role, so that every portal page and
    every admin changelist answers."""
    user = make_user(*roles.ROLES, is_superuser=True, is_staff=True)
    EmployeeFactory.create_batch(3, department=user.employee.department)
    return user


def _changelists():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield model_admin, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _filter_parameters(changelist) -> tuple[list[str], list[str]]:
    """The query parameters of a changelist's filters, and those that are date ranges."""
    names, dates = [], []
    for spec in changelist.filter_specs:
        names.extend(spec.expected_parameters())
        if isinstance(spec, DateFieldListFilter):
            dates.extend(p for p in spec.expected_parameters() if not p.endswith("__isnull"))
    return names, dates


# Django warns when a date range filter on a timestamp gets a date without a time zone.
naive_datetime_warnings = pytest.mark.filterwarnings(
    "ignore:DateTimeField .* received a naive datetime:RuntimeWarning"
)


@naive_datetime_warnings
@pytest.mark.django_db
def test_every_admin_changelist_survives_hostile_parameters(superuser):
    """Every changelist: NUL in the search and in each filter parameter answers 400, so do a
    date hierarchy year of 23 digits, 9999 or 0, a month 13 and a date range from year 1 or
    99999; an ordering or page out of range, long strings, impossible dates and broken
    escapes never give a 5xx."""
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.force_login(superuser)
    walk = Walk(client)
    walked = 0
    for model_admin, url in _changelists():
        response = walk.get(url, expect=200)
        if response.status_code != 200:
            continue
        walked += 1
        names, dates = _filter_parameters(response.context["cl"])
        # Every filter parameter but the date ranges (tried below), the search, the ordering,
        # the page, "show all" and the error flag.
        plain = [n for n in names if n not in dates] + ["q", "o", "p", "all", "e"]
        date_parts = []
        if model_admin.date_hierarchy:
            field = model_admin.date_hierarchy
            date_parts = [f"{field}__year", f"{field}__month", f"{field}__day"]
            # The hierarchy's own links at the ends of the calendar, and impossible dates.
            for params in (
                {"year": "9998", "month": "12", "day": "31"},
                {"year": "1000", "month": "1"},
                {"year": "2024", "month": "2", "day": "31"},
            ):
                walk.get(_quoted(url, [(f"{field}__{k}", v) for k, v in params.items()]))
            walk.get(
                _quoted(url, [(f"{field}__year", "2024"), (f"{field}__month", "13")]), expect=400
            )
        for name in dates:
            for value in ("99999-01-01", "0001-01-01", "10000-01-01 00:00:00+01:00"):
                walk.get(_quoted(url, [(name, value)]), expect=400)
        if dates:
            for value in ("9998-12-31", "1000-01-01", "2024-13-45", LONG):
                walk.get(_quoted(url, [(name, value) for name in dates]))
        walk.hostile(url, plain, date_parts=date_parts)
    walk.assert_clean()
    assert walked == len(admin.site._registry)


def _portal_names(patterns=None, namespace=""):
    """The names of the portal's URL patterns (the admin is walked on its own)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _portal_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL | re.IGNORECASE)
_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.IGNORECASE)


def _get_form_fields(html: str) -> list[str]:
    """The names of the fields of a page's GET forms (its filters)."""
    names = []
    for attributes, body in _FORM.findall(html):
        if 'method="post"' in attributes.lower():
            continue
        names.extend(n for n in _FIELD.findall(body) if n != "csrfmiddlewaretoken")
    return names


@pytest.mark.django_db
def test_every_portal_page_survives_hostile_parameters(superuser):
    """Every portal page without URL arguments that a user with every role can open: NUL and a
    control character in any of its filter fields (and the usual parameters) answer 400;
    long strings, huge numbers, impossible dates and broken escapes never give a 5xx."""
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.force_login(superuser)
    walk = Walk(client)
    walked = []
    for name in sorted(set(_portal_names())):
        if name in PORTAL_SKIP:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # needs arguments
        response = client.get(url)
        if response.status_code != 200:
            continue
        walked.append(name)
        fields = _get_form_fields(response.content.decode())
        # A plain parameter's date is the page's form's to check, not the middleware's.
        walk.hostile(
            url, sorted(set(PORTAL_PARAMS + fields)), odd_values=[*ODD_VALUES, "99999-01-01"]
        )
    walk.assert_clean()
    # The lists this issue named, and the others, were reached (34 pages when written).
    for name in ("hr:employee_list", "accounting:payment_list", "inbox", "home"):
        assert name in walked, walked
    assert len(walked) >= 30, walked


@pytest.mark.django_db
def test_nul_in_the_employee_search_is_a_friendly_400(client, make_user):
    """The case from the issue: /hr/employees/?q=%00 was a DataError; now it is the 400 page,
    in the user's language, and the search without NUL still works."""
    client.force_login(make_user(roles.HR_MANAGER))
    response = client.get("/hr/employees/?q=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be read" in page
    assert client.get("/hr/employees/?q=a").status_code == 200
    german = client.get("/hr/employees/?q=%00", headers={"accept-language": "de"})
    assert german.status_code == 400
    assert "konnte nicht gelesen werden" in german.content.decode()


@pytest.mark.django_db
def test_huge_year_in_the_employee_date_hierarchy_is_a_400(admin_client):
    """The case from the issue: ?hire_date__year=99999999999999999999999 was an OverflowError;
    a real year still filters."""
    url = "/admin/hr/employee/"
    assert admin_client.get(f"{url}?hire_date__year={HUGE}").status_code == 400
    assert admin_client.get(f"{url}?status__exact=%00").status_code == 400
    assert admin_client.get(f"{url}?hire_date__year=2024").status_code == 200


# --- The middleware's rules, one by one ------------------------------------------------------


@pytest.mark.parametrize(
    "key,value",
    [
        ("hire_date__year", HUGE),
        ("hire_date__year", "10000"),
        ("hire_date__year", "9999"),
        ("hire_date__year", "999"),
        ("hire_date__year", "abc"),
        ("hire_date__month", "13"),
        ("hire_date__month", "0"),
        ("hire_date__day", "32"),
        ("created_at__hour", "24"),
        ("period__start__year__in", "2024,99999"),
        ("period__start__year__gte", "-2024"),
    ],
)
def test_date_part_out_of_range_is_refused(key, value):
    assert date_part_refusal(key, value)


@pytest.mark.parametrize(
    "key,value",
    [
        ("hire_date__year", "2024"),
        ("hire_date__year", " 2024 "),
        ("hire_date__month", "12"),
        ("hire_date__day", "31"),
        ("hire_date__year__isnull", "True"),
        ("hire_date__year", ""),
        # A model field named "year" is a field, not a date part: the filter checks its value.
        ("year__exact", HUGE),
        ("fiscal_year__year__exact", "2024"),
        ("q", HUGE),
        ("month", "13"),
    ],
)
def test_date_part_in_range_or_not_a_date_part_passes(key, value):
    assert date_part_refusal(key, value) is None


@pytest.mark.parametrize(
    "key,value,refused",
    [
        ("hire_date__gte", "2024-05-31", False),
        ("created_at__gte", "2024-05-31 00:00:00+02:00", False),
        ("hire_date__lt", "9998-12-31", False),
        ("hire_date__gte", "99999-01-01", True),
        ("hire_date__gte", "0001-01-01", True),
        ("created_at__lt", "10000-01-01T00:00:00", True),
        # A plain parameter is the page's form's to check; a reference that looks like a
        # date is no date.
        ("q", "12345-01-01", False),
        ("reference__icontains", "123-4567-89", False),
    ],
)
def test_iso_date_values_of_lookups_need_a_four_digit_year(key, value, refused):
    assert bool(date_value_refusal(key, value)) is refused


def _request(method="get", path="/hr/employees/", data=None, **extra):
    """A request as the server hands it over: the path percent-decoded, a form post's body
    exactly as given (a string) or encoded (a dict)."""
    if method == "post" and isinstance(data, str):
        extra["content_type"] = "application/x-www-form-urlencoded"
    return getattr(RequestFactory(), method)(path, data or {}, **extra)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"q": "\x00"}},
        {"data": {"q": "a\x00b"}},
        {"data": {"q\x00": "a"}},
        {"data": {"q": "\x1b[31m"}},
        {"data": {"q": "\x7f"}},
        {"path": "/hr/employees/%00/"},
        {"path": "/admin/hr/employee/%09/change/"},
        {"method": "post", "data": {"name": "a\x00"}},
        {"method": "post", "data": "name%0b=a"},
        {"method": "post", "data": "note=%1b"},
    ],
)
def test_control_characters_are_refused(request_kwargs):
    assert request_input_refusal(_request(**request_kwargs))


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"q": "Müller-Lüdenscheidt"}},
        {"data": {"q": "\ufffd"}},  # what a broken escape decodes to
        {"data": {"q": "tab\tin a pasted name"}},
        {"method": "post", "data": {"note": "line one\r\nline two\ttab"}},
        {"path": "/hr/employees/M%C3%BCller/"},
    ],
)
def test_ordinary_text_passes(request_kwargs):
    assert request_input_refusal(_request(**request_kwargs)) is None


def test_lone_surrogates_are_control_characters():
    """The query string decoder replaces broken UTF-8, but whatever hands the middleware a lone
    surrogate would hand PostgreSQL an unencodable string."""
    assert control_character_in(["a\ud800b"])
    assert not control_character_in(["Grüße \U0001f600"])


def test_the_middleware_raises_bad_request_and_leaves_good_requests_alone():
    from django.core.exceptions import BadRequest

    seen = []
    middleware = RequestInputMiddleware(lambda request: seen.append(request) or "response")
    with pytest.raises(BadRequest):
        middleware(_request(data={"status__exact": "\x00"}))
    assert seen == []
    assert middleware(_request(data={"status__exact": "paid"})) == "response"
    assert len(seen) == 1


def test_a_cookie_with_a_control_character_is_dropped_not_refused():
    """A forged session cookie would reach the session table as a DataError; it is dropped,
    and the request goes on as if it had not been sent."""
    request = _request()
    request.COOKIES = {"sessionid": "abcdefgh\x00ijk", "django_language": "en"}
    middleware = RequestInputMiddleware(lambda request: request.COOKIES)
    assert middleware(request) == {"django_language": "en"}


@pytest.mark.django_db
def test_a_forged_session_cookie_is_a_login_page_not_a_500():
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.raise_request_exception = False
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get("/hr/employees/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_400_page_needs_no_database():
    """The page is rendered without the session or the user (this test has no database: a
    query would fail it), so refused input does not reach the database through the page."""
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.cookies["sessionid"] = "a" * 32
    response = client.get("/hr/employees/?q=%00")
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


# --- Admin actions: the ids of the selected objects -------------------------------------------


def test_every_admin_model_has_an_integer_key():
    """The middleware refuses an admin action whose ``_selected_action`` is not a whole number;
    that holds only while every model in the admin has an integer primary key."""
    for model in admin.site._registry:
        assert model._meta.pk.get_internal_type() in (
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
        ), model


@naive_datetime_warnings
@pytest.mark.django_db(transaction=True)
def test_admin_actions_with_a_selected_id_that_is_no_number_are_a_400(superuser):
    """``_selected_action=abc`` reached ``pk__in`` unchecked: a ValueError, a 500, on every
    changelist with an action (found posting to /admin/payroll/timeentry/ and
    /admin/accounting/payment/). Now every action answers 400 and changes nothing; a real id
    still reaches the action."""
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.force_login(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    tried = 0
    for model_admin, url in _changelists():
        for name in model_admin.get_actions(request):
            for forged in ("abc", "1 OR 1=1", "-1", "1.5", "٣"):
                response = client.post(
                    url, {"action": name, "index": "0", "_selected_action": ["1", forged]}
                )
                assert response.status_code == 400, (url, name, forged, response.status_code)
                assert REFUSAL_MARK in response.content
            tried += 1
    assert tried >= 10
    # A whole number (also one no row has) is the admin's business again.
    response = client.post(
        "/admin/hr/employee/",
        {"action": "delete_selected", "index": "0", "_selected_action": ["99999999999999999999"]},
    )
    assert response.status_code in (200, 302)
