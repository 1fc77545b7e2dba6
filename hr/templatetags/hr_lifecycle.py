"""``{% lifecycle_actions employee %}``: links to transfer, terminate and the checklists of an
employee, for those who manage them."""

from django import template

from hr.selectors.lifecycle import employment_may_manage

register = template.Library()


@register.inclusion_tag("hr/lifecycle/_employee_actions.html", takes_context=True)
def lifecycle_actions(context, employee):
    user = context["request"].user
    manages = employment_may_manage(user=user, employee=employee)
    return {
        "employee": employee,
        "manages": manages,
        "checklists": list(employee.checklists.order_by("kind")) if manages else [],
    }
