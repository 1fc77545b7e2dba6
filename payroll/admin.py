"""The payroll admin: declarative; saves go through services; runs and their results are
read-only (payday is driven from the dashboard; a paid run never changes).

Payroll clerks manage schedules, periods, pay profiles, deduction rules and the settings here.
Bank details of a pay profile change only through ``pay_profile_update``, which records every
change with who made it and when.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backoffice.admin_site import ReadOnlyAdmin, ReadOnlyInline
from backoffice.csv_export import csv_response
from payroll.forms import PayProfileAdminForm
from payroll.models import (
    BankDetailsChange,
    BankFile,
    Cheque,
    DeductionRule,
    PayPeriod,
    PayProfile,
    PayrollRun,
    PayrollSettings,
    PaySchedule,
    Payslip,
    PayslipError,
    PayslipLine,
    TimeEntry,
)
from payroll.resources import HOURS_COLUMNS
from payroll.services.profiles import pay_profile_create, pay_profile_update

NOT_CERTIFIED = _(
    "Deduction rules are configurable approximations (percentages or fixed amounts, employee "
    "and employer shares, ceilings). They are not a certified German payroll: check rates and "
    "ceilings against the current law before relying on them."
)


# --- Schedules, periods, settings, rules ---------------------------------------------------------


@admin.register(PaySchedule)
class PayScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "frequency", "payday_day", "anchor_date", "is_default"]
    list_filter = ["frequency"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PayPeriod)
class PayPeriodAdmin(admin.ModelAdmin):
    list_display = ["schedule", "start", "end", "payday"]
    list_select_related = ["schedule"]
    list_filter = ["schedule"]
    date_hierarchy = "start"
    ordering = ["-start"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # A period with a run has its dates fixed: payslips and the ledger refer to them.
        if obj is not None and obj.runs.exists():
            return ["schedule", "start", "end", "payday"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PayrollSettings)
class PayrollSettingsAdmin(admin.ModelAdmin):
    """One row of settings: it can be changed, not added twice or deleted."""

    list_display = [
        "__str__",
        "minimum_wage",
        "overtime_weekly_threshold",
        "overtime_premium",
        "second_approver_required",
    ]
    list_select_related = [
        "wage_expense_account",
        "salary_expense_account",
        "net_pay_account",
        "bank_account",
    ]
    fieldsets = [
        (
            _("Hours and pay"),
            {
                "fields": [
                    "minimum_wage",
                    "overtime_weekly_threshold",
                    "overtime_premium",
                    "second_approver_required",
                    "large_change_percent",
                ],
                "description": NOT_CERTIFIED,
            },
        ),
        (
            _("Ledger"),
            {
                "fields": [
                    "wage_expense_account",
                    "salary_expense_account",
                    "net_pay_account",
                    "bank_account",
                ]
            },
        ),
        (_("Paying company"), {"fields": ["company_name", "company_iban", "company_bic"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The four-eyes rule is not the payroll clerks' to switch off: only a superuser may.
        if request.user.is_superuser:
            return ()
        return ("second_approver_required",)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not PayrollSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeductionRule)
class DeductionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "employee_rate",
        "employer_rate",
        "employee_amount",
        "employer_amount",
        "monthly_ceiling",
        "annual_ceiling",
        "applies_to",
        "order",
        "active",
    ]
    list_select_related = ["liability_account", "employer_expense_account", "base_rule"]
    list_filter = ["active", "kind", "applies_to"]
    search_fields = ["code", "name"]
    ordering = ["order", "code"]
    fieldsets = [
        (
            None,
            {
                "fields": ["code", "name", "kind", "applies_to", "base_rule", "order", "active"],
                "description": NOT_CERTIFIED,
            },
        ),
        (
            _("Shares"),
            {
                "fields": [
                    "employee_rate",
                    "employer_rate",
                    "employee_amount",
                    "employer_amount",
                    "monthly_ceiling",
                    "annual_ceiling",
                ]
            },
        ),
        (_("Ledger"), {"fields": ["liability_account", "employer_expense_account"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": NOT_CERTIFIED}
        return super().changelist_view(request, extra_context=extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Payslip lines refer to rules by code; switch a rule off instead.
        return False


# --- Pay profiles and bank details --------------------------------------------------------------


class BankDetailsChangeInline(ReadOnlyInline):
    model = BankDetailsChange
    fields = ["changed_at", "changed_by", "old_iban", "new_iban", "old_bic", "new_bic"]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]
    verbose_name_plural = _("bank details history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


@admin.register(PayProfile)
class PayProfileAdmin(admin.ModelAdmin):
    form = PayProfileAdminForm
    list_display = [
        "employee",
        "department",
        "schedule",
        "hourly_rate",
        "monthly_salary",
        "pay_method",
        "iban",
    ]
    list_select_related = ["employee__department", "schedule"]
    list_filter = ["pay_method", "schedule", "church_member", "employee__department"]
    search_fields = [
        "employee__personnel_number",
        "employee__last_name",
        "employee__first_name",
        "iban",
    ]
    autocomplete_fields = ["employee"]
    inlines = [BankDetailsChangeInline]
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["employee", "schedule"]}),
        (
            pgettext_lazy("pay profile section", "Pay"),
            {"fields": ["hourly_rate", "monthly_salary", "pay_method"]},
        ),
        (
            _("Bank details"),
            {
                "fields": ["iban", "bic", "account_holder"],
                "description": _(
                    "Every change of IBAN or BIC is kept with who changed it and when."
                ),
            },
        ),
        (_("Deductions"), {"fields": ["church_member", "deductions_exempt"]}),
    ]

    @admin.display(description=_("department"), ordering="employee__department__code")
    def department(self, obj: PayProfile) -> str:
        return obj.employee.department.code

    def get_readonly_fields(self, request, obj=None):
        return ["employee"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """Through the services: the bank details history is always kept."""
        data = form.cleaned_data
        fields = {
            "schedule": data["schedule"],
            "hourly_rate": data.get("hourly_rate"),
            "monthly_salary": data.get("monthly_salary"),
            "pay_method": data["pay_method"],
            "iban": data.get("iban", ""),
            "bic": data.get("bic", ""),
            "account_holder": data.get("account_holder", ""),
            "church_member": data.get("church_member", False),
            "deductions_exempt": data.get("deductions_exempt", False),
        }
        if change:
            saved = pay_profile_update(profile=obj, user=request.user, **fields)
        else:
            saved = pay_profile_create(employee=data["employee"], user=request.user, **fields)
        # The admin logs and redirects with the object it was given.
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()


@admin.register(BankDetailsChange)
class BankDetailsChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "changed_at",
        "profile",
        "changed_by",
        "old_iban",
        "new_iban",
        "old_bic",
        "new_bic",
    ]
    list_display_links = ["changed_at"]
    list_select_related = ["profile__employee", "changed_by"]
    list_filter = ["changed_at"]
    search_fields = [
        "profile__employee__personnel_number",
        "profile__employee__last_name",
        "old_iban",
        "new_iban",
    ]
    date_hierarchy = "changed_at"
    fields = ["profile", "changed_at", "changed_by", "old_iban", "new_iban", "old_bic", "new_bic"]


# --- Hours ---------------------------------------------------------------------------------------


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    """Hours to look at and export. They are entered in the week grid or imported there, where
    the paid-period lock and re-approval rules apply."""

    actions = ["export_csv"]
    list_display = ["date", "employee", "department", "hours", "start_time", "end_time", "status"]
    list_select_related = ["employee__department"]
    list_filter = ["status", "employee__department"]
    search_fields = ["employee__personnel_number", "employee__last_name"]
    date_hierarchy = "date"
    ordering = ["-date", "employee_id"]
    list_per_page = 100

    @admin.display(description=_("department"), ordering="employee__department__code")
    def department(self, obj: TimeEntry) -> str:
        return obj.employee.department.code

    def has_export_csv_permission(self, request) -> bool:
        return request.user.has_perm("payroll.export_payroll_reports")

    @admin.action(
        description=_("Export the selected hours as CSV (the import's columns)"),
        permissions=["export_csv"],
    )
    def export_csv(self, request, queryset):
        rows = (
            queryset.order_by("date", "employee__personnel_number")
            .values_list("employee__personnel_number", "date", "hours", "start_time", "end_time")
            .iterator()
        )
        return csv_response(
            rows=rows, header=HOURS_COLUMNS, filename="hours.csv", dialect="excel-de"
        )


# --- Runs and their results (read-only) -----------------------------------------------------------


@admin.register(PayrollRun)
class PayrollRunAdmin(ReadOnlyAdmin):
    """Runs are driven from the payday dashboard; here they are only looked at."""

    list_display = [
        "period",
        "kind",
        "status",
        "expected_count",
        "calculated_by",
        "approved_by",
        "paid_by",
        "paid_at",
    ]
    list_select_related = [
        "period__schedule",
        "calculated_by",
        "approved_by",
        "paid_by",
    ]
    list_filter = ["status", "kind", "period__schedule"]
    ordering = ["-period__start", "kind"]
    exclude = ["calculation_started_at"]


class PayslipLineInline(ReadOnlyInline):
    model = PayslipLine
    fields = ["kind", "code", "label", "quantity", "rate", "amount"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None) -> bool:
        # Lines are part of the payslip: whoever may see the payslip sees its lines.
        return request.user.has_perm("payroll.view_payslip")


@admin.register(Payslip)
class PayslipAdmin(ReadOnlyAdmin):
    list_display = [
        "employee",
        "run",
        "department",
        "pay_method",
        "hours",
        "gross",
        "deductions",
        "net",
        "published_at",
    ]
    list_select_related = ["employee", "run__period__schedule", "department"]
    list_filter = ["run__status", "pay_method", "department", "run__period__schedule"]
    search_fields = ["employee__personnel_number", "employee__last_name", "iban"]
    raw_id_fields = ["run", "employee"]
    exclude = ["chunk"]
    inlines = [PayslipLineInline]
    list_per_page = 100


@admin.register(PayslipError)
class PayslipErrorAdmin(ReadOnlyAdmin):
    list_display = ["run", "employee", "message"]
    list_select_related = ["run__period__schedule", "employee"]
    search_fields = ["employee__personnel_number", "employee__last_name", "message"]
    exclude = ["chunk"]


@admin.register(Cheque)
class ChequeAdmin(ReadOnlyAdmin):
    list_display = ["number", "payee", "amount", "issued_on", "run"]
    list_select_related = ["run__period__schedule"]
    search_fields = ["number", "payee"]
    date_hierarchy = "issued_on"
    ordering = ["-number"]


@admin.register(BankFile)
class BankFileAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "run", "transactions", "control_sum", "created_at"]
    list_select_related = ["run__period__schedule"]
    search_fields = ["message_id"]
    ordering = ["-created_at"]
