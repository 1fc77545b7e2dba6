"""Admin of the chart of accounts, fiscal years, periods and the journal.

Journal entries are never added or changed through a form: they come in through the posting
service (from the other apps, or from an uploaded file here) and are corrected by a reversal.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounting.admin.base import refusal
from accounting.models import Account, FiscalYear, JournalEntry, JournalLine, Period
from accounting.resources import AccountResource, entries_read
from accounting.services.ledger import (
    PostingRefused,
    fiscal_year_open,
    journal_entries_post,
    journal_entry_reverse,
    period_close,
    period_reopen,
)
from backoffice.admin_site import ReadOnlyInline
from backoffice.imports import ImportExportAdmin

MAX_ENTRY_FILE_BYTES = 20 * 1024 * 1024


@admin.register(Account)
class AccountAdmin(ImportExportAdmin):
    resource_classes = [AccountResource]
    list_display = ["number", "name_de", "name_en", "type", "group", "is_bank", "active"]
    list_filter = ["type", "is_bank", "active", "group"]
    search_fields = ["number", "name_de", "name_en"]
    ordering = ["number"]
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # A bank account's IBAN and BIC are what the company pays from: once the account
        # exists they change through bank_account_details_set (payroll asks a second person
        # first), not by editing a field here.
        if obj is not None and obj.is_bank:
            return ["iban", "bic"]
        return []


class PeriodInline(ReadOnlyInline):
    model = Period
    fields = ["month", "start", "end", "status", "closed_at", "closed_by"]
    readonly_fields = fields
    ordering = ["month"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("closed_by")


class FiscalYearAddForm(forms.ModelForm):
    class Meta:
        model = FiscalYear
        fields = ["year"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 1900 <= year <= 2999:
            raise ValidationError(_("Give a year between 1900 and 2999."))
        return year


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    """Adding a year opens it through ``fiscal_year_open``: calendar dates, twelve periods."""

    list_display = ["year", "start", "end", "last_number"]
    inlines = [PeriodInline]
    actions = ["open_following_year"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = FiscalYearAddForm
            kwargs["fields"] = ["year"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["year"] if obj is None else ["year", "start", "end", "last_number"]

    def get_readonly_fields(self, request, obj=None):
        # A year's dates and numbering are fixed once it has periods and entries.
        return [] if obj is None else ["year", "start", "end", "last_number"]

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            return
        opened = fiscal_year_open(year=form.cleaned_data["year"])
        obj.pk, obj.start, obj.end = opened.pk, opened.start, opened.end
        obj.created_at, obj.updated_at = opened.created_at, opened.updated_at
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Periods are created by the service, never through the inline."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(
        description=gettext_lazy("Open the year after the latest one"), permissions=["add"]
    )
    def open_following_year(self, request, queryset):
        latest = FiscalYear.objects.aggregate(latest=Max("year"))["latest"]
        year = fiscal_year_open(year=(latest or timezone.localdate().year - 1) + 1)
        self.message_user(
            request,
            _("Fiscal year %(year)s is open with its twelve periods.") % {"year": year.year},
            messages.SUCCESS,
        )


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "fiscal_year",
        "month",
        "start",
        "end",
        "status",
        "closed_at",
        "closed_by",
    ]
    list_filter = ["status", "fiscal_year"]
    list_select_related = ["fiscal_year", "closed_by"]
    ordering = ["-start"]
    readonly_fields = ["fiscal_year", "month", "start", "end", "status", "closed_at", "closed_by"]
    actions = ["close_periods", "reopen_periods"]

    def has_add_permission(self, request) -> bool:
        return False  # periods come with their fiscal year

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # closed and reopened by the actions only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_close_permission(self, request) -> bool:
        return request.user.has_perm("accounting.close_period")

    @admin.action(description=gettext_lazy("Close the selected periods"), permissions=["close"])
    def close_periods(self, request, queryset):
        closed = 0
        for period in queryset.order_by("start"):
            if period.status != Period.Status.CLOSED:
                period_close(period=period, user=request.user)
                closed += 1
        self.message_user(
            request,
            ngettext("%(n)d period closed.", "%(n)d periods closed.", closed) % {"n": closed},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Reopen the selected periods"), permissions=["close"])
    def reopen_periods(self, request, queryset):
        reopened = 0
        for period in queryset.order_by("start"):
            if period.status != Period.Status.OPEN:
                period_reopen(period=period, user=request.user)
                reopened += 1
        self.message_user(
            request,
            ngettext("%(n)d period reopened.", "%(n)d periods reopened.", reopened)
            % {"n": reopened},
            messages.SUCCESS,
        )


# --- Journal ------------------------------------------------------------------------------------


class JournalLineInline(ReadOnlyInline):
    model = JournalLine
    fields = ["account", "side", "amount", "department", "memo"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "department")


class EntryImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: entry, date, account, side, amount, department, memo. One row per line; "
            "rows with the same entry key form one entry. Comma or semicolon separated, UTF-8."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ENTRY_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_ENTRY_FILE_BYTES // 2**20}
            )
        return upload


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """Posted entries are read-only (the database refuses changes too); a reversal corrects
    them. New entries come in through the posting service: from other apps or a file upload."""

    change_list_template = "admin/accounting/journalentry/change_list.html"
    list_display = ["__str__", "date", "memo", "source", "posted_by", "posted_at", "reverses"]
    list_select_related = ["fiscal_year", "posted_by", "reverses__fiscal_year"]
    list_filter = ["fiscal_year"]
    search_fields = ["=number", "memo", "source"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [JournalLineInline]
    fields = [
        "fiscal_year",
        "period",
        "number",
        "date",
        "memo",
        "source",
        "reverses",
        "reversed_by_link",
        "posted_by",
        "posted_at",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields
    actions = ["reverse_entries"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_reverse_permission(self, request) -> bool:
        return request.user.has_perm("accounting.reverse_journalentry")

    def may_import(self, request) -> bool:
        return request.user.has_perm("accounting.add_journalentry")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "fiscal_year", "period__fiscal_year", "posted_by", "reverses__fiscal_year"
            )
        )

    @admin.display(description=gettext_lazy("reversed by"))
    def reversed_by_link(self, obj):
        reversal = JournalEntry.objects.filter(reverses=obj).select_related("fiscal_year").first()
        if reversal is None:
            return "–"
        url = reverse("admin:accounting_journalentry_change", args=[reversal.pk])
        return format_html('<a href="{}">{}</a>', url, f"{reversal.date.year}/{reversal.number}")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import_entries": self.may_import(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        return [
            path(
                "import-entries/",
                self.admin_site.admin_view(self.import_entries_view),
                name="accounting_journalentry_import_entries",
            ),
            *super().get_urls(),
        ]

    def import_entries_view(self, request):
        """Upload a CSV of journal lines: every row is checked first, then all entries post in
        one call (all or nothing). The same file uploaded again posts nothing new."""
        if not self.may_import(request):
            raise PermissionDenied
        errors: list[str] = []
        form = EntryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            parsed = entries_read(form.cleaned_data["file"].read())
            errors = parsed.errors
            if not errors:
                sources = [spec.source for spec in parsed.specs]
                known = set(
                    JournalEntry.objects.filter(source__in=sources).values_list("source", flat=True)
                )
                try:
                    journal_entries_post(entries=parsed.specs, user=request.user)
                except ValidationError as error:
                    errors = [refusal(error)]
                else:
                    posted = len(sources) - len(known)
                    self.message_user(
                        request,
                        ngettext(
                            "%(posted)d entry posted; %(known)d of the file were posted before.",
                            "%(posted)d entries posted; %(known)d of the file were posted before.",
                            posted,
                        )
                        % {"posted": posted, "known": len(known)},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:accounting_journalentry_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import journal entries"),
            "form": form,
            "import_errors": errors,
        }
        return TemplateResponse(
            request, "admin/accounting/journalentry/import_entries.html", context
        )

    @admin.action(
        description=gettext_lazy("Reverse the selected entries (dated today)"),
        permissions=["reverse"],
    )
    def reverse_entries(self, request, queryset):
        today = timezone.localdate()
        reversed_now = 0
        for entry in queryset.select_related("fiscal_year").order_by("id"):
            label = f"{entry.date.year}/{entry.number}"
            if JournalEntry.objects.filter(reverses=entry).exists():
                self.message_user(
                    request,
                    _("Entry %(entry)s was reversed before.") % {"entry": label},
                    messages.WARNING,
                )
                continue
            try:
                journal_entry_reverse(entry=entry, date=today, user=request.user)
            except PostingRefused as error:
                self.message_user(
                    request,
                    _("Entry %(entry)s was not reversed: %(reason)s")
                    % {"entry": label, "reason": refusal(error)},
                    messages.ERROR,
                )
            else:
                reversed_now += 1
        if reversed_now:
            self.message_user(
                request,
                ngettext("%(n)d entry reversed.", "%(n)d entries reversed.", reversed_now)
                % {"n": reversed_now},
                messages.SUCCESS,
            )
