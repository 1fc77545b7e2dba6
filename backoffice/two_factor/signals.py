"""django-axes forgets an account's failed attempts when its login is complete (the project
sets AXES_RESET_ON_SUCCESS off): here after the password for users who need no second factor;
after the second factor (views._passed) for those who do, so wrong codes add up across
password logins."""

from axes.utils import reset as axes_reset
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from backoffice.two_factor.selectors import second_factor_needed


@receiver(user_logged_in, dispatch_uid="backoffice.two_factor.login_complete")
def login_complete(sender, request, user, **kwargs):
    if not second_factor_needed(user):
        axes_reset(username=user.get_username())
