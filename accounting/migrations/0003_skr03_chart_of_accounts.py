"""Seed a subset of the German standard chart of accounts SKR 03 (names in German and English).
Accountants add or deactivate accounts in the admin; this only creates missing ones."""

from django.db import migrations

# number, German name, English name, type, group, is_bank
SKR03 = [
    ("0027", "EDV-Software", "Software", "asset", "00", False),
    (
        "0490",
        "Sonstige Betriebs- und Geschäftsausstattung",
        "Other office equipment",
        "asset",
        "04",
        False,
    ),
    ("0800", "Gezeichnetes Kapital", "Subscribed capital", "equity", "08", False),
    ("0860", "Gewinnvortrag vor Verwendung", "Retained earnings", "equity", "08", False),
    ("1000", "Kasse", "Cash", "asset", "10", False),
    ("1200", "Bank", "Bank", "asset", "12", True),
    ("1210", "Bank 2 (Sparkasse)", "Bank 2 (savings bank)", "asset", "12", True),
    ("1360", "Geldtransit", "Cash in transit", "asset", "13", False),
    (
        "1400",
        "Forderungen aus Lieferungen und Leistungen",
        "Trade receivables",
        "asset",
        "14",
        False,
    ),
    ("1576", "Abziehbare Vorsteuer 19 %", "Input VAT 19 %", "asset", "15", False),
    ("1590", "Durchlaufende Posten", "Transit items", "asset", "15", False),
    (
        "1600",
        "Verbindlichkeiten aus Lieferungen und Leistungen",
        "Trade payables",
        "liability",
        "16",
        False,
    ),
    (
        "1740",
        "Verbindlichkeiten aus Lohn und Gehalt",
        "Wages and salaries payable",
        "liability",
        "17",
        False,
    ),
    (
        "1741",
        "Verbindlichkeiten aus Lohn- und Kirchensteuer",
        "Wage and church tax payable",
        "liability",
        "17",
        False,
    ),
    (
        "1742",
        "Verbindlichkeiten im Rahmen der sozialen Sicherheit",
        "Social security payable",
        "liability",
        "17",
        False,
    ),
    ("1776", "Umsatzsteuer 19 %", "Output VAT 19 %", "liability", "17", False),
    ("2700", "Sonstige Erträge", "Other income", "income", "27", False),
    ("3400", "Wareneingang 19 % Vorsteuer", "Purchases of goods 19 % VAT", "expense", "34", False),
    ("4110", "Löhne", "Wages", "expense", "41", False),
    ("4120", "Gehälter", "Salaries", "expense", "41", False),
    (
        "4130",
        "Gesetzliche soziale Aufwendungen",
        "Statutory social security costs",
        "expense",
        "41",
        False,
    ),
    ("4210", "Miete", "Rent", "expense", "42", False),
    ("4240", "Gas, Strom, Wasser", "Gas, electricity, water", "expense", "42", False),
    ("4360", "Versicherungen", "Insurance", "expense", "43", False),
    ("4500", "Fahrzeugkosten", "Vehicle costs", "expense", "45", False),
    ("4600", "Werbekosten", "Advertising", "expense", "46", False),
    ("4650", "Bewirtungskosten", "Entertainment", "expense", "46", False),
    ("4660", "Reisekosten Arbeitnehmer", "Employee travel", "expense", "46", False),
    ("4800", "Reparaturen und Instandhaltung", "Repairs and maintenance", "expense", "48", False),
    (
        "4805",
        "Reparaturen und Instandhaltung von Betriebs- und Geschäftsausstattung",
        "Repairs of office equipment",
        "expense",
        "48",
        False,
    ),
    (
        "4900",
        "Sonstige betriebliche Aufwendungen",
        "Other operating expenses",
        "expense",
        "49",
        False,
    ),
    ("4920", "Telefon", "Telephone", "expense", "49", False),
    ("4930", "Bürobedarf", "Office supplies", "expense", "49", False),
    ("4940", "Zeitschriften, Bücher", "Journals and books", "expense", "49", False),
    ("4945", "Fortbildungskosten", "Training costs", "expense", "49", False),
    ("4964", "Aufwendungen für Lizenzen", "Software licences", "expense", "49", False),
    ("4970", "Nebenkosten des Geldverkehrs", "Bank charges", "expense", "49", False),
    ("8100", "Steuerfreie Umsätze", "Tax-free revenue", "income", "81", False),
    ("8400", "Erlöse 19 % USt", "Revenue 19 % VAT", "income", "84", False),
]


def seed_chart(apps, schema_editor):
    account = apps.get_model("accounting", "Account")
    existing = set(account.objects.values_list("number", flat=True))
    account.objects.bulk_create(
        [
            account(number=number, name_de=de, name_en=en, type=kind, group=group, is_bank=is_bank)
            for number, de, en, kind, group, is_bank in SKR03
            if number not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_immutable_ledger_triggers")]

    operations = [migrations.RunPython(seed_chart, migrations.RunPython.noop)]
