"""What the accounting admin classes share."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from import_export.admin import ImportExportModelAdmin


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


class PermissionCheckedImportExport(ImportExportModelAdmin):
    """Import needs add and change permission on the model, export needs view permission
    (django-import-export lets every admin user do both unless told otherwise)."""

    def has_import_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
