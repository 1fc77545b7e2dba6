"""After a run is paid: tell each employee with a login that the payslip is there."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from backoffice.services import notify
from payroll.models import PayrollRun


def payday_publish(*, run_id: int) -> int:
    run = PayrollRun.objects.select_related("period").get(pk=run_id)
    if run.status != PayrollRun.Status.PAID:
        return 0
    users = list(
        get_user_model()
        .objects.filter(is_active=True, employee__payslips__run=run)
        .exclude(notifications__link=f"/payroll/my/payslips/?run={run.pk}")
        .distinct()
    )
    if users:
        notify(
            users=users,
            subject=_("Your payslip for %(period)s is ready") % {"period": str(run.period)},
            body=_("Payday is %(payday)s. Open your payslips to download the PDF.")
            % {"payday": run.period.payday.strftime("%d.%m.%Y")},
            link=f"/payroll/my/payslips/?run={run.pk}",
        )
    return len(users)
