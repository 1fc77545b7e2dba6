from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = _("Human resources")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice.registry import register_seeder
        from hr import (
            checklist_items,
            demo,
            demo_absences,
            demo_lifecycle,
            home,
            home_absences,
            home_lifecycle,
        )

        home.register()
        register_seeder("hr", demo.seed_hr, order=10)
        home_absences.register()  # absences (issue #8, item 3)
        register_seeder("hr_absences", demo_absences.seed_absences, order=14)
        from hr import demo_personnel, home_personnel_file  # issue #8, item 1

        home_personnel_file.register()
        register_seeder("hr_personnel", demo_personnel.seed_personnel_files, order=11)
        checklist_items.register()  # lifecycle: hr's onboarding and offboarding items
        home_lifecycle.register()
        register_seeder("hr_lifecycle", demo_lifecycle.seed_lifecycle, order=15)
        # Discipline, training and the compliance dashboard (issue #8, items 4-6).
        from hr import compliance, demo_training, home_discipline_training

        compliance.register()
        home_discipline_training.register()
        register_seeder("hr_training", demo_training.seed_training, order=16)
        # Recruiting (issue #10): the careers page, openings and applicants.
        from hr import demo_recruiting, home_recruiting

        home_recruiting.register()
        register_seeder("hr_recruiting", demo_recruiting.seed_recruiting, order=17)
