from django import forms
from django.utils.translation import gettext_lazy as _

from hr.models import Enrolment


class EnrolForm(forms.Form):
    personnel_number = forms.CharField(label=_("Personnel number"), max_length=20)


class EnrolmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Enrolment.Status.choices)
    certificate_date = forms.DateField(
        label=_("Certificate date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
