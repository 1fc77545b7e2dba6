"""What an off-cycle run pays each employee: a late hire's period, a final payout, a bonus."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hr", "0008_absences"),
        ("payroll", "0008_offcycle_runs_many_per_period"),
    ]

    operations = [
        migrations.CreateModel(
            name="OffCycleItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("late_hire", "Late hire: the period's pay"),
                            ("final_payout", "Final payout at termination"),
                            ("bonus", "Bonus"),
                        ],
                        max_length=12,
                        verbose_name="reason",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount"),
                ),
                (
                    "text",
                    models.CharField(blank=True, max_length=60, verbose_name="text on the payslip"),
                ),
                (
                    "employee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="hr.employee",
                        verbose_name="employee",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="offcycle_items",
                        to="payroll.payrollrun",
                        verbose_name="run",
                    ),
                ),
            ],
            options={
                "verbose_name": "off-cycle item",
                "verbose_name_plural": "off-cycle items",
                "ordering": ["run", "employee_id", "id"],
                "indexes": [
                    models.Index(fields=["run", "employee"], name="offcycleitem_run_employee")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gte", 0)),
                        name="offcycleitem_amount_not_negative",
                    )
                ],
            },
        ),
    ]
