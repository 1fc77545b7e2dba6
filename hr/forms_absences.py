"""Forms of the absence pages: parse and bound the input; the services check the rules."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from hr.models import Absence

# Dates stay within these years (far from date's limits, see NOTES: admin date filters).
MIN_YEAR, MAX_YEAR = 2000, 2100
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_parse(value: str | None) -> datetime.date | None:
    """``2026-03`` as the first day of that month; None if it is not a month we handle."""
    match = _MONTH.match((value or "").strip())
    if not match or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def year_parse(value: str | None, default: int) -> int:
    try:
        year = int(value or default)
    except (TypeError, ValueError):
        return default
    return year if MIN_YEAR <= year <= MAX_YEAR else default


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _DatesForm(forms.Form):
    def _bounded(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)d and %(last)d.")
                % {"first": MIN_YEAR, "last": MAX_YEAR}
            )
        return value

    def clean_start_date(self):
        return self._bounded("start_date")

    def clean_end_date(self):
        return self._bounded("end_date")


class AbsenceRequestForm(_DatesForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in Absence.REQUESTABLE],
        initial=Absence.Kind.VACATION,
    )
    start_date = forms.DateField(label=_("First day"), widget=_DateInput())
    end_date = forms.DateField(label=_("Last day"), widget=_DateInput())
    half_day = forms.BooleanField(
        label=_("Half day"), required=False, help_text=_("Only when first and last day agree.")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SickRecordForm(_DatesForm):
    personnel_number = forms.CharField(label=_("Personnel number"), max_length=20)
    start_date = forms.DateField(label=_("First day"), widget=_DateInput())
    end_date = forms.DateField(label=_("Last day"), widget=_DateInput())
    certificate_date = forms.DateField(
        label=_("Date of the medical certificate"),
        required=False,
        widget=_DateInput(),
        help_text=_("Leave empty while there is no certificate."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_certificate_date(self):
        return self._bounded("certificate_date")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Reason"), max_length=500, required=False)
