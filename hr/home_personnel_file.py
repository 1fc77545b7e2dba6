from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.personnel_change_requests",
            title=_("Personnel file change requests"),
            description=_("Staff's requests to change their address or emergency contact."),
            url_name="hr:personnel_change_request_list",
            visible=lambda user: user.has_perm("hr.decide_personnelchangerequest"),
            order=25,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.personnel_file_access_log",
            title=_("Personnel file access log"),
            description=_("Who looked at which personnel file, and when."),
            url_name="hr:personnel_file_access_log",
            visible=lambda user: user.has_perm("hr.view_personnelfile_access_log"),
            order=26,
        )
    )
