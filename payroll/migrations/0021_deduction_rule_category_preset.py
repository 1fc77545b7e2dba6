"""The rules of the German preset (payroll.demo) get their category, so the payslip's
year-to-date tax and social-insurance totals count them; other rules stay "other" until
payroll sets theirs in the admin."""

from django.db import migrations

PRESET_CATEGORIES = {
    "KV": "social",
    "RV": "social",
    "AV": "social",
    "PV": "social",
    "LST": "tax",
    "KIST": "tax",
    "SOLI": "tax",
}


def categorise(apps, schema_editor):
    DeductionRule = apps.get_model("payroll", "DeductionRule")
    for category in set(PRESET_CATEGORIES.values()):
        codes = [c for c, cat in PRESET_CATEGORIES.items() if cat == category]
        DeductionRule.objects.filter(code__in=codes, category="other").update(category=category)


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0020_deduction_rule_category"),
    ]

    operations = [
        migrations.RunPython(categorise, migrations.RunPython.noop),
    ]
