"""Pay profiles that existed before four-eyes approval are taken as approved (they were paid
already); from now on a new profile waits for a second person."""

from django.db import migrations
from django.db.models import F


def approve_existing(apps, schema_editor):
    PayProfile = apps.get_model("payroll", "PayProfile")
    PayProfile.objects.filter(approved_at__isnull=True).update(approved_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0003_pay_profile_changes"),
    ]

    operations = [
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
