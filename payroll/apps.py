from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice.registry import register_seeder
        from payroll import audit_checks, checklist_items, compliance, demo, home

        audit_checks.register()
        checklist_items.register()
        compliance.register()
        home.register()
        register_seeder("payroll", demo.seed_payroll, order=30)
