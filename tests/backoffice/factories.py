import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class AuthenticatorFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (TOTP device) with a random secret."""

    class Meta:
        model = TOTPDevice

    name = "authenticator"
    confirmed = True


def current_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or ``steps_ahead`` periods later,
    within the device's tolerance)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"
