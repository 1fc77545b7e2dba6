"""The chunks calculated before the line totals existed get them from their payslips' lines:
one grouped read of the lines, written in batches."""

from django.db import migrations
from django.db.models import Min, Sum


def backfill(apps, schema_editor):
    PayslipLine = apps.get_model("payroll", "PayslipLine")
    PayrollChunkLineTotal = apps.get_model("payroll", "PayrollChunkLineTotal")
    rows = (
        PayslipLine.objects.values("payslip__chunk_id", "kind", "code")
        .annotate(label=Min("label"), first=Min("id"), amount=Sum("amount"))
        .order_by("payslip__chunk_id", "first")
    )
    batch, chunk_id, position = [], None, 0
    for row in rows.iterator(chunk_size=5000):
        if row["payslip__chunk_id"] != chunk_id:
            chunk_id, position = row["payslip__chunk_id"], 0
        batch.append(
            PayrollChunkLineTotal(
                chunk_id=chunk_id,
                kind=row["kind"],
                code=row["code"],
                label=row["label"],
                position=position,
                amount=row["amount"],
            )
        )
        position += 1
        if len(batch) >= 5000:
            PayrollChunkLineTotal.objects.bulk_create(batch)
            batch = []
    PayrollChunkLineTotal.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0014_chunk_line_totals"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
