"""Reads: who needs a second factor, and what devices a user has."""

from __future__ import annotations

from django.conf import settings

from backoffice.roles import ROLES, user_roles

# The device names django-otp stores (shown translated, never as stored).
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def second_factor_needed(user) -> bool:
    """Whether this user must pass a second factor: superusers and the flagged roles, while
    TWO_FACTOR_REQUIRED is on."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return False
    if user.is_superuser:
        return True
    return any(ROLES[name].second_factor for name in user_roles(user) if name in ROLES)


def second_factor_passed(user) -> bool:
    """Whether the request's session has been verified by one of the user's devices
    (django-otp's OTPMiddleware sets ``is_verified``)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def second_factor_satisfied(user) -> bool:
    """Nothing more is asked of this user: no second factor is needed, or it was passed."""
    return not second_factor_needed(user) or second_factor_passed(user)


def authenticator_confirmed(user):
    """The user's confirmed authenticator (TOTP) device, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
