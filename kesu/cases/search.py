"""Full-text search for Chinese complaint text (ADR 0004).

The index column holds the normalised text (Simplified, half-width, lower case) of the case's text
fields. A query is normalised the same way and cut into words by jieba; every word must occur
(AND), as a substring. Segmenting the query, not the stored text, keeps the column as short as
the text itself and matches any literal substring.

To avoid reading every case, the database indexes the text's *bigrams* (each pair of adjacent
letters or digits, spelt as an ASCII token so no tokenizer or locale can change it): a case
holding a word holds all of the word's bigrams, so the cases holding them all are a small
superset of the matches, which the substring test then narrows to exactly the same answer.
"""

from __future__ import annotations

import functools
import itertools
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


def _spell(char: str) -> str:
    """A character as lower-case letters a–p (its code point in hex, one letter per digit)."""
    return "".join(chr(ord("a") + int(d, 16)) for d in f"{ord(char):x}")


def bigrams(text: str) -> list[str]:
    """Each distinct pair of adjacent letters or digits of `text`, spelt as one ASCII word (two
    spelt characters joined by "z"), in order of first occurrence."""
    seen: dict[str, None] = {}
    for a, b in itertools.pairwise(text):
        if a.isalnum() and b.isalnum():
            seen.setdefault(f"{_spell(a)}z{_spell(b)}", None)
    return list(seen)


def index_bigrams(search_text: str) -> str:
    """The bigram words of an index text, space-separated (what the database indexes)."""
    return " ".join(bigrams(search_text))


def query_bigrams(terms: list[str], limit: int = 16) -> list[str]:
    """Bigram words every match of all `terms` must hold (at most `limit`; fewer only widens
    the candidates, never loses one). Empty when no term has two adjacent letters or digits."""
    out: dict[str, None] = {}
    for term in terms:
        for gram in bigrams(term):
            out.setdefault(gram, None)
    return list(out)[:limit]
