from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from hr.selectors import employee_may_list


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.my_profile",
            title=_("My profile"),
            description=_("Your employee record: department, position, manager."),
            url_name="hr:my_profile",
            visible=lambda user: user.is_authenticated,
            order=10,
            in_nav=True,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.employees",
            title=_("Employees"),
            description=_("The people you look after: search and open their records."),
            url_name="hr:employee_list",
            visible=lambda user: employee_may_list(user=user),
            order=20,
            in_nav=True,
        )
    )
