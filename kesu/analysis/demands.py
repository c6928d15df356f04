"""Explicit demands (退款、赔偿、道歉…) with their amounts and evidence.

STUB — owned by the facts work.
"""

from __future__ import annotations

from kesu.analysis.amounts import Amount
from kesu.analysis.doc import Doc
from kesu.analysis.types import Demand


def extract_demands(doc: Doc, amounts: list[Amount]) -> list[Demand]:
    return []
