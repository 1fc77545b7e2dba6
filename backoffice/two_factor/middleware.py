"""Until a user who needs a second factor has passed it, every page but a few answers with a
redirect to the code page (or to the authenticator setup, when they have none yet)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from backoffice.two_factor.selectors import (
    authenticator_confirmed,
    second_factor_needed,
    second_factor_passed,
)

# What a user between password and second factor may still reach.
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "two_factor_verify",
        "two_factor_enroll",
        "set_language",
        "healthz",
        "admin:logout",
    }
)


def _exempt(request) -> bool:
    path = request.path_info
    if settings.STATIC_URL and path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in EXEMPT_URL_NAMES


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware. Applies to every view, the admin included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and second_factor_needed(user)
            and not second_factor_passed(user)
            and not _exempt(request)
        ):
            name = "two_factor_verify" if authenticator_confirmed(user) else "two_factor_enroll"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
