from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.models import Notification, UserPreference
from backoffice.two_factor import admin as two_factor_admin  # noqa: F401 (user admin action)


class UserPreferenceForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("language"),
        choices=[("", _("not chosen"))] + list(settings.LANGUAGES),
        required=False,
    )

    class Meta:
        model = UserPreference
        fields = ["user", "language"]


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    """The language a user chose with the switch; payslips and cheques are written in it."""

    form = UserPreferenceForm
    list_display = ["user", "language"]
    list_select_related = ["user"]
    list_filter = ["language"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject_display", "user", "created_at", "read_at", "emailed_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username"]
    list_filter = ["created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "read_at", "emailed_at"]
    show_full_result_count = False

    @admin.display(description=_("subject"), ordering="subject")
    def subject_display(self, obj: Notification) -> str:
        return obj.subject_text


class LockoutRecordAdmin(AccessAttemptAdmin):
    """django-axes' own admin of failed logins. Its "Clean up expired attempts" action reads
    the time of the request's login attempt, which axes sets only on a login request: in the
    admin it answered 500 (AttributeError, django-axes 8.3). The action gets that time first."""

    @admin.action(description=AccessAttemptAdmin.cleanup_expired_attempts.short_description)
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LockoutRecordAdmin)
