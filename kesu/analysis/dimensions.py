"""The five dimensions of seed 003: time, place, people, event, emotion.

STUB — owned by the facts work.
"""

from __future__ import annotations

from kesu.analysis.doc import Doc
from kesu.analysis.types import Dimensions, Emotion, Entities


def extract_dimensions(doc: Doc, entities: Entities, emotion: Emotion) -> Dimensions:
    return Dimensions(
        time=list(entities.dates), place=list(entities.orgs), people=[], event="", emotion=emotion.label
    )
