"""Writes of the second factor. Each owns its transaction and locks the device it checks, so
two requests cannot both spend one code; django-otp's throttling (a wait that doubles with
each wrong code) is recorded in the same transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_noop
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.roles import HR_MANAGER, user_has_role
from backoffice.services import notify
from backoffice.stored_text import stored
from backoffice.two_factor.selectors import AUTHENTICATOR_NAME, RECOVERY_NAME

RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why none did."""

    device: Device | None = None
    # Set when a device refused to look at the code because of recent wrong codes.
    retry_after: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None


def code_normalize(code: str) -> str:
    """Codes as people type them: spaces and hyphens dropped, recovery codes lower case."""
    return "".join(code.split()).replace("-", "").lower()


def _is_authenticator_code(code: str) -> bool:
    return code.isdigit() and len(code) in (6, 8)


def _check(devices, code: str) -> CodeCheck:
    retry_after = None
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            retry_after = (info or {}).get("locked_until")
            continue
        if device.verify_token(code):
            return CodeCheck(device=device)
    return CodeCheck(retry_after=retry_after)


@transaction.atomic
def authenticator_enrollment_start(*, user) -> TOTPDevice:
    """The authenticator the user is setting up: a new secret on the first call, the same one
    on a reload (the app may have scanned it already)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def authenticator_enrollment_confirm(*, user, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirm the authenticator being set up with its first code. On success it replaces any
    earlier authenticator and the user gets fresh recovery codes (returned, shown once)."""
    code = code_normalize(code)
    devices = list(
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk")[:1]
    )
    check = _check(devices, code)
    if not check.ok:
        return check, []
    device = check.device
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return check, _recovery_codes_replace(user)


@transaction.atomic
def second_factor_verify(*, user, code: str) -> CodeCheck:
    """Check a code from the user's authenticator (digits) or one of their recovery codes (used
    up by the check)."""
    code = code_normalize(code)
    model = TOTPDevice if _is_authenticator_code(code) else StaticDevice
    devices = model.objects.devices_for_user(user, confirmed=True).select_for_update()
    return _check(devices.order_by("pk"), code)


def _recovery_codes_replace(user) -> list[str]:
    # The device stays (a session verified by a recovery code stays verified); its codes change.
    device = (
        StaticDevice.objects.select_for_update()
        .filter(user=user, name=RECOVERY_NAME)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    ordered = sorted(codes)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in ordered])
    return ordered


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """New recovery codes for a user with a confirmed authenticator; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDenied("no confirmed authenticator")
    return _recovery_codes_replace(user)


def second_factor_may_reset(*, by, user) -> bool:
    """Superusers may reset anyone's second factor; HR managers anyone's but a superuser's and
    their own (an HR manager who lost their phone asks a superuser)."""
    if by.is_superuser:
        return True
    return user_has_role(by, HR_MANAGER) and not user.is_superuser and by.pk != user.pk


@transaction.atomic
def second_factor_reset(*, user, by) -> int:
    """Remove the user's authenticators and recovery codes: at their next login they set up a
    new authenticator. Their open sessions lose their verification at once. Returns the number
    of devices removed; the user is told in their inbox."""
    if not second_factor_may_reset(by=by, user=user):
        raise PermissionDenied("may not reset this user's second factor")
    authenticators = TOTPDevice.objects.filter(user=user)
    recovery = StaticDevice.objects.filter(user=user)
    removed = authenticators.count() + recovery.count()
    authenticators.delete()
    recovery.delete()
    if removed:
        notify(
            users=[user],
            subject=stored(gettext_noop("Your second factor was reset")),
            body=stored(
                gettext_noop(
                    "%(name)s removed your authenticator app and recovery codes. At your next "
                    "login you set up a new authenticator. If you did not ask for this, tell IT."
                ),
                name=by.get_full_name() or by.get_username(),
            ),
        )
    return removed
