"""The paying account's IBAN and BIC move from the payroll settings to the paying bank account
in accounting, so the SEPA files and the bank accounts page show one and the same account.
The payroll settings held the approved (four-eyes) values that payday paid from: they win over
whatever the bank account had."""

from django.db import migrations


def to_accounting(apps, schema_editor):
    settings_model = apps.get_model("payroll", "PayrollSettings")
    account_model = apps.get_model("accounting", "Account")
    for settings in settings_model.objects.all():
        if not settings.company_iban:
            continue
        account = (
            account_model.objects.filter(pk=settings.bank_account_id).first()
            or account_model.objects.filter(number="1200").first()
        )
        if account is None:
            continue
        account.is_bank = True
        account.iban, account.bic = settings.company_iban, settings.company_bic
        account.save(update_fields=["is_bank", "iban", "bic"])
        if settings.bank_account_id is None:
            settings.bank_account_id = account.pk
            settings.save(update_fields=["bank_account"])


def to_payroll(apps, schema_editor):
    settings_model = apps.get_model("payroll", "PayrollSettings")
    account_model = apps.get_model("accounting", "Account")
    for settings in settings_model.objects.exclude(bank_account=None):
        account = account_model.objects.get(pk=settings.bank_account_id)
        settings.company_iban, settings.company_bic = account.iban, account.bic
        settings.save(update_fields=["company_iban", "company_bic"])


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0017_payrollrun_cancelled"),
        ("accounting", "0009_bank_account_bic"),
    ]

    operations = [migrations.RunPython(to_accounting, to_payroll)]
