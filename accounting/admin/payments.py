"""Admin of payments (approved or cancelled in bulk through the payment service) and of bank
statements (read-only: imported and reconciled on the bank pages)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounting.admin.base import refusal
from accounting.models import BankStatement, BankStatementLine, Payment
from backoffice.admin_site import ReadOnlyInline


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are created on the payment pages (IBAN checked, creator recorded) and approved
    by a second person; here they are listed and approved or cancelled in bulk."""

    list_display = [
        "counterparty",
        "direction",
        "amount",
        "due_date",
        "status",
        "created_by",
        "approved_by",
        "bank_account",
    ]
    list_select_related = ["created_by", "approved_by", "bank_account"]
    list_filter = ["status", "direction", "bank_account"]
    search_fields = ["counterparty", "reference", "iban", "source"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [
        "direction",
        "counterparty",
        "iban",
        "bic",
        "amount",
        "due_date",
        "reference",
        "bank_account",
        "counter_account",
        "department",
        "status",
        "source",
        "created_by",
        "approved_by",
        "approved_at",
        "entry",
    ]
    actions = ["approve_payments", "cancel_payments"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("accounting.approve_payment")

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The payment service is optional at import time; without it there is nothing to call.
        if _payment_service() is None:
            actions.pop("approve_payments", None)
            actions.pop("cancel_payments", None)
        return actions

    @admin.action(
        description=gettext_lazy("Approve and post the selected payments"), permissions=["approve"]
    )
    def approve_payments(self, request, queryset):
        self._each(
            request,
            queryset,
            "payment_approve",
            _("%(n)d payment approved and posted."),
            _("%(n)d payments approved and posted."),
        )

    @admin.action(description=gettext_lazy("Cancel the selected payments"), permissions=["approve"])
    def cancel_payments(self, request, queryset):
        self._each(
            request,
            queryset,
            "payment_cancel",
            _("%(n)d payment cancelled."),
            _("%(n)d payments cancelled."),
        )

    def _each(self, request, queryset, name, singular, plural):
        service = getattr(_payment_service(), name, None)
        if service is None:
            self.message_user(request, _("This action is not available."), messages.ERROR)
            return
        done = 0
        for payment in queryset.order_by("id"):
            try:
                service(payment=payment, user=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("Payment %(payment)s: %(reason)s")
                    % {"payment": payment, "reason": refusal(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            text = singular if done == 1 else plural
            self.message_user(request, text % {"n": done}, messages.SUCCESS)


def _payment_service():
    try:
        from accounting.services import payments
    except ImportError:
        return None
    return payments


class BankStatementLineInline(ReadOnlyInline):
    model = BankStatementLine
    fields = [
        "booking_date",
        "amount",
        "counterparty",
        "iban",
        "reference",
        "status",
        "payment",
        "entry",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment", "entry__fiscal_year")


@admin.register(BankStatement)
class BankStatementAdmin(admin.ModelAdmin):
    """Statements are imported and reconciled on the bank pages; read-only here."""

    list_display = [
        "reference",
        "bank_account",
        "date",
        "opening_balance",
        "closing_balance",
        "file_format",
        "reconciled_at",
        "imported_by",
    ]
    list_select_related = ["bank_account", "imported_by"]
    list_filter = ["bank_account", "file_format"]
    search_fields = ["reference"]
    show_full_result_count = False
    readonly_fields = [
        "bank_account",
        "reference",
        "date",
        "opening_balance",
        "closing_balance",
        "file_format",
        "imported_by",
        "reconciled_at",
        "reconciled_by",
    ]
    inlines = [BankStatementLineInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
