from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.roles import user_may_use_admin
from backoffice.two_factor.selectors import second_factor_satisfied


class BackofficeAdminSite(admin.AdminSite):
    site_header = _("Backoffice administration")
    site_title = _("Backoffice")
    index_title = _("Manage the back office")

    def has_permission(self, request) -> bool:
        # Also refused until the second factor is passed (SecondFactorMiddleware redirects
        # first; this holds even where the middleware does not run).
        return user_may_use_admin(request.user) and second_factor_satisfied(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and detail to look at, never to add, change or delete (posted and paid
    records; their corrections go through services)."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Lines shown with their parent, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
