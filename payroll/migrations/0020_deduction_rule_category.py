from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0019_remove_company_iban_bic"),
    ]

    operations = [
        migrations.AddField(
            model_name="deductionrule",
            name="category",
            field=models.CharField(
                choices=[
                    ("tax", "Tax (wage tax, solidarity surcharge, church tax)"),
                    ("social", "Social insurance"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=6,
                verbose_name="category",
            ),
        ),
    ]
