"""Forms of the bottom layer: the user's own settings and the password reset mail."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backoffice.selectors import user_language


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form; each mail is written in its recipient's language (the one their
    login chose, else the site's), not in that of whoever asked for the reset."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(user_language(user=context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class LanguageForm(forms.Form):
    """The language of the interface and of the mail the user receives."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
