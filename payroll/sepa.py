"""SEPA credit transfer files (pain.001.001.09) for direct deposits.

The ``sepaxml`` package writes the XML; we validate it against the XSD that sepaxml ships,
with lxml (fast, C): a file that does not validate is never stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import sepaxml
from lxml import etree
from sepaxml import SepaTransfer

SCHEMA = "pain.001.001.09"


@dataclass(frozen=True)
class Transfer:
    name: str
    iban: str
    bic: str
    amount: Decimal
    description: str
    end_to_end_id: str


@cache
def _schema() -> etree.XMLSchema:
    path = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def validate(xml: bytes) -> None:
    """Raise ValueError with the first schema error if the file is not valid pain.001.001.09."""
    schema = _schema()
    doc = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(doc):
        raise ValueError(str(schema.error_log.last_error))


def credit_transfer(
    *,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str,
    execution_date: datetime.date,
    transfers: Iterable[Transfer],
) -> tuple[bytes, int, Decimal]:
    """Build and validate the file; returns (xml, number of transfers, control sum)."""
    config = {
        "name": debtor_name,
        "IBAN": debtor_iban,
        "BIC": debtor_bic,
        "batch": True,
        "currency": "EUR",
    }
    sepa = SepaTransfer(config, schema=SCHEMA, clean=True)
    count = 0
    total = Decimal("0.00")
    for t in transfers:
        cents = int(t.amount * 100)
        if Decimal(cents) / 100 != t.amount:
            raise ValueError(f"{t.name}: amount {t.amount} is not whole cents")
        payment = {
            "name": t.name,
            "IBAN": t.iban,
            "amount": cents,
            "execution_date": execution_date,
            "description": t.description,
            "endtoend_id": t.end_to_end_id,
        }
        if t.bic:
            payment["BIC"] = t.bic
        sepa.add_payment(payment)
        count += 1
        total += t.amount
    xml = sepa.export(validate=False)
    validate(xml)
    return xml, count, total
