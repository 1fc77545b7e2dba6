"""The lifecycle's links on the home page and in the navigation."""

from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from hr.selectors.lifecycle import checklist_may_list


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.checklists",
            title=_("Onboarding and offboarding"),
            description=_("Hire people, work through their checklists, transfers and leavers."),
            url_name="hr:checklist_list",
            visible=lambda user: checklist_may_list(user=user),
            order=25,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.org_chart",
            title=_("Org chart"),
            description=_("Departments, their heads and who works where."),
            url_name="hr:org_chart",
            visible=lambda user: user.is_authenticated,
            order=26,
        )
    )
