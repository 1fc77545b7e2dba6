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

# Absences (issue #8, item 3): HR sees, decides and records every absence and extends
# carried-over vacation; heads decide their own department's in the portal (selectors scope it).
_HR_ABSENCES = (
    "hr.manage_absences",
    "hr.view_absence",
    "hr.view_carryoverextension",
    "hr.add_carryoverextension",
    "hr.change_carryoverextension",
)

# Taking a whole list out of the admin (export) and writing one in (import) are permissions of
# their own (IMPORT_EXPORT_*_PERMISSION_CODE in the settings), granted to the roles that keep
# the data; an import adds and overwrites rows, so it goes only with add and change.
# The personnel file (issue #8, item 1): HR managers read and keep every file, upload its
# documents, read who looked at files and decide staff's change requests. Department heads and
# staff reach files through hr.selectors.personnel_file (their department's, their own).
_HR_PERSONNEL_FILE = (
    "hr.view_personnelfile",
    "hr.add_personnelfile",
    "hr.change_personnelfile",
    "hr.view_personnelfile_access_log",
    "hr.decide_personnelchangerequest",
    "hr.view_personneldocument",
    "hr.add_personneldocument",
)
_HR_TRANSFER = (
    "hr.export_department",
    "hr.import_department",
    "hr.export_employee",
    "hr.import_employee",
)
_ACCOUNTING_TRANSFER = (
    "accounting.export_account",
    "accounting.import_account",
    "accounting.export_budget",
    "accounting.import_budget",
)
# Auditors take evidence away: they may export what they may read in full, and import nothing.
_EVIDENCE_EXPORTS = (
    "hr.export_department",
    "hr.export_employee",
    "accounting.export_account",
    "accounting.export_budget",
)
# HR discipline, training and compliance (issue #8, items 4-6). Discipline is HR managers' and
# the department head's (the head's reach is the selectors', no permission): payroll clerks and
# auditors see every employee, but no disciplinary record.
_HR_DISCIPLINE_TRAINING = (
    "hr.view_disciplinaryrecord",
    "hr.add_disciplinaryrecord",
    "hr.change_disciplinaryrecord",
    "hr.view_disciplinaryrecordview",
    "hr.view_course",
    "hr.add_course",
    "hr.change_course",
    "hr.view_trainingsession",
    "hr.add_trainingsession",
    "hr.change_trainingsession",
    "hr.view_requiredtraining",
    "hr.add_requiredtraining",
    "hr.change_requiredtraining",
    "hr.delete_requiredtraining",
    "hr.view_enrolment",
    "hr.add_enrolment",
    "hr.change_enrolment",
    "hr.view_training_status",
    "hr.view_compliance_dashboard",
)
# Recruiting (issue #10): recruiters keep openings (admin) and read every application and resume
# (portal). A hiring department head reaches their openings' applicants through
# hr.selectors.recruiting, without a permission.
_RECRUITING = (
    "hr.view_opening",
    "hr.add_opening",
    "hr.change_opening",
    "hr.view_application",
)
# Name, department and work contact of current employees: enough to find a person and to pick
# them in an autocomplete (a device, a key), nothing of their employment.
_EMPLOYEE_DIRECTORY = ("hr.view_department", "hr.view_employee_directory")

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
        "payprofilechange",
        "bankdetailschange",
        "companyaccountchange",
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
    # Four eyes: one clerk asks for a change of pay or bank details, another approves it
    # (never their own request, never their own profile: the services refuse both).
    "payroll.approve_payprofilechange",
    "payroll.approve_companyaccountchange",
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
                *_ACCOUNTING_TRANSFER,
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
                *_EVIDENCE_EXPORTS,
                *_PAYROLL_READ,
                "payroll.export_payroll_reports",
            ),
        ),
        Role(
            HR_MANAGER,
            _("HR manager"),
            second_factor=True,
            admin=True,
            permissions=(
                *_HR_READ,
                *_HR_WRITE,
                *_HR_TRANSFER,
                *_HR_PERSONNEL_FILE,
                "hr.view_all_employees",
                "auth.view_user",
                # HR lifecycle (issue #8 item 2): hire, transfer, terminate in every department.
                "hr.manage_employment",
                *_HR_DISCIPLINE_TRAINING,
                *_HR_ABSENCES,
            ),
        ),
        Role(
            RECRUITER,
            _("Recruiter"),
            admin=True,
            permissions=("hr.view_department", "hr.view_position", *_RECRUITING),
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
            permissions=_EMPLOYEE_DIRECTORY,
        ),
        Role(
            OFFICE_MANAGER,
            _("Office manager"),
            admin=True,
            permissions=_EMPLOYEE_DIRECTORY,
        ),
    )
}


