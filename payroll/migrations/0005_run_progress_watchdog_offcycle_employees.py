import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0004_pay_profiles_approved_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="payrollchunk",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="payrollrun",
            name="employee_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), blank=True, default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="payrollrun",
            name="watchdog_resumed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
