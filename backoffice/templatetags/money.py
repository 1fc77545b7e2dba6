from django import template

from backoffice.money import format_money

register = template.Library()


@register.filter(name="money")
def money(value):
    """Render a Decimal amount in the active language's format, e.g. 1.234,56 €."""
    return format_money(value)
