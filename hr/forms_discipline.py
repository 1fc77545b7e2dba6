from django import forms
from django.utils.translation import gettext_lazy as _

from hr.models import DisciplinaryRecord


class DisciplinaryRecordForm(forms.Form):
    personnel_number = forms.CharField(label=_("Personnel number"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisciplinaryRecord.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("PDF, PNG or JPEG."),
    )


class DocumentForm(forms.Form):
    document = forms.FileField(label=_("Document"), help_text=_("PDF, PNG or JPEG."))
