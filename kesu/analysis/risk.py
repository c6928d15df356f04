"""Risk signals (media, regulator, litigation, self-harm…) with status and spans; risk level and score.

STUB — owned by the risk work.
"""

from __future__ import annotations

from kesu.analysis.doc import Doc
from kesu.analysis.types import Demand, Emotion, Risk, Signal


def detect_signals(doc: Doc, demands: list[Demand]) -> list[Signal]:
    return []


def assess_risk(doc: Doc, signals: list[Signal], emotion: Emotion, customer_type: str) -> Risk:
    return Risk(level="routine", score=0.0, signals=signals)
