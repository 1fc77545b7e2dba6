from django.contrib import admin

from backoffice.models import Notification
from backoffice.two_factor import admin as two_factor_admin  # noqa: F401 (user admin action)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "created_at", "read_at", "emailed_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username"]
    list_filter = ["created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "read_at", "emailed_at"]
    show_full_result_count = False