# --- What each role may do in the admin ---------------------------------------------------------
#
# The intended reach of every admin role over every model registered in the admin, one row per
# model. A superuser may do everything and is not listed; a role not listed for a model does not
# see it (the index leaves it out, its pages answer 403). The words:
#
#   view       list and detail, every field the admin shows
#   directory  the employee directory only: current employees' name, department, work email
#              and phone, searched by name, filtered by department; what autocompletes need
#   add change delete   the forms (read-only admins never offer them)
#   export     the admin's export (IMPORT_EXPORT_EXPORT_PERMISSION_CODE: <app>.export_<model>)
#   import     the admin's import (<app>.import_<model>); only with add and change
#   +name      an admin action of that name
#
# tests/backoffice/test_admin_reach.py checks the admin against this table role by role, and
# fails when a model is registered in the admin without a row here: a new admin class needs a
# decision. Why each role has what it has:
#
# - Payroll clerk: keeps schedules, periods, deduction rules, settings and pay profiles (not
#   their own: the four-eyes pay-profile changes); reads every employee (pay profiles pick them),
#   departments and positions; exports only the hours it looks at (payroll reports are pages).
#   Approves or refuses another clerk's request to change a pay profile or the company account
#   (never their own request or profile) and withdraws their own.
# - Accountant: keeps accounts, budgets and fiscal years, closes periods, reverses entries,
#   approves payments (not their own); imports and exports accounts and budgets; reads the
#   payroll runs and payslips it approves; departments only as budget targets.
# - Auditor: reads everything of accounting and payroll and every employee, acknowledges
#   findings, exports the lists it may read in full as evidence; changes and imports nothing.
# - HR manager: keeps departments, positions and employees, imports and exports them; reads
#   logins to link them to employees (never changes them: groups are a superuser's).
# - Recruiter: departments and positions, read-only; no employee at all. Openings (add,
#   change; never delete: an opening is closed). Applications and resumes in the portal only.
# - Helpdesk agent, office manager: the employee directory (to find a person and assign a
#   device or a key) and departments; no HR field, no export, no import, no change.
# - Groups, logins' permissions, lockouts (axes) and notifications: superusers only.
ADMIN_REACH: dict[str, dict[str, str]] = {
    "auth.group": {},
    "auth.user": {HR_MANAGER: "view +reset_second_factor"},
    # Second-factor devices: superusers only (keys and codes hidden even from them).
    "otp_static.staticdevice": {},
    "otp_totp.totpdevice": {},
    "axes.accessattempt": {},
    "axes.accesslog": {},
    "axes.accessfailurelog": {},
    "backoffice.notification": {},
    # A user's own choice (the language switch); only a superuser corrects it here.
    "backoffice.userpreference": {},
    "hr.department": {
        PAYROLL_CLERK: "view",
        ACCOUNTANT: "view",
        AUDITOR: "view export",
        HR_MANAGER: "view add change export import",
        RECRUITER: "view",
        HELPDESK_AGENT: "view",
        OFFICE_MANAGER: "view",
    },
    "hr.position": {
        PAYROLL_CLERK: "view",
        AUDITOR: "view",
        HR_MANAGER: "view add change delete +delete_selected",
        RECRUITER: "view",
    },
    "hr.employee": {
        PAYROLL_CLERK: "view",
        AUDITOR: "view export",
        HR_MANAGER: "view add change export import",
        HELPDESK_AGENT: "directory",
        OFFICE_MANAGER: "directory",
    },
    # Personnel file (issue #8, item 1): HR managers keep the files; documents, the access log
    # and change requests have their own pages (hr.views.personnel_file), not the admin.
    "hr.personnelfile": {HR_MANAGER: "view add change"},
    # HR discipline and training (issue #8): records themselves only in the portal (reads are
    # logged there); the log of reads, courses, sessions, enrolments (read-only) in the admin.
    "hr.course": {HR_MANAGER: "view add change"},
    "hr.trainingsession": {HR_MANAGER: "view add change"},
    "hr.enrolment": {HR_MANAGER: "view"},
    "hr.disciplinaryrecordview": {HR_MANAGER: "view"},
    # Absences (issue #8, item 3): read in the admin, decided in the portal; HR keeps extensions.
    "hr.absence": {HR_MANAGER: "view"},
    "hr.carryoverextension": {HR_MANAGER: "view add change"},
    # Recruiting (issue #10): recruiters keep openings; applications are portal pages only.
    "hr.opening": {RECRUITER: "view add change"},
    "accounting.account": {
        ACCOUNTANT: "view add change export import",
        AUDITOR: "view export",
    },
    "accounting.budget": {
        ACCOUNTANT: "view add change export import",
        AUDITOR: "view export",
    },
    "accounting.commitment": {ACCOUNTANT: "view", AUDITOR: "view"},
    "accounting.fiscalyear": {ACCOUNTANT: "view add change +open_following_year", AUDITOR: "view"},
    "accounting.period": {ACCOUNTANT: "view +close_periods +reopen_periods", AUDITOR: "view"},
    "accounting.journalentry": {ACCOUNTANT: "view +reverse_entries", AUDITOR: "view"},
    "accounting.payment": {
        ACCOUNTANT: "view +approve_payments +cancel_payments",
        AUDITOR: "view",
    },
    "accounting.bankstatement": {ACCOUNTANT: "view", AUDITOR: "view"},
    "accounting.finding": {ACCOUNTANT: "view", AUDITOR: "view +acknowledge_findings"},
    "payroll.payschedule": {PAYROLL_CLERK: "view add change", AUDITOR: "view"},
    "payroll.payperiod": {PAYROLL_CLERK: "view add change", AUDITOR: "view"},
    # Add only while there is no settings row yet (one row of settings).
    "payroll.payrollsettings": {PAYROLL_CLERK: "view add change", AUDITOR: "view"},
    "payroll.deductionrule": {PAYROLL_CLERK: "view add change", AUDITOR: "view"},
    # Change: not their own profile (read-only there). Sensitive fields become a request.
    "payroll.payprofile": {PAYROLL_CLERK: "view add change", AUDITOR: "view"},
    # Requests: a second clerk approves or refuses; the requester may withdraw their own.
    "payroll.payprofilechange": {
        PAYROLL_CLERK: "view +approve_changes +refuse_changes +withdraw_changes",
        AUDITOR: "view",
    },
    "payroll.companyaccountchange": {
        PAYROLL_CLERK: "view +approve_changes +refuse_changes +withdraw_changes",
        AUDITOR: "view",
    },
    "payroll.bankdetailschange": {PAYROLL_CLERK: "view", AUDITOR: "view"},
    "payroll.timeentry": {PAYROLL_CLERK: "view +export_csv", AUDITOR: "view +export_csv"},
    "payroll.payrollrun": {PAYROLL_CLERK: "view", ACCOUNTANT: "view", AUDITOR: "view"},
    "payroll.payslip": {PAYROLL_CLERK: "view", ACCOUNTANT: "view", AUDITOR: "view"},
    "payroll.paysliperror": {PAYROLL_CLERK: "view", AUDITOR: "view"},
    "payroll.cheque": {PAYROLL_CLERK: "view", AUDITOR: "view"},
    "payroll.bankfile": {PAYROLL_CLERK: "view", AUDITOR: "view"},
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
    """The labels of the user's roles for the home page; a superuser may do what every role
    can and is told so, with the roles they also hold."""
    if getattr(user, "is_superuser", False):
        return [str(_("Superuser (everything every role may do)"))] + [
            str(ROLES[name].label) for name in sorted(user_roles(user)) if name in ROLES
        ]
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
