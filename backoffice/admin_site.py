from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.roles import user_may_use_admin


class BackofficeAdminSite(admin.AdminSite):
    site_header = _("Backoffice administration")
    site_title = _("Backoffice")
    index_title = _("Manage the back office")

    def has_permission(self, request) -> bool:
        return user_may_use_admin(request.user)
