"""Money amounts written every way customers write them (¥3,000 / 3000块 / 三千元 / 3k / 3万 / 一万五).

STUB — owned by the facts work.
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu.analysis.doc import Doc


@dataclass(frozen=True)
class Amount:
    value: float
    start: int
    end: int
    evidence: str


def find_amounts(doc: Doc) -> list[Amount]:
    return []
