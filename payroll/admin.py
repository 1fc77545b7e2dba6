"""The payroll admin: declarative; saves go through services; runs and their results are
read-only (payday is driven from the dashboard; a paid run never changes).

Payroll clerks manage schedules, periods, pay profiles, deduction rules and the settings here.
What decides where pay goes and how much (a profile's bank details, pay and exemption; the
company's paying account) is saved as a request that a second person approves in the lists of
requests (``PayProfileChange``, ``CompanyAccountChange``); nobody edits their own profile.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backoffice.admin_site import EstimatedCountPaginator, ReadOnlyAdmin, ReadOnlyInline
from backoffice.csv_export import csv_response
from hr.models import Employee
from payroll.forms import PayProfileAdminForm, PayrollSettingsAdminForm, RefusalForm
from payroll.models import (
    BankDetailsChange,
    BankFile,
    Cheque,
    CompanyAccountChange,
    DeductionRule,
    PayPeriod,
    PayProfile,
    PayProfileChange,
    PayrollRun,
    PayrollSettings,
    PaySchedule,
    Payslip,
    PayslipError,
    PayslipLine,
    PendingChange,
    TimeEntry,
)
from payroll.models.config import COMPANY_ACCOUNT_FIELDS
from payroll.models.profiles import SENSITIVE_FIELDS
from payroll.resources import HOURS_COLUMNS
from payroll.selectors import change_rows
from payroll.services.approvals import user_name, when
from payroll.services.company_account import (
    company_account_change_approve,
    company_account_change_pending,
    company_account_change_refuse,
    company_account_change_request,
    company_account_change_withdraw,
)
from payroll.services.profiles import (
    field_labels,
    pay_profile_change_approve,
    pay_profile_change_pending,
    pay_profile_change_refuse,
    pay_profile_change_withdraw,
    pay_profile_create,
    pay_profile_save,
    profile_is_own,
)

NOT_CERTIFIED = _(
    "Deduction rules are configurable approximations (percentages or fixed amounts, employee "
    "and employer shares, ceilings). They are not a certified German payroll: check rates and "
    "ceilings against the current law before relying on them."
)


def _changes_html(change: PendingChange):
    """A request's fields as "field: old → new" lines."""
    return format_html_join(
        mark_safe("<br>"),
        "{}: {} → {}",
        ((row["field"], row["old"], row["new"]) for row in change_rows(change)),
    )


class _ServiceRefusal(Exception):
    """A service refused a save: carried out of the admin's transaction (which rolls back)."""

    def __init__(self, error: Exception):
        super().__init__(_refusal(error))


