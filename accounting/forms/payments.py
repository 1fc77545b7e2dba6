"""Forms of the payment pages: they parse input; the payment services check the rules."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounting.models import Account, Payment
from backoffice.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from hr.models import Department


class PaymentForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Payment.Direction.choices)
    counterparty = forms.CharField(label=_("Counterparty"), max_length=200)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        min_value=Decimal("0.01"),
        localize=True,
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Reference"), max_length=140, required=False)
    bank_account = forms.ModelChoiceField(
        label=_("Bank account"), queryset=Account.objects.filter(is_bank=True, active=True)
    )
    counter_account = forms.ModelChoiceField(
        label=_("Counter account"),
        queryset=Account.objects.filter(is_bank=False, active=True),
        help_text=_("Payables (1600) for outgoing, receivables (1400) for incoming payments."),
    )
    department = forms.ModelChoiceField(
        label=_("Cost center"), queryset=Department.objects.order_by("code"), required=False
    )


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + Payment.Status.choices, required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("All"))] + Payment.Direction.choices, required=False
    )
