"""Is it a complaint; the six needs; malicious-claim indicators; the customer type.

STUB — owned by the psychology work.
"""

from __future__ import annotations

from kesu.analysis.doc import Doc
from kesu.analysis.types import CUSTOMER_TYPES, Demand, Emotion, Label, Malicious, Signal


def complaint_score(
    doc: Doc, emotion: Emotion, demands: list[Demand], signals: list[Signal]
) -> tuple[float, list[str]]:
    return (0.5, [])


def detect_needs(
    doc: Doc, emotion: Emotion, demands: list[Demand], signals: list[Signal]
) -> tuple[list[str], dict[str, list[str]]]:
    return ([], {})


def detect_malicious(doc: Doc, demands: list[Demand], signals: list[Signal]) -> Malicious:
    return Malicious(score=0.0, indicators=[])


def classify_customer(
    doc: Doc, emotion: Emotion, demands: list[Demand], signals: list[Signal], malicious: Malicious
) -> Label:
    scores = {k: 0.25 for k in CUSTOMER_TYPES}
    return Label(label="problem_solving", confidence=0.25, scores=scores, reasons=[])
