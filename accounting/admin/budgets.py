"""Admin of budgets (with their monthly split, imported and exported as CSV) and of the
commitments other apps report."""

from __future__ import annotations

from django.contrib import admin

from accounting.models import Budget, BudgetMonth, Commitment
from accounting.resources import BudgetResource
from backoffice.imports import ImportExportAdmin


class BudgetMonthInline(admin.TabularInline):
    model = BudgetMonth
    extra = 0
    max_num = 12
    fields = ["month", "amount"]
    ordering = ["month"]


@admin.register(Budget)
class BudgetAdmin(ImportExportAdmin):
    resource_classes = [BudgetResource]
    list_display = ["department", "fiscal_year", "account", "account_group", "amount", "policy"]
    list_select_related = ["department", "fiscal_year", "account"]
    list_filter = ["fiscal_year", "policy", "department"]
    search_fields = ["department__code", "department__name", "account__number", "account_group"]
    autocomplete_fields = ["department", "account"]
    inlines = [BudgetMonthInline]
    show_full_result_count = False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    """Open orders reported by other apps through ``commitment_open``: read-only here."""

    list_display = ["source", "department", "account", "fiscal_year", "amount", "closed_at"]
    list_select_related = ["department", "account", "fiscal_year"]
    list_filter = ["fiscal_year", "department"]
    search_fields = ["source"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
