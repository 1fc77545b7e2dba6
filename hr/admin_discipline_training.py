"""Admin of training (courses, sessions, required trainings per position, enrolments read-only)
and the read-only log of who read which disciplinary record.

Disciplinary records themselves are not in the admin: every read of one is logged, and the
portal's pages (hr.views.discipline) are where that happens. Enrolments change through the
session page, whose service computes the certificate's expiry.
"""

from django.contrib import admin

from backoffice.admin_site import ReadOnlyAdmin
from hr.models import Course, DisciplinaryRecordView, Enrolment, RequiredTraining, TrainingSession


class RequiredTrainingInline(admin.TabularInline):
    model = RequiredTraining
    extra = 0
    autocomplete_fields = ["position"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "provider", "validity_months"]
    list_filter = ["category"]
    search_fields = ["title", "provider"]
    inlines = [RequiredTrainingInline]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["course", "starts_at", "ends_at", "location", "trainer", "capacity"]
    list_select_related = ["course"]
    list_filter = ["course__category"]
    search_fields = ["course__title", "location", "trainer"]
    autocomplete_fields = ["course"]
    date_hierarchy = "starts_at"
    show_full_result_count = False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["employee", "course", "session", "status", "certificate_date", "expires_on"]
    list_select_related = ["employee", "course", "session", "session__course"]
    list_filter = ["status", "course"]
    search_fields = ["employee__last_name", "employee__personnel_number", "course__title"]
    list_per_page = 50


@admin.register(DisciplinaryRecordView)
class DisciplinaryRecordViewAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "user", "record", "part"]
    list_select_related = ["user", "record"]
    list_filter = ["part"]
    search_fields = ["user__username", "record__employee__personnel_number"]
    date_hierarchy = "viewed_at"
    list_per_page = 50
