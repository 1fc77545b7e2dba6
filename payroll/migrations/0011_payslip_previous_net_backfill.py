"""Existing payslips get the net of the employee's payslip in the previous paid regular run of
the same schedule (as the chunks write it from now on): one UPDATE per run."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    PayrollRun = apps.get_model("payroll", "PayrollRun")
    Payslip = apps.get_model("payroll", "Payslip")
    runs = PayrollRun.objects.select_related("period").order_by("pk")
    for run in runs.iterator():
        previous = (
            PayrollRun.objects.filter(
                period__schedule_id=run.period.schedule_id,
                period__start__lt=run.period.start,
                kind="regular",
                status="paid",
            )
            .order_by("-period__start")
            .values_list("pk", flat=True)
            .first()
        )
        if previous is None:
            continue
        Payslip.objects.filter(run_id=run.pk).update(
            previous_net=Subquery(
                Payslip.objects.filter(run_id=previous, employee_id=OuterRef("employee_id"))
                .order_by()
                .values("net")[:1]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0010_payslip_previous_net"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
