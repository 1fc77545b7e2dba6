from django.core.management.base import BaseCommand, CommandError

from accounting.selectors import ledger_verify


class Command(BaseCommand):
    help = "Recompute the ledger's hash chain; exit non-zero naming the first entry that differs."

    def handle(self, *args, **options):
        result = ledger_verify()
        if not result.ok:
            raise CommandError(
                f"Ledger chain broken at entry {result.first_bad_label} "
                f"(id {result.first_bad_entry_id}, {result.reason} mismatch) after "
                f"{result.entries_checked} good entries."
            )
        self.stdout.write(f"Ledger chain intact: {result.entries_checked} entries verified.")
