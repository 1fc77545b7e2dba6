"""The roles of the suite as Django groups, and the one map from role to permissions.

A data migration creates the groups; after every ``migrate`` the permissions are synchronised
from ``ROLES`` (permissions of apps migrated later exist only then). Later apps add their
permissions to this map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

STAFF = "Staff"
DATA_ENTRY_CLERK = "Data entry clerk"
PAYROLL_CLERK = "Payroll clerk"
ACCOUNTANT = "Accountant"
AUDITOR = "Auditor"
HR_MANAGER = "HR manager"
RECRUITER = "Recruiter"
DEPARTMENT_HEAD = "Department head"
HELPDESK_AGENT = "Helpdesk agent"
OFFICE_MANAGER = "Office manager"


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    admin: bool
    permissions: tuple[str, ...] = field(default_factory=tuple)
    # Moves money or sees pay: signs in with a second factor (backoffice.two_factor).
    second_factor: bool = False


_HR_READ = ("hr.view_department", "hr.view_position", "hr.view_employee")
_HR_WRITE = (
    "hr.add_department",
    "hr.change_department",
    "hr.add_position",
    "hr.change_position",
    "hr.delete_position",
    "hr.add_employee",
    "hr.change_employee",
)

_ACCOUNTING_READ = tuple(
    f"accounting.view_{m}"
    for m in (
        "account",
        "fiscalyear",
        "period",
        "journalentry",
        "journalline",
        "ledgerbalance",
        "payment",
        "bankstatement",
        "bankstatementline",
        "budget",
        "budgetmonth",
        "commitment",
        "finding",
    )
)
_ACCOUNTING_WRITE = (
    *(
        f"accounting.{action}_{m}"
        for m in ("account", "budget", "budgetmonth", "payment", "bankstatement", "fiscalyear")
        for action in ("add", "change")
    ),
    "accounting.change_bankstatementline",
    "accounting.change_period",
    "accounting.add_journalentry",
    "accounting.approve_payment",
    "accounting.close_period",
    "accounting.reverse_journalentry",
    "accounting.export_reports",
)

_PAYROLL_READ = tuple(
    f"payroll.view_{m}"
    for m in (
        "payschedule",
        "payperiod",
        "payprofile",
        "bankdetailschange",
        "deductionrule",
        "payrollsettings",
        "timeentry",
        "payrollrun",
        "payslip",
        "paysliperror",
        "cheque",
        "bankfile",
    )
)
_PAYROLL_CLERK = (
    *_PAYROLL_READ,
    *(
        f"payroll.{action}_{m}"
        for m in ("payschedule", "payperiod", "payprofile", "deductionrule", "payrollsettings")
        for action in ("add", "change")
    ),
    "payroll.run_payday",
    "payroll.approve_payrollrun",
    "payroll.export_payroll_reports",
)
_HOURS_ENTRY = ("payroll.view_timeentry", "payroll.add_timeentry", "payroll.change_timeentry")

ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        # Staff see their own things only; object-level checks live in the selectors.
        Role(STAFF, _("Staff"), admin=False),
        Role(
            DATA_ENTRY_CLERK,
            _("Data entry clerk"),
            admin=False,
            permissions=(*_HR_READ, *_HOURS_ENTRY),
        ),
        Role(
            PAYROLL_CLERK,
            _("Payroll clerk"),
            second_factor=True,
            admin=True,
            permissions=(*_HR_READ, "hr.view_all_employees", *_PAYROLL_CLERK, *_HOURS_ENTRY),
        ),
        Role(
            ACCOUNTANT,
            _("Accountant"),
            second_factor=True,
            admin=True,
            permissions=(
                "hr.view_department",
                *_ACCOUNTING_READ,
                *_ACCOUNTING_WRITE,
                "payroll.view_payrollrun",
                "payroll.view_payslip",
                "payroll.approve_payrollrun",
                "payroll.export_payroll_reports",
            ),
        ),
        Role(
            AUDITOR,
            _("Auditor"),
            second_factor=True,
            admin=True,
            permissions=(
                *_HR_READ,
                "hr.view_all_employees",
                *_ACCOUNTING_READ,
                "accounting.change_finding",
                "accounting.run_audit",
                "accounting.export_reports",
                *_PAYROLL_READ,
                "payroll.export_payroll_reports",
            ),
        ),
        Role(
            HR_MANAGER,
            _("HR manager"),
            second_factor=True,
            admin=True,
            permissions=(*_HR_READ, *_HR_WRITE, "hr.view_all_employees", "auth.view_user"),
        ),
        Role(
            RECRUITER,
            _("Recruiter"),
            admin=True,
            permissions=("hr.view_department", "hr.view_position"),
        ),
        # A department head sees the employees of the departments they head (selectors scope it).
        Role(
            DEPARTMENT_HEAD,
            _("Department head"),
            admin=False,
            permissions=(
                *_HR_READ,
                "accounting.view_budget",
                "payroll.view_timeentry",
                "payroll.approve_timeentry",
            ),
        ),
        Role(
            HELPDESK_AGENT,
            _("Helpdesk agent"),
            admin=True,
            permissions=("hr.view_department", "hr.view_employee"),
        ),
        Role(
            OFFICE_MANAGER,
            _("Office manager"),
            admin=True,
            permissions=("hr.view_department", "hr.view_employee"),
        ),
    )
}


def user_roles(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request (one query)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_backoffice_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._backoffice_roles = cached
    return cached


def user_has_role(user, *names: str) -> bool:
    return bool(user_roles(user) & set(names))


def user_may_use_admin(user) -> bool:
    """Managers use the Django admin; staff, clerks and department heads never reach it."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_authenticated", False)):
        return False
    if user.is_superuser:
        return True
    return any(ROLES[name].admin for name in user_roles(user) if name in ROLES)


def role_labels(user) -> list[str]:
    return [str(ROLES[name].label) for name in sorted(user_roles(user)) if name in ROLES]


def roles_sync(*, group_model, permission_model) -> list[str]:
    """Create the groups and set each one's permissions to exactly the map's.

    Returns the permissions named in the map that do not exist (yet). Idempotent.
    """
    missing: list[str] = []
    all_perms = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in ROLES.values():
        group, _created = group_model.objects.get_or_create(name=role.name)
        wanted = []
        for perm in role.permissions:
            if perm in all_perms:
                wanted.append(all_perms[perm])
            else:
                missing.append(perm)
        group.permissions.set(wanted)
    return missing
