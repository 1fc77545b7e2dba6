"""Hours paid before this migration were paid with their own period (there was no other
timing): each approved entry is attached to the payslip of the run that paid (or is about to
pay) its period, so that the next run does not take it for late hours and pay it again."""

from django.db import migrations

ATTACH = """
UPDATE payroll_timeentry AS t
   SET payslip_id = s.id
  FROM payroll_payslip AS s
  JOIN payroll_payperiod AS p ON p.id = s.period_id
 WHERE t.payslip_id IS NULL
   AND t.status = 'approved'
   AND s.pays_period
   AND s.employee_id = t.employee_id
   AND t.date BETWEEN p.start AND p."end"
"""


class Migration(migrations.Migration):
    dependencies = [("payroll", "0023_late_hours_and_hours_timing")]

    operations = [migrations.RunSQL(ATTACH, reverse_sql=migrations.RunSQL.noop)]
