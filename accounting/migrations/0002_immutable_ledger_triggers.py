"""Posted entries and their lines can be neither updated nor deleted, and audit findings are
never deleted: enforced by PostgreSQL triggers, not only in Python."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION accounting_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% of %.% is not allowed: %', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME,
        TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER journalentry_immutable
    BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION
    accounting_refuse_change('posted entries never change; post a reversal');

CREATE TRIGGER journalline_immutable
    BEFORE UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION
    accounting_refuse_change('posted entries never change; post a reversal');

CREATE TRIGGER finding_never_deleted
    BEFORE DELETE ON accounting_finding
    FOR EACH ROW EXECUTE FUNCTION
    accounting_refuse_change('findings are resolved, never deleted');
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS finding_never_deleted ON accounting_finding;
DROP TRIGGER IF EXISTS journalline_immutable ON accounting_journalline;
DROP TRIGGER IF EXISTS journalentry_immutable ON accounting_journalentry;
DROP FUNCTION IF EXISTS accounting_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_ledger_payments_budgets_audit")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
