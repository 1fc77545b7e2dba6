from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from hr.selectors.absences import absence_may_record


def _has_employee_record(user) -> bool:
    """Only an employee has a balance and leave to ask for; a login of nobody's (the demo's
    superuser) decides others' leave through the approvals card instead. Cached on the user
    object: the home page and the navigation both ask."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_hr_has_employee", None)
    if cached is None:
        cached = hasattr(user, "employee")
        user._hr_has_employee = cached
    return cached


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.absences",
            title=_("My absences"),
            description=_("Your vacation balance, your leave requests and the team calendar."),
            url_name="hr:absence_mine",
            visible=_has_employee_record,
            order=12,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.absence_approvals",
            title=_("Leave requests to decide"),
            description=_("Approve or refuse leave, record sick days."),
            url_name="hr:absence_approvals",
            visible=lambda user: absence_may_record(user=user),
            order=22,
        )
    )
