# The admin's pay method filter lists these two instead of a DISTINCT over every payslip.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0011_payslip_previous_net_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payslip",
            name="pay_method",
            field=models.CharField(
                choices=[("cheque", "Cheque"), ("deposit", "Direct deposit")],
                max_length=7,
                verbose_name="pay method",
            ),
        ),
    ]
