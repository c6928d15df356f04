"""Entities: amounts, dates, masked phone/ID/card numbers, organisations, products, people.

STUB — owned by the facts work.
"""

from __future__ import annotations

from kesu.analysis.amounts import Amount
from kesu.analysis.doc import Doc
from kesu.analysis.pii import find_pii
from kesu.analysis.types import Entities


def extract_entities(doc: Doc, amounts: list[Amount], products: list[str]) -> Entities:
    pii = find_pii(doc.text)
    return Entities(
        amounts=[a.value for a in amounts],
        phones=[p.masked for p in pii if p.kind == "phone"],
        id_numbers=[p.masked for p in pii if p.kind == "id_number"],
        cards=[p.masked for p in pii if p.kind == "card"],
        products=products,
    )
