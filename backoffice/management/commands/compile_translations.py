"""Compile the .po catalogues to .mo with polib, so a fresh machine needs no GNU gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po of the project to .mo (no gettext needed)."

    def handle(self, *args, **options):
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        count = 0
        for root in roots:
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
                self.stdout.write(
                    f"compiled {po_path.relative_to(settings.BASE_DIR)} "
                    f"({catalogue.percent_translated()}% translated)"
                )
        self.stdout.write(f"{count} catalogue(s) compiled.")
