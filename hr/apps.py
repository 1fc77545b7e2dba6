from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = _("Human resources")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice.registry import register_seeder
        from hr import demo, demo_absences, home, home_absences

        home.register()
        register_seeder("hr", demo.seed_hr, order=10)
        home_absences.register()  # absences (issue #8, item 3)
        register_seeder("hr_absences", demo_absences.seed_absences, order=14)
