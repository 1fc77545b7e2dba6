"""Home-page links of discipline, training and the compliance dashboard."""

from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link
from hr.selectors.discipline import discipline_may_list
from hr.selectors.training import training_may_list, training_may_manage


def register() -> None:
    register_home_link(
        HomeLink(
            key="hr.my_trainings",
            title=_("My trainings"),
            description=_("Trainings your position requires, and your courses."),
            url_name="hr:my_trainings",
            visible=lambda user: user.is_authenticated,
            order=12,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.discipline_mine",
            title=_("My disciplinary records"),
            description=_("Read and acknowledge records issued to you."),
            url_name="hr:discipline_mine",
            visible=lambda user: user.is_authenticated,
            order=13,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.discipline",
            title=_("Discipline"),
            description=_("Warnings of the people you look after."),
            url_name="hr:discipline_list",
            visible=lambda user: discipline_may_list(user=user),
            order=24,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.training_due",
            title=_("Trainings due"),
            description=_("Who is overdue or expiring in the next 30 days."),
            url_name="hr:training_due",
            visible=lambda user: training_may_list(user=user),
            order=25,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.training_sessions",
            title=_("Training sessions"),
            description=_("Enrol people, record attendance and certificates."),
            url_name="hr:training_sessions",
            visible=lambda user: training_may_manage(user=user),
            order=26,
        )
    )
    register_home_link(
        HomeLink(
            key="hr.compliance",
            title=_("Compliance"),
            description=_("Labour-law checks: trainings, contracts, working time, minimum wage."),
            url_name="hr:compliance_dashboard",
            visible=lambda user: (
                user.is_authenticated and user.has_perm("hr.view_compliance_dashboard")
            ),
            order=27,
        )
    )
