"""Second factor pages: the code after the password, setting up an authenticator, and the
user's own Security page. Thin: the checks and writes are in services."""

from __future__ import annotations

import math
from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from backoffice.forms import LanguageForm
from backoffice.selectors import user_language_chosen
from backoffice.two_factor import services
from backoffice.two_factor.forms import SecondFactorCodeForm
from backoffice.two_factor.selectors import (
    authenticator_confirmed,
    recovery_codes_left,
    second_factor_needed,
    second_factor_passed,
    second_factor_satisfied,
)

_OWN_PAGES = ("two_factor_verify", "two_factor_enroll")


def _next_url(request) -> str:
    """Where to go once the second factor is passed: a local ``next``, else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    own = tuple(reverse(name) for name in _OWN_PAGES)
    if (
        candidate
        and not candidate.startswith(own)
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def _failure_count(request, user) -> bool:
    """A wrong code counts as a failed login for django-axes (per account). True when this
    failure locks the account."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def _lock_out(request, user):
    credentials = _credentials(user)
    logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return get_lockout_response(request, None, credentials)


def _passed(request, device) -> None:
    """The session is verified by ``device``; the account's failed attempts are forgotten."""
    otp_login(request, device)
    request.session.cycle_key()
    axes_reset(username=request.user.get_username())


def _refusal(check: services.CodeCheck, default: str) -> str:
    if check.retry_after is not None:
        seconds = max(1, math.ceil((check.retry_after - timezone.now()).total_seconds()))
        return ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then try again.",
            "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
            seconds,
        ) % {"seconds": seconds}
    return default


@never_cache
@login_required
def verify(request):
    """The code after the password: from the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if second_factor_satisfied(user):
        return redirect(next_url)
    if authenticator_confirmed(user) is None:
        return redirect(_with_next("two_factor_enroll", next_url))
    if AxesProxyHandler.is_locked(request, _credentials(user)):
        return _lock_out(request, user)

    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if check.ok:
            _passed(request, check.device)
            if isinstance(check.device, StaticDevice):
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left. New ones are on your "
                        "Security page.",
                        "You used a recovery code; %(count)d are left. New ones are on your "
                        "Security page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        form.add_error(
            None,
            _refusal(
                check,
                _(
                    "That code is not valid. Enter the current code from your authenticator "
                    "app, or one of your recovery codes."
                ),
            ),
        )
        if _failure_count(request, user):
            return _lock_out(request, user)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


def _qr_svg(uri: str) -> str:
    # Server-side SVG: the Content-Security-Policy allows no inline script.
    svg = segno.make(uri, error="m", micro=False).svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code"
    )
    return mark_safe(svg)  # noqa: S308 (segno's own markup; the URI is encoded as modules)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def enroll(request):
    """Set up an authenticator app: scan the code (or type the key), confirm with a first
    code, then see the recovery codes once. Also how a verified user replaces their app."""
    user = request.user
    next_url = _next_url(request)
    if not second_factor_needed(user):
        return redirect(next_url)
    if authenticator_confirmed(user) is not None and not second_factor_passed(user):
        return redirect(_with_next("two_factor_verify", next_url))

    device = services.authenticator_enrollment_start(user=user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = services.authenticator_enrollment_confirm(
            user=user, code=form.cleaned_data["code"]
        )
        if check.ok:
            _passed(request, check.device)
            return render(
                request,
                "registration/two_factor_recovery_codes.html",
                {"codes": codes, "next": next_url, "enrolled": True},
            )
        form.add_error(
            None,
            _refusal(
                check,
                _(
                    "That code does not match. Check that the time on your phone is right and "
                    "enter the code the app shows now."
                ),
            ),
        )
    return render(
        request,
        "registration/two_factor_enroll.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(b32encode(device.bin_key).decode("ascii")),
            "otpauth_uri": device.config_url,
        },
    )


@never_cache
@login_required
@require_GET
def security(request):
    """The user's own account: their language, their second factor (the authenticator and how
    many recovery codes remain)."""
    user = request.user
    return render(
        request,
        "backoffice/security.html",
        {
            "needed": second_factor_needed(user),
            "authenticator": authenticator_confirmed(user),
            "recovery_left": recovery_codes_left(user),
            "language_form": LanguageForm(
                initial={"language": user_language_chosen(user=user) or get_language()}
            ),
        },
    )


@never_cache
@login_required
@require_POST
def recovery_codes_regenerate(request):
    if authenticator_confirmed(request.user) is None:
        messages.error(request, _("Set up an authenticator app first."))
        return redirect("security")
    codes = services.recovery_codes_regenerate(user=request.user)
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": reverse("security"), "enrolled": False},
    )
