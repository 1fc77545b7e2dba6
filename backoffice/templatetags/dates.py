"""Dates in the active language where Django's formats have no short enough one."""

from django import template
from django.utils import formats, translation

register = template.Library()

# Day and month for a column header: 02.03. in German, 02/03 in English (en-GB).
DAY_MONTH_FORMATS = {"de": "d.m.", "en": "d/m"}


@register.filter(name="day_month")
def day_month(value):
    if not value:
        return ""
    language = (translation.get_language() or "de")[:2]
    return formats.date_format(value, DAY_MONTH_FORMATS.get(language, "d.m."))
