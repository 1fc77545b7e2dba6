from django.utils.translation import gettext_lazy as _

from backoffice.registry import HomeLink, register_home_link


def _may_see_accounting(user) -> bool:
    return user.has_perm("accounting.export_reports") or user.has_perm("accounting.view_payment")


def register() -> None:
    register_home_link(
        HomeLink(
            key="accounting.index",
            title=_("Accounting"),
            description=_("Ledger, reports, payments and bank statements."),
            url_name="accounting:index",
            visible=_may_see_accounting,
            order=30,
            in_nav=True,
        )
    )
    register_home_link(
        HomeLink(
            key="accounting.budgets",
            title=_("Budgets"),
            description=_("Budget, actual and committed spend per department."),
            url_name="accounting:budget_dashboard",
            visible=lambda user: user.has_perm("accounting.view_budget"),
            order=31,
        )
    )
    register_home_link(
        HomeLink(
            key="accounting.findings",
            title=_("Audit findings"),
            description=_("What the audit checks found, and what was done about it."),
            url_name="accounting:finding_list",
            visible=lambda user: user.has_perm("accounting.view_finding"),
            order=32,
        )
    )
