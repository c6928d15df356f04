"""Consumer rights involved (消费者权益保护法 第7–15条) with the evidence for each.

STUB — owned by the law-and-industry work.
"""

from __future__ import annotations

from kesu.analysis.doc import Doc
from kesu.analysis.types import Right


def detect_rights(doc: Doc) -> list[Right]:
    return []
