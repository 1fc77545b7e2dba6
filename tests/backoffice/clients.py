from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from backoffice.two_factor.selectors import authenticator_confirmed, second_factor_needed
from tests.backoffice.factories import AuthenticatorFactory


class TwoFactorClient(Client):
    """The test client. ``force_login`` stands for a complete login: a user who needs a second
    factor (backoffice.two_factor) gets a real confirmed authenticator, and the session is
    verified by it as after a right code, so the pages behave as in production. Tests of the
    second factor itself pass ``second_factor=False`` or log in through the login page."""

    def force_login(self, user, backend=None, *, second_factor=True):
        super().force_login(user, backend)
        if second_factor and second_factor_needed(user):
            device = authenticator_confirmed(user) or AuthenticatorFactory(user=user)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
