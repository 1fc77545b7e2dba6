import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

CHART_MIGRATION = "accounting.migrations.0003_skr03_chart_of_accounts"


def _chart_ensure(sender, **kwargs) -> None:
    """Create missing SKR 03 accounts after every migrate. The data migration seeds them once;
    a database flush (transactional tests) empties the table, and this puts them back."""
    from django.apps import apps

    importlib.import_module(CHART_MIGRATION).seed_chart(apps, None)


class AccountingConfig(AppConfig):
    name = "accounting"
    verbose_name = _("Accounting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounting import audit_checks, demo, home
        from backoffice.registry import register_seeder

        audit_checks.register()
        home.register()
        register_seeder("accounting", demo.seed_accounting, order=20)
        # Last: after payroll has posted its runs, so the statement agrees with the ledger.
        register_seeder("accounting_statement", demo.seed_statement_and_audit, order=90)
        post_migrate.connect(_chart_ensure, sender=self, dispatch_uid="accounting.chart_ensure")
