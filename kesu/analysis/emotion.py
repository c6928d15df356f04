"""Emotion (anger, anxiety, disappointment, sadness, calm) with intensity and reasons.

STUB — owned by the psychology work.
"""

from __future__ import annotations

from kesu.analysis.doc import Doc
from kesu.analysis.types import Emotion


def detect_emotion(doc: Doc) -> Emotion:
    return Emotion(label="calm", intensity=0.0, reasons=[])
