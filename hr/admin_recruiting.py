"""Admin of recruiting's openings (issue #10, item 1): recruiters add and edit them.

Applications are not in the admin: recruiters and hiring heads read them in the portal
(hr.views.recruiting), where the resume is only a download. The choices for the recruiter and
the hiring head are narrowed to recruiters and department heads: a recruiter may not browse
logins or employees.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model

from backoffice import roles
from hr.models import Employee, Opening


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = ["title_de", "title_en", "department", "status", "location", "recruiter"]
    list_select_related = ["department", "recruiter"]
    list_filter = ["status", "department"]
    search_fields = ["title_de", "title_en", "location"]
    autocomplete_fields = ["department", "position"]
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["status", "department", "position", "headcount"]}),
        (None, {"fields": ["title_de", "description_de", "title_en", "description_en"]}),
        (None, {"fields": ["location", "hours_per_week", "salary_min", "salary_max"]}),
        (None, {"fields": ["recruiter", "hiring_head"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "recruiter":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(groups__name=roles.RECRUITER, is_active=True)
                .order_by("last_name", "username")
                .distinct()
            )
        elif db_field.name == "hiring_head":
            kwargs["queryset"] = (
                Employee.objects.filter(headed_departments__isnull=False)
                .order_by("last_name", "first_name")
                .distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # An opening with applicants is closed, not deleted (their data has its own purge).
        return False