class _RefusesWithServices:
    """Changeform saves call services (``_service``); a refusal they raise (a rule, not bad
    input: the form checks that) is an error message on the same page, never a 500. The
    admin's transaction around the save rolls back whatever was written before the refusal."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefusal as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @staticmethod
    def _service(function, **kwargs):
        try:
            return function(**kwargs)
        except (ValidationError, PermissionDenied) as exc:
            raise _ServiceRefusal(exc) from exc


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or str(_("You may not do this."))


# --- Schedules, periods, settings, rules ---------------------------------------------------------


@admin.register(PaySchedule)
class PayScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "frequency", "payday_day", "anchor_date", "hours_timing", "is_default"]
    list_filter = ["frequency", "hours_timing"]
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
class PayrollSettingsAdmin(_RefusesWithServices, admin.ModelAdmin):
    """One row of settings: it can be changed, not added twice or deleted. A new paying
    account (company name, IBAN, BIC) is saved as a request that a second person approves;
    until then payday pays from the approved one."""

    form = PayrollSettingsAdminForm

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
                    "absence_pay_reference_weeks",
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
        (
            _("Employer on payslips and cheques"),
            {
                "fields": [
                    "company_street",
                    "company_postal_code",
                    "company_city",
                    "document_language",
                ],
            },
        ),
        (
            _("Paying company"),
            {
                "fields": ["company_name", "company_iban", "company_bic", "company_pending"],
                "description": _(
                    "A new paying account takes effect when a second person approves it."
                ),
            },
        ),
    ]

    @admin.display(description=_("waiting for approval"))
    def company_pending(self, obj=None):
        change = company_account_change_pending()
        if change is None:
            return _("Nothing waits.")
        return format_html(
            '<div data-testid="pending-change">{}<br>{}<br><a href="{}">{}</a></div>',
            _("Asked for by %(user)s on %(when)s:")
            % {"user": user_name(change.requested_by), "when": when(change.requested_at)},
            _changes_html(change),
            reverse("admin:payroll_companyaccountchange_changelist") + "?status__exact=pending",
            _("Approve or refuse"),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["company_pending"]
        # The four-eyes rule is not the payroll clerks' to switch off: only a superuser may.
        if not request.user.is_superuser:
            readonly.append("second_approver_required")
        # One request at a time: while one waits, the account shows as approved.
        if company_account_change_pending() is not None:
            readonly += list(COMPANY_ACCOUNT_FIELDS)
        return readonly

    def save_model(self, request, obj, form, change):
        """The other settings at once; the paying account as a request for approval."""
        saved = PayrollSettings.objects.filter(pk=obj.pk).first() if change else None
        wanted = {}
        for name in COMPANY_ACCOUNT_FIELDS:
            if name in form.cleaned_data:
                wanted[name] = form.cleaned_data[name]
        # Only an approved request changes the account (the IBAN and BIC are accounting's
        # and are never written here).
        default = PayrollSettings._meta.get_field("company_name").get_default()
        obj.company_name = saved.company_name if saved else default
        super().save_model(request, obj, form, change)
        if wanted and any(getattr(obj, n) != v for n, v in wanted.items()):
            self._service(company_account_change_request, user=request.user, **wanted)
            self.message_user(
                request,
                _(
                    "The new paying account waits for a second person's approval; until "
                    "then payday pays from the approved one."
                ),
                messages.WARNING,
            )

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
        "category",
        "order",
        "active",
    ]
    list_select_related = ["liability_account", "employer_expense_account", "base_rule"]
    list_filter = ["active", "kind", "applies_to", "category"]
    search_fields = ["code", "name"]
    ordering = ["order", "code"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "kind",
                    "applies_to",
                    "category",
                    "base_rule",
                    "order",
                    "active",
                ],
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


class PayProfileChangeInline(ReadOnlyInline):
    """Every request for the profile and its decision: who asked, who approved or refused."""

    model = PayProfileChange
    fields = [
        "requested_at",
        "requested_by",
        "kind",
        "what",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields
    ordering = ["-requested_at", "-id"]
    verbose_name_plural = _("requests and decisions")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "decided_by")

    @admin.display(description=_("change"))
    def what(self, obj: PayProfileChange):
        return _changes_html(obj)


class BankDetailsChangeInline(ReadOnlyInline):
    model = BankDetailsChange
    fields = [
        "changed_at",
        "requested_by",
        "changed_by",
        "old_iban",
        "new_iban",
        "old_bic",
        "new_bic",
    ]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]
    verbose_name_plural = _("bank details history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by", "requested_by")


@admin.register(PayProfile)
class PayProfileAdmin(_RefusesWithServices, admin.ModelAdmin):
    """Schedule and church tax change at once; what decides where pay goes and how much
    (``SENSITIVE_FIELDS``) is saved as a request that a second person approves. One's own
    profile is read-only."""

    form = PayProfileAdminForm
    list_display = [
        "employee",
        "department",
        "schedule",
        "hourly_rate",
        "monthly_salary",
        "pay_method",
        "iban",
        "approved",
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
    inlines = [PayProfileChangeInline, BankDetailsChangeInline]
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
                    "A change of bank details, pay or the exemption from deductions takes "
                    "effect when a second person approves it; every change of IBAN or BIC is "
                    "kept with who asked, who approved and when."
                ),
            },
        ),
        (_("Deductions"), {"fields": ["church_member", "deductions_exempt"]}),
    ]

    def get_queryset(self, request):
        # The list's joins too: the changelist skips list_select_related once any is set.
        return (
            super()
            .get_queryset(request)
            .select_related("employee__department", "schedule", "approved_by")
        )

    @admin.display(description=_("department"), ordering="employee__department__code")
    def department(self, obj: PayProfile) -> str:
        return obj.employee.department.code

    @admin.display(description=_("approved"), boolean=True, ordering="approved_at")
    def approved(self, obj: PayProfile) -> bool:
        return obj.is_approved

    @admin.display(description=_("approval"))
    def approval(self, obj: PayProfile) -> str:
        if not obj.is_approved:
            return _("Not approved yet: not paid until a second person approves it.")
        if obj.approved_by_id is None:
            return _("Approved (before four-eyes approval was introduced).")
        return _("Approved by %(user)s on %(when)s.") % {
            "user": user_name(obj.approved_by),
            "when": when(obj.approved_at),
        }

    @admin.display(description=_("waiting for approval"))
    def pending_change(self, obj: PayProfile):
        change = pay_profile_change_pending(profile=obj)
        if change is None:
            return _("Nothing waits.")
        return format_html(
            '<div data-testid="pending-change">{}<br>{}<br><a href="{}">{}</a></div>',
            _("Asked for by %(user)s on %(when)s%(self_service)s:")
            % {
                "user": user_name(change.requested_by),
                "when": when(change.requested_at),
                "self_service": _(" (by the employee)") if change.via_self_service else "",
            },
            _changes_html(change),
            reverse("admin:payroll_payprofilechange_changelist")
            + f"?profile__exact={obj.pk}&status__exact=pending",
            _("Approve or refuse"),
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [(_("Approval"), {"fields": ["approval", "pending_change"]}), *fieldsets]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["employee", "approval", "pending_change"]
        # While a change waits, the fields it may cover stay as approved (one at a time).
        if pay_profile_change_pending(profile=obj) is not None:
            readonly += list(SENSITIVE_FIELDS)
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "employee":
            # Nobody creates their own pay profile (the service refuses it too).
            kwargs["queryset"] = Employee.objects.filter(pay_profile__isnull=True).exclude(
                user=request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and profile_is_own(profile=obj, user=request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """Through the services: sensitive fields become a request for approval."""
        data = form.cleaned_data
        # Read-only fields (a change waits) are not in the form: they keep their values.
        fields = {
            name: data[name] if name in data else getattr(obj, name) for name in SENSITIVE_FIELDS
        }
        if change:
            current = PayProfile.objects.get(pk=obj.pk)
            request_made = self._service(
                pay_profile_save,
                profile=current,
                user=request.user,
                schedule=data["schedule"],
                church_member=data.get("church_member", False),
                **fields,
            )
            if request_made is not None:
                self.message_user(
                    request,
                    _(
                        "The change of %(fields)s waits for a second person's approval; "
                        "until then the profile keeps its values and payday pays those."
                    )
                    % {"fields": field_labels(request_made.changes)},
                    messages.WARNING,
                )
            saved = current
        else:
            saved = self._service(
                pay_profile_create,
                employee=data["employee"],
                user=request.user,
                schedule=data["schedule"],
                church_member=data.get("church_member", False),
                **fields,
            )
            self.message_user(
                request,
                _(
                    "The new pay profile waits for a second person's approval; it is not paid "
                    "until then."
                ),
                messages.WARNING,
            )
        # The admin logs and redirects with the object it was given.
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()


class _DecisionAdmin(ReadOnlyAdmin):
    """Requests for a change that a second person approves or refuses (with a reason), or
    the requester withdraws. Each action calls the service per row; a refusal by the service is
    a message naming the row."""

    approve_permission = ""
    withdraw_permission = ""
    services: ClassVar[dict] = {}
    actions = ["approve_changes", "refuse_changes", "withdraw_changes"]
    list_filter = ["status"]
    date_hierarchy = "requested_at"
    ordering = ["-requested_at", "-id"]

    @admin.display(description=_("change"))
    def what(self, obj):
        return _changes_html(obj)

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm(self.approve_permission)

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm(self.withdraw_permission)

    def _each(self, request, queryset, action: str, done_text, **kwargs) -> None:
        service = self.services[action]
        done = 0
        for change in queryset.order_by("requested_at", "id"):
            try:
                service(change=change, user=request.user, **kwargs)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request,
                    _("%(change)s: %(reason)s") % {"change": change, "reason": _refusal(exc)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_text % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected changes"), permissions=["approve"])
    def approve_changes(self, request, queryset):
        self._each(request, queryset, "approve", _("Changes approved: %(count)d."))

    @admin.action(description=_("Refuse the selected changes…"), permissions=["approve"])
    def refuse_changes(self, request, queryset):
        """Asks for the reason first (the requester is told), then refuses each."""
        form = RefusalForm(request.POST if "refuse" in request.POST else None)
        if form.is_valid():
            self._each(
                request,
                queryset,
                "refuse",
                _("Changes refused: %(count)d."),
                note=form.cleaned_data["note"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Refuse the selected changes"),
            "form": form,
            "changes": list(queryset.order_by("requested_at", "id")[:100]),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action": "refuse_changes",
        }
        return TemplateResponse(request, "admin/payroll/refuse_changes.html", context)

    @admin.action(
        description=_("Withdraw the selected changes (your own)"), permissions=["withdraw"]
    )
    def withdraw_changes(self, request, queryset):
        self._each(request, queryset, "withdraw", _("Changes withdrawn: %(count)d."))


@admin.register(PayProfileChange)
class PayProfileChangeAdmin(_DecisionAdmin):
    approve_permission = "payroll.approve_payprofilechange"
    withdraw_permission = "payroll.change_payprofile"
    services = {
        "approve": pay_profile_change_approve,
        "refuse": pay_profile_change_refuse,
        "withdraw": pay_profile_change_withdraw,
    }
    list_display = [
        "requested_at",
        "profile",
        "kind",
        "what",
        "requested_by",
        "via_self_service",
        "status",
        "decided_by",
        "decided_at",
    ]
    list_display_links = ["requested_at"]
    list_select_related = ["profile__employee", "requested_by", "decided_by"]
    list_filter = ["status", "kind", "via_self_service"]
    search_fields = [
        "profile__employee__personnel_number",
        "profile__employee__last_name",
        "profile__employee__first_name",
    ]
    fields = [
        "profile",
        "kind",
        "what",
        "requested_by",
        "requested_at",
        "via_self_service",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields
    list_per_page = 50


@admin.register(CompanyAccountChange)
class CompanyAccountChangeAdmin(_DecisionAdmin):
    approve_permission = "payroll.approve_companyaccountchange"
    withdraw_permission = "payroll.change_payrollsettings"
    services = {
        "approve": company_account_change_approve,
        "refuse": company_account_change_refuse,
        "withdraw": company_account_change_withdraw,
    }
    list_display = [
        "requested_at",
        "what",
        "requested_by",
        "status",
        "decided_by",
        "decided_at",
    ]
    list_display_links = ["requested_at"]
    list_select_related = ["requested_by", "decided_by"]
    fields = [
        "what",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields


@admin.register(BankDetailsChange)
class BankDetailsChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "changed_at",
        "profile",
        "requested_by",
        "changed_by",
        "old_iban",
        "new_iban",
        "old_bic",
        "new_bic",
    ]
    list_display_links = ["changed_at"]
    list_select_related = ["profile__employee", "changed_by", "requested_by"]
    list_filter = ["changed_at"]
    search_fields = [
        "profile__employee__personnel_number",
        "profile__employee__last_name",
        "old_iban",
        "new_iban",
    ]
    date_hierarchy = "changed_at"
    fields = [
        "profile",
        "changed_at",
        "requested_by",
        "changed_by",
        "change_request",
        "old_iban",
        "new_iban",
        "old_bic",
        "new_bic",
    ]


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
    # Fifty rows: rendering the rows' cells (ten columns, each escaped and formatted) is most
    # of this page's cost; a hundred rows cost about 38 ms a request at 10,000 employees.
    list_per_page = 50
    # Newest first along the primary key: the inherited ordering (the run's period) sorted
    # every payslip through four joins to show a hundred.
    ordering = ["-pk"]
    paginator = EstimatedCountPaginator


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
