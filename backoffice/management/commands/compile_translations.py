"""Compile the .po catalogues to .mo with polib, so a fresh machine needs no GNU gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

# The language the messages are written in. Its catalogue holds only what English needs beyond
# the message itself (plural forms and the like), so "0% translated" would be no news.
SOURCE_LANGUAGE = "en"


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
                language = po_path.parent.parent.name
                if language == SOURCE_LANGUAGE:
                    state = "the source language: messages are shown as written"
                else:
                    state = f"{catalogue.percent_translated()}% translated"
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)} ({state})")
        self.stdout.write(f"{count} catalogue(s) compiled.")
