from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from hr.selectors.absences import absence_may_record


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.absences",
            title=_("My absences"),
            description=_("Your vacation balance, your leave requests and the team calendar."),
            url_name="hr:absence_mine",
            visible=lambda user: user.is_authenticated,
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
