"""Home-page link of recruiting (issue #10)."""

from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from hr.selectors.recruiting import recruiting_may_list


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.recruiting",
            title=_("Recruiting"),
            description=_("Openings, applicants and their resumes."),
            url_name="hr:recruiting_openings",
            visible=lambda user: recruiting_may_list(user=user),
            order=26,
        )
    )
