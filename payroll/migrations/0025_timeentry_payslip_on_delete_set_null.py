"""Deleting a payslip (a run calculated again) frees the hours it held: ON DELETE SET NULL in
the database, which Django 5.2 cannot declare on the field (it has DO_NOTHING). The chunk then
spends no query on releasing them. A later migration that alters the field must keep this."""

from django.db import migrations

SET_NULL = """
DO $$
DECLARE name text;
BEGIN
    SELECT c.conname INTO name
      FROM pg_constraint AS c
      JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
     WHERE c.conrelid = 'payroll_timeentry'::regclass
       AND c.contype = 'f'
       AND a.attname = 'payslip_id';
    EXECUTE format('ALTER TABLE payroll_timeentry DROP CONSTRAINT %I', name);
    EXECUTE format(
        'ALTER TABLE payroll_timeentry ADD CONSTRAINT %I FOREIGN KEY (payslip_id) '
        'REFERENCES payroll_payslip (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED',
        name
    );
END $$;
"""

NO_ACTION = SET_NULL.replace("ON DELETE SET NULL ", "")


class Migration(migrations.Migration):
    dependencies = [("payroll", "0024_time_entries_paid_backfill")]

    operations = [migrations.RunSQL(SET_NULL, reverse_sql=NO_ACTION)]
