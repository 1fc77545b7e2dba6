"""Payroll's links on the home page and in the navigation."""

from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link


def _has_employee_record(user) -> bool:
    """Cached on the user object: the home page and the navigation both ask."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_payroll_has_employee", None)
    if cached is None:
        cached = hasattr(user, "employee")
        user._payroll_has_employee = cached
    return cached


def register() -> None:
    register_home_link(
        HomeLink(
            key="payroll.hours_grid",
            title=_("Enter hours"),
            description=_("Hours per employee and day in a week grid, or from a CSV file."),
            url_name="payroll:hours_grid",
            visible=lambda user: user.has_perm("payroll.add_timeentry"),
            order=40,
            in_nav=True,
        )
    )
    register_home_link(
        HomeLink(
            key="payroll.hours_approve",
            title=_("Approve hours"),
            description=_("The hours entered for the departments you head, week by week."),
            url_name="payroll:hours_approve",
            visible=lambda user: user.has_perm("payroll.approve_timeentry"),
            order=41,
        )
    )
    register_home_link(
        HomeLink(
            key="payroll.my_hours",
            title=_("My hours"),
            description=_("The hours recorded for you, month by month."),
            url_name="payroll:my_hours",
            visible=_has_employee_record,
            order=45,
        )
    )
    register_home_link(
        HomeLink(
            key="payroll.dashboard",
            title=_("Payday"),
            description=_("Check readiness, calculate, review, approve and pay a pay period."),
            url_name="payroll:dashboard",
            visible=lambda user: user.has_perm("payroll.run_payday"),
            order=30,
            in_nav=True,
        )
    )
    register_home_link(
        HomeLink(
            key="payroll.my_payslips",
            title=_("My payslips"),
            description=_("Your published payslips, each as a PDF."),
            url_name="payroll:my_payslips",
            visible=_has_employee_record,
            order=44,
            in_nav=True,
        )
    )
    register_home_link(
        HomeLink(
            key="payroll.my_bank_details",
            title=_("My bank details"),
            description=_("Where your pay goes, and a request for new bank details."),
            url_name="payroll:my_bank_details",
            visible=_has_employee_record,
            order=47,
        )
    )
    register_home_link(
        HomeLink(
            key="payroll.reports",
            title=_("Payroll reports"),
            description=_("Payroll register and year-to-date totals, in the browser and as CSV."),
            url_name="payroll:reports",
            visible=lambda user: user.has_perm("payroll.export_payroll_reports"),
            order=46,
        )
    )
