from django.contrib import admin

from backoffice.imports import ImportExportAdmin
from hr.models import Department, Employee, Position
from hr.resources import DepartmentResource, EmployeeResource


@admin.register(Department)
class DepartmentAdmin(ImportExportAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["code", "name", "parent", "head", "cost_center"]
    list_select_related = ["parent", "head"]
    search_fields = ["code", "name", "cost_center"]
    autocomplete_fields = ["head", "parent"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "department"]
    list_select_related = ["department"]
    list_filter = ["department"]
    search_fields = ["title", "department__name"]


@admin.register(Employee)
class EmployeeAdmin(ImportExportAdmin):
    resource_classes = [EmployeeResource]
    list_display = [
        "personnel_number",
        "last_name",
        "first_name",
        "department",
        "position",
        "employment_type",
        "status",
        "hire_date",
    ]
    list_select_related = ["department", "position"]
    list_filter = ["status", "employment_type", "department"]
    search_fields = ["personnel_number", "last_name", "first_name", "work_email"]
    autocomplete_fields = ["department", "position", "manager", "user"]
    date_hierarchy = "hire_date"
    show_full_result_count = False
    list_per_page = 50
