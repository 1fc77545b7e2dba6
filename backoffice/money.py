"""Decimal money: one place for digits, places, rounding and display.

Amounts are ``Decimal`` with 14 digits and 2 places; rates and hours get 4 places. Rounding
happens once, inside a service, where the rule says so: ``round_money``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils import formats, translation

MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
RATE_MAX_DIGITS = 14
RATE_DECIMAL_PLACES = 4
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CURRENCY = "EUR"
_SYMBOLS = {"EUR": "€"}


def money_field(verbose_name=None, **kwargs) -> models.DecimalField:
    """A model field for an amount of money (14 digits, 2 places)."""
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        **kwargs,
    )


def rate_field(verbose_name=None, **kwargs) -> models.DecimalField:
    """A model field for a rate, percentage or hours where 4 places are needed."""
    return models.DecimalField(
        verbose_name,
        max_digits=RATE_MAX_DIGITS,
        decimal_places=RATE_DECIMAL_PLACES,
        **kwargs,
    )


def round_money(value: Decimal) -> Decimal:
    """Round to the cent, half up (the commercial rounding German payroll and ledgers use)."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, not {type(value).__name__}")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_quantity(value: Decimal) -> str:
    """Days or hours for a sentence, in the active language and without trailing zeros:
    ``10``, ``2,5`` in German (``Decimal.normalize()`` alone writes 10 as ``1E+1``)."""
    return formats.number_format(value.normalize(), use_l10n=True)


def format_money(value: Decimal | None, currency: str = CURRENCY) -> str:
    """Format for the active language: ``1.234,56 €`` in German, ``€1,234.56`` in English."""
    if value is None:
        return ""
    amount = round_money(Decimal(value))
    symbol = _SYMBOLS.get(currency, currency)
    language = translation.get_language() or "de"
    separators = _separators(language)
    if separators is None:
        number = formats.number_format(abs(amount), 2, use_l10n=True, force_grouping=True)
    else:
        # Python groups by three with "," and ".": swap in the language's separators (a
        # report renders a thousand amounts; number_format looks the formats up each time).
        decimal_separator, thousand_separator = separators
        number = (
            format(abs(amount), ",.2f")
            .replace(",", "\x00")
            .replace(".", decimal_separator)
            .replace("\x00", thousand_separator)
        )
    sign = "-" if amount < 0 else ""
    if language.startswith("de"):
        return f"{sign}{number}\u00a0{symbol}"
    return f"{sign}{symbol}{number}"


_SEPARATOR_CACHE: dict[str, tuple[str, str] | None] = {}


def _separators(language: str) -> tuple[str, str] | None:
    """The language's decimal and thousand separators when it groups digits by three (the
    shape Python's own ``format`` writes), else None (then ``number_format`` does it all)."""
    if language not in _SEPARATOR_CACHE:
        grouping = formats.get_format("NUMBER_GROUPING", language, use_l10n=True)
        _SEPARATOR_CACHE[language] = (
            (
                str(formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True)),
                str(formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True)),
            )
            if grouping == 3
            else None
        )
    return _SEPARATOR_CACHE[language]
