from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs):
    """After every migrate: give each role group exactly the permissions in backoffice.roles."""
    from django.contrib.auth.models import Group, Permission

    from backoffice.roles import roles_sync

    roles_sync(group_model=Group, permission_model=Permission)


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Backoffice")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice import home

        home.register()
        # A login switches the interface to the user's chosen language (backoffice.language);
        # the second factor: axes resets on complete logins, and a deploy check.
        from backoffice import language  # noqa: F401
        from backoffice.two_factor import checks, signals  # noqa: F401

        # Connected for the last app so every app's permissions exist when it runs.
        post_migrate.connect(_sync_roles, dispatch_uid="backoffice.roles_sync")


class BackofficeAdminConfig(AdminConfig):
    """The Django admin, branded, and open only to roles that manage (see roles.ROLES)."""

    default_site = "backoffice.admin_site.BackofficeAdminSite"
