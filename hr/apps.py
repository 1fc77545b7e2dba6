from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = _("Human resources")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice.registry import register_seeder
        from hr import demo, home

        home.register()
        register_seeder("hr", demo.seed_hr, order=10)
        # Discipline, training and the compliance dashboard (issue #8, items 4-6).
        from hr import compliance, demo_training, home_discipline_training

        compliance.register()
        home_discipline_training.register()
        register_seeder("hr_training", demo_training.seed_training, order=15)
