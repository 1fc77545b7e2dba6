from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItSupportConfig(AppConfig):
    name = "itsupport"
    verbose_name = _("IT support")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice import roles
        from hr.registry import (
            OFFBOARDING,
            ONBOARDING,
            ChecklistItemSpec,
            checklist_item_register,
        )

        # hr's onboarding and offboarding checklists (hr never imports this app).
        for spec in (
            ChecklistItemSpec(
                key="itsupport.laptop_accounts",
                kind=ONBOARDING,
                title=_("Laptop and accounts ready"),
                owner=roles.HELPDESK_AGENT,
                order=40,
            ),
            ChecklistItemSpec(
                key="itsupport.devices_accounts_closed",
                kind=OFFBOARDING,
                title=_("Laptop collected, accounts closed"),
                owner=roles.HELPDESK_AGENT,
                order=40,
            ),
        ):
            checklist_item_register(spec)
