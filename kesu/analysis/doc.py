"""The text being analysed: the original, a normalised twin of the same length, and its clauses.

Detectors match on `Doc.norm` (Simplified, half-width, lower-case ASCII, common typos fixed) and
report offsets that are valid in the original `Doc.text`, because normalisation never changes the
length of the text: every replacement is one character for one character (or a typo for a word of
the same length).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import opencc

from kesu.analysis.lexicon import load_table
from kesu.analysis.pii import PiiMatch, find_pii, mask_in_place
from kesu.analysis.types import Complaint, Span

# After normalisation full-width ，！？；： are ASCII; a dot or colon between digits is a number.
_CLAUSE_BREAK = re.compile(r"[,!?;。、….:\s]")
_SENTENCE_BREAK = re.compile(r"[!?。.\n\r]")


def _breaks(pattern: re.Pattern[str], norm: str) -> list[int]:
    """Positions of break characters, except a dot, colon or comma inside a number (3.5, 10:30,
    1,280) — a plain character class plus this check is much faster than look-arounds."""
    out = []
    last = len(norm) - 1
    for m in pattern.finditer(norm):
        i = m.start()
        if norm[i] in ".:," and 0 < i < last and norm[i - 1].isdigit() and norm[i + 1].isdigit():
            continue
        out.append(i)
    return out


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _typo_pairs() -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in load_table("typos")["typo"]:
        wrong, right = entry["wrong"], entry["right"]
        if len(wrong) != len(right):
            raise ValueError(f"typos.toml: {wrong!r} → {right!r} must keep the length")
        pairs.append((wrong, right))
    return tuple(pairs)


def _width_fold(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block
        return chr(code - 0xFEE0)
    if code == 0x3000:  # ideographic space
        return " "
    return ch


_WIDTH_TABLE = {chr(code): _width_fold(chr(code)) for code in (*range(0xFF01, 0xFF5F), 0x3000)}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _to_simplified(text: str) -> str:
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to one character at a time.
    out = []
    for ch in text:
        c = _converter().convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case, typos fixed; always the same length as `text`."""
    # Same as _width_fold on every character, several times faster on Chinese text: a text has
    # only a few distinct full-width characters (，！？), each replaced everywhere at once (what
    # they become is never full-width, so the order does not matter).
    folded = text
    for wide in set(_FULL_WIDTH.findall(text)):
        folded = folded.replace(wide, _WIDTH_TABLE[wide])
    lowered = folded.lower()
    if len(lowered) != len(folded):  # a few letters (İ) lower-case to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    folded = lowered
    simplified = _to_simplified(folded)
    for wrong, right in _typo_pairs():
        if wrong in simplified:
            simplified = simplified.replace(wrong, right)
    return simplified


@dataclass
class Doc:
    """`text` is the complaint with personal numbers masked digit for digit (same length as the
    original, so every offset is valid in both); `raw` is the original; `pii` the numbers found."""

    complaint: Complaint
    text: str
    norm: str
    raw: str = ""
    pii: tuple[PiiMatch, ...] = ()
    industry: str = "general"
    _clause_breaks: list[int] = field(default_factory=list, repr=False)
    _sentence_breaks: list[int] = field(default_factory=list, repr=False)
    # The bounds at every position 0…len(text) (`_bounds_table`): detectors ask some fifty times
    # per complaint, and a list index is cheaper than two bisections.
    _clauses: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)
    _sentences: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)
    # Results that several detectors ask for (the customer cues), computed once per complaint.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def span(self, start: int, end: int) -> Span:
        return Span(start=start, end=end, evidence=self.text[start:end])

    def clause_bounds(self, pos: int) -> tuple[int, int]:
        """Start and end of the clause (between commas, stops, …) holding position `pos`."""
        if 0 <= pos < len(self._clauses):
            return self._clauses[pos]
        return _bounds(self._clause_breaks, pos, len(self.text))  # past the end

    def sentence_bounds(self, pos: int) -> tuple[int, int]:
        """Start and end of the sentence (between 。！？ or line breaks) holding `pos`."""
        if 0 <= pos < len(self._sentences):
            return self._sentences[pos]
        return _bounds(self._sentence_breaks, pos, len(self.text))

    def clause(self, pos: int) -> str:
        start, end = self.clause_bounds(pos)
        return self.norm[start:end]

    def before(self, pos: int, width: int, *, within_clause: bool = True) -> str:
        """Up to `width` normalised characters before `pos`, by default not crossing a clause break."""
        floor = self.clause_bounds(pos)[0] if within_clause else 0
        return self.norm[max(floor, pos - width) : pos]

    def after(self, pos: int, width: int, *, within_clause: bool = True) -> str:
        """Up to `width` normalised characters from `pos` on, by default not crossing a clause break."""
        ceiling = self.clause_bounds(max(pos - 1, 0))[1] if within_clause else len(self.norm)
        return self.norm[pos : min(ceiling, pos + width)]


def _bounds(breaks: list[int], pos: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(breaks, pos - 1) if pos > 0 else 0
    start = breaks[i - 1] + 1 if i > 0 else 0
    j = bisect.bisect_left(breaks, pos)
    end = breaks[j] if j < len(breaks) else length
    return start, max(end, start)


def _bounds_table(breaks: list[int], length: int) -> list[tuple[int, int]]:
    """`_bounds(breaks, pos, length)` for every pos in 0…length: the positions from just after
    one break up to and including the next share the bounds (one tuple, repeated)."""
    table: list[tuple[int, int]] = []
    start = 0
    for end in breaks:
        table += [(start, max(end, start))] * (end - start + 1)
        start = end + 1
    table += [(start, length)] * (length - start + 1)
    return table


def make_doc(complaint: Complaint) -> Doc:
    pii = tuple(find_pii(complaint.text))
    safe = mask_in_place(complaint.text, list(pii))
    norm = normalize(safe)
    clause_breaks, sentence_breaks = _breaks(_CLAUSE_BREAK, norm), _breaks(_SENTENCE_BREAK, norm)
    return Doc(
        complaint=complaint,
        text=safe,
        norm=norm,
        raw=complaint.text,
        pii=pii,
        industry=complaint.industry or "general",
        _clause_breaks=clause_breaks,
        _sentence_breaks=sentence_breaks,
        _clauses=_bounds_table(clause_breaks, len(norm)),
        _sentences=_bounds_table(sentence_breaks, len(norm)),
    )
