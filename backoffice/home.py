"""The links the bottom layer contributes to the home page and navigation."""

from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from backoffice.roles import user_may_use_admin


def register() -> None:
    register_home_link(
        HomeLink(
            key="backoffice.inbox",
            title=_("Inbox"),
            description=_("Messages from the system: alerts, replies and invitations."),
            url_name="inbox",
            visible=lambda user: user.is_authenticated,
            order=90,
        )
    )
    register_home_link(
        HomeLink(
            key="backoffice.password",
            title=_("Change password"),
            description=_("Set a new password for your login."),
            url_name="password_change",
            visible=lambda user: user.is_authenticated,
            order=95,
        )
    )
    register_home_link(
        HomeLink(
            key="backoffice.admin",
            title=_("Administration"),
            description=_("Manage records in the administration area."),
            url_name="admin:index",
            visible=user_may_use_admin,
            order=99,
            in_nav=True,
        )
    )
