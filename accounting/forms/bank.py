"""Forms of the bank statement pages: they parse input; the bank services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounting.bank_formats import MAX_FILE_BYTES
from accounting.models import Account, Payment
from hr.models import Department


class StatementImportForm(forms.Form):
    bank_account = forms.ModelChoiceField(
        label=_("Bank account"), queryset=Account.objects.filter(is_bank=True, active=True)
    )
    file = forms.FileField(
        label=_("Statement file"),
        help_text=_("CSV (semicolon separated, decimal comma) or camt.053 XML."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class LineMatchForm(forms.Form):
    payment = forms.ModelChoiceField(
        label=_("Payment"),
        queryset=Payment.objects.filter(status=Payment.Status.POSTED),
        error_messages={"invalid_choice": _("There is no approved payment with this number.")},
    )


class LineBookForm(forms.Form):
    # No preset: the accountant chooses the counter-account of every booking.
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.filter(is_bank=False, active=True),
        error_messages={
            "required": _("Choose the account to book the line against."),
            "invalid_choice": _("Choose an active account that is not a bank account."),
        },
    )
    department = forms.ModelChoiceField(
        label=_("Cost center"), queryset=Department.objects.all(), required=False
    )
