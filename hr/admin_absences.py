"""Absences in the admin: HR reads every absence (they are decided in the portal) and keeps the
extensions of carried-over vacation, saved through the service."""

from django.contrib import admin

from hr.models import Absence, CarryOverExtension
from hr.services.absences import carry_over_extend


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["employee", "kind", "start_date", "end_date", "days", "status"]
    list_select_related = ["employee"]
    list_filter = ["status", "kind"]
    search_fields = ["employee__personnel_number", "employee__last_name"]
    date_hierarchy = "start_date"
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [f.name for f in Absence._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CarryOverExtension)
class CarryOverExtensionAdmin(admin.ModelAdmin):
    list_display = ["employee", "year", "expires_on", "granted_by"]
    list_select_related = ["employee", "granted_by"]
    search_fields = ["employee__personnel_number", "employee__last_name"]
    list_filter = ["year"]
    autocomplete_fields = ["employee"]
    fields = ["employee", "year", "expires_on", "note"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        saved = carry_over_extend(
            user=request.user,
            employee_id=obj.employee_id,
            year=obj.year,
            expires_on=obj.expires_on,
            note=obj.note,
        )
        obj.pk = saved.pk
