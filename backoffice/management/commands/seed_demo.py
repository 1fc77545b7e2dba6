"""Fill the database with demo data from every app's registered seeder. Idempotent."""

import time

from django.core.management.base import BaseCommand

from backoffice.registry import seeders


class Command(BaseCommand):
    help = "Create demo data (departments, employees, one login per role, ...). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--employees", type=int, default=200, help="number of employees (default 200)"
        )

    def handle(self, *args, employees: int, **options):
        if employees < 20:
            self.stderr.write("--employees must be at least 20 (one login per role needs them).")
            raise SystemExit(2)
        started = time.monotonic()
        lines: list[str] = []
        for seeder in seeders():
            t0 = time.monotonic()
            lines.extend(seeder.run(employees=employees, stdout=self.stdout))
            self.stdout.write(f"seeded {seeder.name} in {time.monotonic() - t0:.1f}s")
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f}s.")
        for line in lines:
            self.stdout.write(line)
