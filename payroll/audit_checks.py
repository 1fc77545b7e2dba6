"""Payroll's audit checks, registered with accounting's internal audit (``accounting.audit``).

``register()`` is called from ``PayrollConfig.ready()``; accounting never imports payroll.
Registering is idempotent (``register_check`` replaces a check of the same code). Each check
reads with one set-based query (joins and aggregates in SQL, never a Python loop over every
row) and yields an ``AuditFinding`` per irregularity, with a link to its evidence in the admin
(the payslip, or the pay profile). Keys name the evidence (``payslip:42``, ``iban:DE89...``),
so running the audit again raises nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from accounting.services import (
    AuditFinding,
    Severity,
    iter_rows,
    register_check,
    register_system_source,
)
from backoffice.stored_text import Money, stored
from hr.models import Employee
from payroll.models import (
    BankDetailsChange,
    PayPeriod,
    PayProfile,
    PayrollRun,
    Payslip,
    TimeEntry,
)
from payroll.services.payday import RUN_SOURCE_PREFIX

IBAN_CHANGE_WINDOW_DAYS = 30


def _admin_url(model: str, pk: int) -> str:
    """The admin change page of a payroll object. Until the model is registered with the
    admin, the URL it will have there (so the finding keeps a stable link)."""
    try:
        return reverse(f"admin:payroll_{model}_change", args=[pk])
    except NoReverseMatch:
        return f"{reverse('admin:index')}payroll/{model}/{pk}/change/"


def _payslip_url(pk: int) -> str:
    return _admin_url("payslip", pk)


def _profile_url(pk: int) -> str:
    return _admin_url("payprofile", pk)


def _tables() -> dict[str, str]:
    user_model = get_user_model()
    return {
        "payslip": Payslip._meta.db_table,
        "run": PayrollRun._meta.db_table,
        "period": PayPeriod._meta.db_table,
        "employee": Employee._meta.db_table,
        "profile": PayProfile._meta.db_table,
        "change": BankDetailsChange._meta.db_table,
        "entry": TimeEntry._meta.db_table,
        "user": user_model._meta.db_table,
        "username": user_model._meta.get_field(user_model.USERNAME_FIELD).column,
    }


def _normalised(column: str) -> str:
    """SQL for an IBAN without spaces, in capitals (how a bank reads it)."""
    return f"upper(replace({column}, ' ', ''))"


def iban_changed_before_payday() -> Iterator[AuditFinding]:
    """Pay sent by direct deposit in a paid run to an IBAN that was entered (a bank details
    change with that new IBAN) within 30 days before the run's payday, payday included. One
    finding per payslip, naming the latest such change and who made it. A change that only
    touched the BIC (same IBAN before and after) does not count, nor do the first bank details
    of a new profile (no previous IBAN: a new hire's account is no change)."""
    t = _tables()
    sql = f"""
        SELECT DISTINCT ON (s.id)
               s.id, e.personnel_number, e.first_name, e.last_name, s.iban, s.net,
               p.payday, c.changed_at, u.{t["username"]}
        FROM {t["payslip"]} s
        JOIN {t["run"]} r ON r.id = s.run_id
        JOIN {t["period"]} p ON p.id = r.period_id
        JOIN {t["employee"]} e ON e.id = s.employee_id
        JOIN {t["profile"]} pp ON pp.employee_id = s.employee_id
        JOIN {t["change"]} c ON c.profile_id = pp.id
        LEFT JOIN {t["user"]} u ON u.id = c.changed_by_id
        WHERE r.status = %s
          AND s.pay_method = %s
          AND s.iban <> ''
          AND {_normalised("c.new_iban")} = {_normalised("s.iban")}
          AND {_normalised("c.old_iban")} <> ''
          AND {_normalised("c.old_iban")} <> {_normalised("c.new_iban")}
          AND (c.changed_at AT TIME ZONE %s)::date BETWEEN p.payday - %s AND p.payday
        ORDER BY s.id, c.changed_at DESC, c.id DESC
    """  # noqa: S608 - table names are the models', values are parameters
    params = [
        PayrollRun.Status.PAID,
        PayProfile.PayMethod.DIRECT_DEPOSIT,
        settings.TIME_ZONE,
        IBAN_CHANGE_WINDOW_DAYS,
    ]
    for pk, number, first, last, iban, net, payday, changed_at, username in iter_rows(sql, params):
        yield AuditFinding(
            key=f"payslip:{pk}",
            title=stored(
                gettext_noop(
                    "Pay of %(amount)s for %(employee)s (%(number)s), payday %(payday)s, went to "
                    "IBAN %(iban)s, entered on %(changed)s by %(user)s."
                ),
                amount=Money(net),
                employee=f"{first} {last}",
                number=number,
                payday=payday,
                iban=iban,
                changed=timezone.localtime(changed_at).date(),
                user=username or stored(gettext_noop("unknown")),
            ),
            severity=Severity.HIGH,
            evidence_url=_payslip_url(pk),
        )


def paid_after_termination() -> Iterator[AuditFinding]:
    """Payslips of paid runs for an employee whose termination date lies before the pay
    period started, or whose period holds approved hours dated after the termination date
    (pay for days after termination). One finding per payslip."""
    t = _tables()
    sql = f"""
        SELECT s.id, e.personnel_number, e.first_name, e.last_name, e.termination_date,
               p.start, p."end", s.gross, p.start > e.termination_date
        FROM {t["payslip"]} s
        JOIN {t["run"]} r ON r.id = s.run_id
        JOIN {t["period"]} p ON p.id = r.period_id
        JOIN {t["employee"]} e ON e.id = s.employee_id
        WHERE r.status = %s
          AND e.termination_date IS NOT NULL
          AND (
            p.start > e.termination_date
            OR EXISTS (
              SELECT 1 FROM {t["entry"]} h
              WHERE h.employee_id = s.employee_id
                AND h.status = %s
                AND h.hours > 0
                AND h.date > e.termination_date
                AND h.date BETWEEN p.start AND p."end"
            )
          )
        ORDER BY s.id
    """  # noqa: S608 - table names are the models', values are parameters
    params = [PayrollRun.Status.PAID, TimeEntry.Status.APPROVED]
    for pk, number, first, last, terminated, start, end, gross, whole in iter_rows(sql, params):
        if whole:
            message = gettext_noop(
                "%(employee)s (%(number)s), terminated on %(terminated)s, was paid %(amount)s "
                "for the period %(start)s–%(end)s."
            )
        else:
            message = gettext_noop(
                "%(employee)s (%(number)s), terminated on %(terminated)s, was paid %(amount)s "
                "including hours after the termination date (period %(start)s–%(end)s)."
            )
        yield AuditFinding(
            key=f"payslip:{pk}",
            title=stored(
                message,
                employee=f"{first} {last}",
                number=number,
                terminated=terminated,
                start=start,
                end=end,
                amount=Money(gross),
            ),
            severity=Severity.HIGH,
            evidence_url=_payslip_url(pk),
        )


def shared_iban() -> Iterator[AuditFinding]:
    """Two or more employees whose pay profiles hold one IBAN (ignoring spaces and case): one
    finding per IBAN, naming the employees; the evidence is the first of the profiles."""
    t = _tables()
    iban = _normalised("pp.iban")
    sql = f"""
        SELECT {iban},
               min(pp.id),
               count(*),
               string_agg(e.first_name || ' ' || e.last_name || ' (' || e.personnel_number || ')',
                          ', ' ORDER BY e.personnel_number)
        FROM {t["profile"]} pp
        JOIN {t["employee"]} e ON e.id = pp.employee_id
        WHERE pp.iban <> ''
        GROUP BY {iban}
        HAVING count(*) > 1
        ORDER BY {iban}
    """  # noqa: S608 - table names are the models', there are no values
    for value, first_profile, count, names in iter_rows(sql):
        yield AuditFinding(
            key=f"iban:{value}",
            title=stored(
                gettext_noop("%(count)d employees share the IBAN %(iban)s: %(names)s."),
                count=count,
                iban=value,
                names=names,
            ),
            severity=Severity.HIGH,
            evidence_url=_profile_url(first_profile),
        )


def register() -> None:
    """Register payroll's checks with accounting's audit (idempotent)."""
    # A payroll run's entry is posted by Pay (often run late) and sums the payslips.
    register_system_source(RUN_SOURCE_PREFIX, computed_amounts=True)
    register_check(
        "payroll_iban_changed_before_payday",
        gettext_lazy("Pay sent to an IBAN changed shortly before payday"),
        iban_changed_before_payday,
    )
    register_check(
        "payroll_paid_after_termination",
        gettext_lazy("Pay after the termination date"),
        paid_after_termination,
    )
    register_check(
        "payroll_shared_iban",
        gettext_lazy("Employees sharing one IBAN"),
        shared_iban,
    )
