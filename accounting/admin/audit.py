"""Admin of audit findings: read-only, acknowledged through the audit service, never deleted."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounting.admin.base import refusal
from accounting.models import Finding
from accounting.services.audit import finding_acknowledge


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Findings change only through the audit services (acknowledge here, resolve with a
    comment on the finding's page); they are never deleted."""

    list_display = [
        "title_display",
        "check_code",
        "severity",
        "status",
        "created_at",
        "last_seen_at",
    ]
    list_filter = ["status", "severity", "check_code"]
    search_fields = ["title", "key"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [
        "check_code",
        "key",
        "title_display",
        "severity",
        "evidence",
        "last_seen_at",
        "status",
        "comment",
        "acknowledged_by",
        "acknowledged_at",
        "resolved_by",
        "resolved_at",
        "resolve_link",
    ]
    fields = readonly_fields
    actions = ["acknowledge_findings"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # only through the services

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_acknowledge_permission(self, request) -> bool:
        return request.user.has_perm("accounting.change_finding")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("acknowledged_by", "resolved_by")

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def title_display(self, obj) -> str:
        return obj.title_text

    @admin.display(description=gettext_lazy("evidence"))
    def evidence(self, obj):
        if not obj.evidence_url:
            return "–"
        return format_html('<a href="{}">{}</a>', obj.evidence_url, _("Open the evidence"))

    @admin.display(description=gettext_lazy("resolve"))
    def resolve_link(self, obj):
        url = reverse("accounting:finding_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Acknowledge or resolve with a comment"))

    @admin.action(
        description=gettext_lazy("Acknowledge the selected findings"), permissions=["acknowledge"]
    )
    def acknowledge_findings(self, request, queryset):
        done = 0
        for finding in queryset.filter(status=Finding.Status.OPEN).order_by("id"):
            try:
                finding_acknowledge(finding=finding, user=request.user)
            except ValidationError as error:
                self.message_user(request, refusal(error), messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(n)d finding acknowledged.", "%(n)d findings acknowledged.", done)
            % {"n": done},
            messages.SUCCESS,
        )
