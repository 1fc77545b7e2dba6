"""Off-cycle runs: as many per period as corrections need (one regular run per period still),
and the off-cycle page's form key, so that a second post opens the run the first created."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0007_absence_pay"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="payrollrun",
            name="payrollrun_one_per_period",
        ),
        migrations.AddConstraint(
            model_name="payrollrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "regular")),
                fields=("period", "kind"),
                name="payrollrun_one_regular_per_period",
            ),
        ),
        migrations.AddField(
            model_name="payrollrun",
            name="creation_key",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
    ]
