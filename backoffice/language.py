"""The user's own language follows them: the one they chose (``UserPreference.language``)
becomes the interface's language when they sign in, on any device.

Django's ``LocaleMiddleware`` takes the language from the cookie ``LANGUAGE_COOKIE_NAME``
(else the browser's ``Accept-Language``); the session keeps none. So a login that knows the
user's choice sets that cookie on its response, as the language switch (``set_language``)
does. The ``user_logged_in`` signal knows the user but not the response: its receiver notes
the language on the request, and ``LoginLanguageMiddleware`` sets the cookie. Every login
passes there (our login page, the admin's). A user who never chose keeps the language of their
cookie or browser.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from backoffice.selectors import user_language_chosen

_ATTRIBUTE = "backoffice_login_language"


def language_cookie_set(response, language: str) -> None:
    """The language cookie, set exactly as Django's ``set_language`` sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@receiver(user_logged_in, dispatch_uid="backoffice.language.login_language")
def login_language(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    chosen = user_language_chosen(user=user)
    if chosen:
        setattr(request, _ATTRIBUTE, chosen)


class LoginLanguageMiddleware:
    """Sets the language cookie on the response of a request that signed a user in who chose
    a language (noted by ``login_language``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, _ATTRIBUTE, "")
        if language:
            language_cookie_set(response, language)
        return response
