"""Full-text search for Chinese complaint text (ADR 0004).

The index column holds the normalised text (Simplified, half-width, lower case) of the case's text
fields. A query is normalised the same way and cut into words by jieba; every word must occur
(AND), as a substring. Segmenting the query, not the stored text, keeps the column as short as
the text itself (a scan's cost on SQLite is its length) and matches any literal substring.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from kesu.analysis.doc import normalize

_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_TERMS = 8


@functools.cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def index_text(*parts: str) -> str:
    """The value of `Case.search_text` for these fields (repeated fields are stored once)."""
    unique = dict.fromkeys(p.strip() for p in parts if p and p.strip())
    return normalize("\n".join(unique))


def query_terms(query: str) -> list[str]:
    """Words a query must all match: whitespace-separated parts, each cut by jieba when long."""
    terms: list[str] = []
    for part in normalize(query or "").split():
        pieces = [part] if len(part) <= 2 else [w for w in _jieba().cut(part) if _WORD.search(w)]
        terms += [w for w in pieces if w.strip() and w not in terms]
    return terms[:MAX_QUERY_TERMS]
