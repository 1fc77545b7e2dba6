"""Trigram indexes for the employee admin's search (pg_trgm, from PostgreSQL's contrib).

Production's PostgreSQL has contrib; the embedded PostgreSQL of `make run` (the pgserver wheel)
does not. There the extension and the indexes are left out: the search works, by a sequential
scan. The migration state has the indexes either way, so the models and `makemigrations --check`
agree on every database."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations

FIELDS = ("personnel_number", "last_name", "first_name", "work_email")


def _trigram_index(field: str):
    return django.contrib.postgres.indexes.GinIndex(
        django.contrib.postgres.indexes.OpClass(
            django.db.models.functions.text.Upper(field), name="gin_trgm_ops"
        ),
        name=f"employee_{field}_trgm",
    )


def trigram_indexes_create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return  # no contrib here (the embedded PostgreSQL): search without the indexes
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    model = apps.get_model("hr", "Employee")
    for field in FIELDS:
        schema_editor.add_index(model, _trigram_index(field))


def trigram_indexes_drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for field in FIELDS:
            cursor.execute(f"DROP INDEX IF EXISTS employee_{field}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("hr", "0008_absences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="employee",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("personnel_number"),
                            name="gin_trgm_ops",
                        ),
                        name="employee_personnel_number_trgm",
                    ),
                ),
                migrations.AddIndex(
                    model_name="employee",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("last_name"), name="gin_trgm_ops"
                        ),
                        name="employee_last_name_trgm",
                    ),
                ),
                migrations.AddIndex(
                    model_name="employee",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("first_name"), name="gin_trgm_ops"
                        ),
                        name="employee_first_name_trgm",
                    ),
                ),
                migrations.AddIndex(
                    model_name="employee",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("work_email"), name="gin_trgm_ops"
                        ),
                        name="employee_work_email_trgm",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(trigram_indexes_create, trigram_indexes_drop),
            ],
        ),
    ]
