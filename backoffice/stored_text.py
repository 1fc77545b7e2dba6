"""Messages written now and read later, in the reader's language.

A notification or an audit finding is written by one person (or a nightly task) and read by
others, each in their own language. Storing the rendered sentence would freeze the writer's
language. Instead the writer keeps the message id (the English source text) and its parameters,
and the reader's request translates them::

    from django.utils.translation import gettext_noop
    from backoffice.stored_text import Money, stored

    text = stored(
        gettext_noop("Used %(used)s of %(amount)s."), used=Money(used), amount=Money(amount)
    )
    notify(users=users, subject=text, ...)   # keeps text.as_json() and str(text)

Parameters are kept in a neutral form in JSON: dates and datetimes as ISO, money and other
decimals as strings, translatable words (a choice label, another stored text) as their message
ids, lists as lists (shown joined by commas). ``render_stored`` turns them back into a
sentence in the active language (dates as the language writes them, money as ``1.234,56 €``
or ``€1,234.56``). A row written before this existed, or a text that cannot be rendered,
shows its stored rendering (the fallback).
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext

from backoffice.money import format_money, format_quantity

logger = logging.getLogger(__name__)


class Money:
    """Marks a Decimal parameter as an amount of money (formatted with its currency)."""

    __slots__ = ("amount",)

    def __init__(self, amount: Decimal) -> None:
        self.amount = Decimal(amount)


class Amount:
    """Marks a Decimal parameter as a number with two decimals, grouped ("1.234,50"), for a
    sentence that names its currency itself."""

    __slots__ = ("value",)

    def __init__(self, value: Decimal) -> None:
        self.value = Decimal(value)


class Weekday:
    """Marks a datetime parameter to be shown with its weekday ("Mi. 02.12.2026 01:58")."""

    __slots__ = ("moment",)

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment


class StoredText:
    """A message id with its parameters; ``str()`` renders it in the active language."""

    __slots__ = ("context", "count", "lower", "msgid", "params", "plural")

    def __init__(
        self,
        msgid: str,
        params: dict[str, Any] | None = None,
        *,
        plural: str = "",
        count: int | None = None,
        context: str = "",
        lower: bool = False,
    ) -> None:
        self.msgid = str(msgid)
        self.params = dict(params or {})
        self.plural = plural
        self.count = count
        self.context = context
        self.lower = lower

    def lowered(self) -> StoredText:
        """The same text, rendered in lower case (a label inside a sentence)."""
        return StoredText(
            self.msgid,
            self.params,
            plural=self.plural,
            count=self.count,
            context=self.context,
            lower=True,
        )

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.params:
            data["params"] = {key: _encode(value) for key, value in self.params.items()}
        if self.plural:
            data["plural"] = self.plural
            data["count"] = self.count
        if self.context:
            data["context"] = self.context
        if self.lower:
            data["lower"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredText:
        return cls(
            data["msgid"],
            {key: _decode(value) for key, value in (data.get("params") or {}).items()},
            plural=data.get("plural", ""),
            count=data.get("count"),
            context=data.get("context", ""),
            lower=bool(data.get("lower")),
        )

    def render(self) -> str:
        if self.plural:
            text = ngettext(self.msgid, self.plural, self.count or 0)
        elif self.context:
            text = pgettext(self.context, self.msgid)
        else:
            text = gettext(self.msgid) if self.msgid else ""
        if self.params:
            text = text % {key: _display(value) for key, value in self.params.items()}
        return text.lower() if self.lower else text

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"StoredText({self.msgid!r}, {self.params!r})"


def stored(msgid: str, /, **params: Any) -> StoredText:
    """A message to render later: ``msgid`` is the English source (mark it with
    ``gettext_noop``); params are strings, numbers, dates, ``Money``, lazy translations or
    other stored texts."""
    return StoredText(msgid, params)


def stored_plural(singular: str, plural: str, count: int, /, **params: Any) -> StoredText:
    """``ngettext`` later: the form follows ``count`` in the reader's language."""
    return StoredText(singular, params, plural=plural, count=count)


def stored_lines(lines: list[Any]) -> StoredText:
    """Several texts, one per line (each translated for the reader)."""
    return StoredText(
        "\n".join(f"%(line{i})s" for i in range(len(lines))),
        {f"line{i}": line for i, line in enumerate(lines)},
    )


def stored_label(label: Any) -> StoredText | str:
    """A lazy translation (a choice label, ``gettext_lazy("...")``) as a stored text, so it is
    translated for the reader; anything else as its string."""
    if isinstance(label, StoredText):
        return label
    if isinstance(label, Promise):
        args = getattr(label, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return StoredText(args[0])
        if len(args) == 2 and all(isinstance(a, str) for a in args):
            return StoredText(args[1], context=args[0])
    return str(label)


def stored_source(text: Any) -> dict[str, Any] | None:
    """The JSON to keep for a text: a stored text's message and parameters; None for plain
    text (a person's own words, shown as written)."""
    if isinstance(text, StoredText):
        return text.as_json()
    if isinstance(text, Promise):
        label = stored_label(text)
        return label.as_json() if isinstance(label, StoredText) else None
    return None


def render_stored(source: dict[str, Any] | None, fallback: str = "") -> str:
    """The stored message in the active language; ``fallback`` (the text as first rendered)
    for rows without one, or when it cannot be rendered."""
    if not source:
        return fallback
    try:
        return StoredText.from_json(source).render()
    except (KeyError, TypeError, ValueError, ArithmeticError):
        logger.warning("stored text could not be rendered: %r", source, exc_info=True)
        return fallback


# --- parameters: kept neutral in JSON, formatted for the reader ----------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"money": str(value.amount)}
    if isinstance(value, Amount):
        return {"amount": str(value.value)}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, float):
        return {"decimal": repr(value)}
    if isinstance(value, Weekday):
        return {**_encode(value.moment), "weekday": True}
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Promise):
        value = stored_label(value)
    if isinstance(value, StoredText):
        return {"text": value.as_json()}
    if isinstance(value, list | tuple):
        return {"list": [_encode(item) for item in value]}
    return str(value)


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "money" in value:
        return Money(Decimal(value["money"]))
    if "amount" in value:
        return Amount(Decimal(value["amount"]))
    if "decimal" in value:
        return Decimal(value["decimal"])
    if "datetime" in value:
        moment = datetime.datetime.fromisoformat(value["datetime"])
        return Weekday(moment) if value.get("weekday") else moment
    if "date" in value:
        return datetime.date.fromisoformat(value["date"])
    if "text" in value:
        return StoredText.from_json(value["text"])
    if "list" in value:
        return [_decode(item) for item in value["list"]]
    raise ValueError(f"unknown stored parameter {value!r}")


def _display(value: Any) -> Any:
    """A decoded parameter as the active language writes it."""
    if isinstance(value, Money):
        return format_money(value.amount)
    if isinstance(value, Amount):
        return formats.number_format(value.value, 2, use_l10n=True, force_grouping=True)
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, Weekday):
        local = timezone.localtime(value.moment)
        return f"{formats.date_format(local, 'D')} {format_datetime(local)}"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, StoredText):
        return value.render()
    if isinstance(value, list):
        return ", ".join(str(_display(item)) for item in value)
    return value


def format_date(value: datetime.date) -> str:
    """A date for a sentence rendered now, as the active language writes it."""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def format_datetime(value: datetime.datetime) -> str:
    """A moment for a sentence rendered now, in local time, as the active language writes it."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
