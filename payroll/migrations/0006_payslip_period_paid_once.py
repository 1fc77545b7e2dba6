"""Each payslip names its period, and the database pays an employee's period once."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0005_run_progress_watchdog_offcycle_employees"),
    ]

    operations = [
        migrations.AddField(
            model_name="payslip",
            name="pays_period",
            field=models.BooleanField(
                default=True,
                help_text="The period's salary or hours; false for a one-off payment only.",
                verbose_name="pays the period",
            ),
        ),
        migrations.AddField(
            model_name="payslip",
            name="period",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payroll.payperiod",
                verbose_name="pay period",
            ),
        ),
        migrations.RunSQL(
            sql=(
                "UPDATE payroll_payslip AS s SET period_id = r.period_id "
                "FROM payroll_payrollrun AS r WHERE r.id = s.run_id"
            ),
            reverse_sql=migrations.RunSQL.noop,
        ),
        # The new foreign key is deferred: check it now, or ALTER TABLE finds pending triggers.
        migrations.RunSQL(sql="SET CONSTRAINTS ALL IMMEDIATE", reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="payslip",
            name="period",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payroll.payperiod",
                verbose_name="pay period",
            ),
        ),
        migrations.AddConstraint(
            model_name="payslip",
            constraint=models.UniqueConstraint(
                condition=models.Q(("pays_period", True)),
                fields=("period", "employee"),
                name="payslip_period_paid_once",
                violation_error_message="This employee's period is already in another run.",
            ),
        ),
    ]
