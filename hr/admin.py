from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied

from backoffice.imports import ImportExportAdmin
from hr.models import Department, Employee, Position
from hr.models.core import SEARCHED_FIELDS
from hr.resources import DepartmentResource, EmployeeResource
from hr.selectors import employee_visible_to

# The employee directory: what anyone may see of an employee in the admin without
# hr.view_all_employees (see ADMIN_REACH in backoffice/roles.py).
DIRECTORY_FIELDS = ["last_name", "first_name", "department", "work_email", "phone"]
DIRECTORY_LOOKUPS = {"department", "department__exact", "department__id__exact"}


class DirectoryChangeList(ChangeList):
    """The directory's list has no date hierarchy: hire dates are not the directory's."""

    def __init__(self, request, model, list_display, list_display_links, list_filter, _dh, *args):
        super().__init__(request, model, list_display, list_display_links, list_filter, None, *args)


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
    search_fields = list(SEARCHED_FIELDS)  # each has a trigram index
    autocomplete_fields = ["department", "position", "manager", "user"]
    date_hierarchy = "hire_date"
    show_full_result_count = False
    list_per_page = 50

    # Without hr.view_all_employees the admin is the directory, never more than the portal
    # shows: the directory permission (helpdesk, office) lists current employees with
    # DIRECTORY_FIELDS; anyone else sees only the portal's own scope (hr.selectors), as narrow.

    def _full(self, request) -> bool:
        return request.user.has_perm("hr.view_all_employees")

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm(
            "hr.view_employee_directory"
        )

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and self._full(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._full(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._full(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._full(request):
            return qs
        if request.user.has_perm("hr.view_employee_directory"):
            return qs.exclude(status=Employee.Status.TERMINATED)
        return qs.filter(pk__in=employee_visible_to(user=request.user).values("pk"))

    def get_list_display(self, request):
        return super().get_list_display(request) if self._full(request) else DIRECTORY_FIELDS

    def get_list_filter(self, request):
        return super().get_list_filter(request) if self._full(request) else ["department"]

    def get_search_fields(self, request):
        return super().get_search_fields(request) if self._full(request) else DIRECTORY_FIELDS[:2]

    def get_fields(self, request, obj=None):
        return super().get_fields(request, obj) if self._full(request) else DIRECTORY_FIELDS

    def get_changelist(self, request, **kwargs):
        if not self._full(request):
            return DirectoryChangeList
        return super().get_changelist(request, **kwargs)

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Django allows any lookup on a local field (?hire_date__year=, ?status=) even when no
        # filter offers it: counting results would tell a directory user what it does not show.
        if request is not None and not self._full(request):
            return lookup in DIRECTORY_LOOKUPS
        return super().lookup_allowed(lookup, value, request)

    def history_view(self, request, object_id, extra_context=None):
        # The change history names the HR fields that changed.
        if not self._full(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


# The personnel file, discipline and training (issue #8, items 1, 4 and 5) register their own.
from hr import (  # noqa: E402, F401
    admin_absences,  # noqa: E402, F401  (absences, issue #8 item 3)
    admin_discipline_training,
    admin_personnel_file,
    admin_recruiting,  # recruiting openings (issue #10)
)
