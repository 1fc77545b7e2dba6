from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from backoffice.money import format_money, round_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.345"), Decimal("2.35")),
        (Decimal("2.344"), Decimal("2.34")),
        (Decimal("-2.345"), Decimal("-2.35")),
        (Decimal("0.005"), Decimal("0.01")),
    ],
)
def test_round_money_is_half_up_to_the_cent(value, expected):
    assert round_money(value) == expected


def test_round_money_refuses_binary_floats():
    with pytest.raises(TypeError):
        round_money(1.1)


def test_money_in_german_and_english():
    with translation.override("de"):
        assert format_money(Decimal("1234.56")) == "1.234,56\u00a0€"
        assert format_money(Decimal("-1234567.5")) == "-1.234.567,50\u00a0€"
    with translation.override("en"):
        assert format_money(Decimal("1234.56")) == "€1,234.56"


def test_money_template_filter():
    template = Template("{% load money %}{{ amount|money }}")
    with translation.override("de"):
        assert template.render(Context({"amount": Decimal("1234.5")})) == "1.234,50\u00a0€"
