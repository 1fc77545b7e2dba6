from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")
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
                key="inventory.keys_out",
                kind=ONBOARDING,
                title=_("Keys handed out"),
                owner=roles.OFFICE_MANAGER,
                order=50,
            ),
            ChecklistItemSpec(
                key="inventory.keys_returned",
                kind=OFFBOARDING,
                title=_("Keys returned"),
                owner=roles.OFFICE_MANAGER,
                order=50,
            ),
        ):
            checklist_item_register(spec)
