"""The five dimensions of seed 003: time, place, people, event, emotion.

- time: the time expressions as the customer wrote them (上周三, 昨天下午, 2026年3月), merged when
  adjacent (昨天下午3点 is one expression). `find_times` also resolves each to a calendar date
  when it can (for `entities.dates`).
- place: the organisations found by `entities` plus channels and apps (手机银行APP, 网银, 柜台).
- people: the staff roles and named staff found by `entities`.
- event: a short phrase (≤ 30 characters) naming what happened, cut from the clause holding the
  strongest problem word of data/entities.toml [[event]] (扣了年费, 被降额, 理赔被拒), skipping
  clauses that ask for something, quote a law, tell somebody else's story or are the agent's
  line ([[event_skip]]). It reads after 「客户就…投诉」 in the summary, so leading subjects,
  connectors and times are trimmed ([[event_trim]]). Empty when no problem word is found.
- emotion: the emotion label passed in.

Personal numbers in the event are masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from kesu.analysis.doc import Doc
from kesu.analysis.entities import find_times
from kesu.analysis.lexicon import TermMatcher, entries
from kesu.analysis.pii import mask_text
from kesu.analysis.types import Dimensions, Emotion, Entities

T = TypeVar("T")
_EVENT_MAX = 30
_QUOTES = (("“", "”"), ("「", "」"), ("『", "』"), ("《", "》"), ("(", ")"), ("（", "）"))
_PUNCT = " ,.!?;:~、，。！？；：…\"'“”‘’()（）【】[]"


# ---------------------------------------------------------------- place and event


@cache
def _place_matcher() -> TermMatcher[str]:
    rows = entries("entities", "place")
    return TermMatcher([(t, r["description"]) for r in rows for t in r["terms"]], regex=True)


def find_places(doc: Doc) -> list[str]:
    """Channels and places that are not organisations: 手机银行APP, 网银, 柜台, ATM."""
    return [doc.text[h.start : h.end] for h in _place_matcher().finditer(doc.norm)]


@dataclass(frozen=True)
class _EventTerm:
    weight: int


@cache
def _event_matcher() -> TermMatcher[_EventTerm]:
    rows = entries("entities", "event")
    return TermMatcher([(t, _EventTerm(int(r["weight"]))) for r in rows for t in r["terms"]], regex=True)


@cache
def _trim_words() -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    table = {e["kind"]: e for e in entries("entities", "event_trim")}
    lead = tuple(sorted(table["lead"]["terms"], key=len, reverse=True))
    tail = tuple(sorted(table["tail"]["terms"], key=len, reverse=True))
    pairs = tuple((p.split("→")[0], p.split("→")[1]) for p in table["replace"]["terms"])
    return lead, tail, pairs


def _strip_bounds(norm: str, lo: int, hi: int, times: list[str]) -> tuple[int, int]:
    """Shrink norm[lo:hi] past leading subjects, connectors and times, and trailing particles.
    `times` longest first: the first that opens norm[lo:hi] is what one alternation of them
    would match (a regex built per complaint cost more than these few `startswith`)."""
    lead_re, tail = _lead_regex(), _trim_words()[1]
    time_words = tuple(times)
    changed = True
    while changed and hi - lo > 1:
        changed = False
        while lo < hi and norm[lo] in _PUNCT:
            lo, changed = lo + 1, True
        while hi > lo and norm[hi - 1] in _PUNCT:
            hi, changed = hi - 1, True
        if time_words and norm.startswith(time_words, lo, hi):
            cut = lo + next(len(t) for t in time_words if norm.startswith(t, lo, hi))
            if cut < hi:
                lo, changed = cut, True
        m = lead_re.match(norm, lo, hi)
        if m and m.end() < hi:
            lo, changed = m.end(), True
        if norm.endswith(tail, lo, hi):
            cut = next(len(w) for w in tail if norm.endswith(w, lo, hi))
            if hi - lo > cut:
                hi, changed = hi - cut, True
    return lo, hi


@cache
def _lead_regex() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in _trim_words()[0]))


def _clause(doc: Doc, pos: int) -> tuple[int, int]:
    """The clause at `pos`, not split inside a number written with a thousands comma (1,280.5)."""
    lo, hi = doc.clause_bounds(pos)
    norm = doc.norm
    while lo > 1 and norm[lo - 1] == "," and norm[lo - 2 : lo - 1].isdigit() and norm[lo : lo + 1].isdigit():
        lo = doc.clause_bounds(lo - 2)[0]
    while hi + 1 < len(norm) and norm[hi] == "," and norm[hi - 1 : hi].isdigit() and norm[hi + 1].isdigit():
        hi = doc.clause_bounds(hi + 1)[1]
    return lo, hi


@cache
def _skip_words() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    """Words that make a clause or a sentence unusable (one alternation each: a search finds
    one of them exactly when one occurs), and the line openings that do."""
    table = {e["kind"]: e for e in entries("entities", "event_skip")}

    def any_of(words: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(w) for w in words) or "(?!)")

    return any_of(table["clause"]["terms"]), any_of(table["sentence"]["terms"]), tuple(table["line"]["terms"])


def _usable(doc: Doc, lo: int, start: int) -> bool:
    """False for a clause that is a demand, a quoted law, somebody else's story or the agent's line."""
    clause_words, sentence_words, line_words = _skip_words()
    norm = doc.norm
    line_start = norm.rfind("\n", 0, start) + 1
    if norm.startswith(line_words, line_start):
        return False
    if clause_words.search(norm, lo, start):
        return False
    return not sentence_words.search(norm, doc.sentence_bounds(start)[0], start)


def _best_hit(doc: Doc) -> tuple[int, int] | None:
    best: tuple[int, int, int] | None = None
    for hit in _event_matcher().finditer(doc.norm):
        if best is not None and hit.payload.weight <= best[0]:
            continue  # cannot replace the best so far: skip the checks
        lo, _ = _clause(doc, hit.start)
        if _usable(doc, lo, hit.start):
            best = (hit.payload.weight, hit.start, hit.end)
    return (best[1], best[2]) if best else None


def find_event(doc: Doc) -> str:
    """A short phrase for what happened (module docstring); empty when no problem word is found."""
    hit = _best_hit(doc)
    if hit is None:
        return ""
    start, end = hit
    lo, hi = _clause(doc, start)
    hi = max(hi, end)
    if hi - lo > _EVENT_MAX:
        lo = max(lo, start - 12)
        hi = min(hi, max(end, lo + _EVENT_MAX))
    times = sorted({doc.norm[t.start : t.end] for t in find_times(doc)}, key=len, reverse=True)
    lo, hi = _strip_bounds(doc.norm, lo, min(hi, lo + _EVENT_MAX), times)
    phrase = doc.text[lo:hi]
    for old, new in _trim_words()[2]:
        phrase = phrase.replace(old, new)
    for left, right in _QUOTES:
        if phrase.count(left) != phrase.count(right):  # a quote cut in half: drop its marks
            phrase = phrase.replace(left, "").replace(right, "")
    return mask_text(phrase.strip())


def extract_dimensions(doc: Doc, entities: Entities, emotion: Emotion) -> Dimensions:
    """Seed 003's five dimensions, as the customer wrote them (raw text, no duplicates)."""
    times = _unique(t.text for t in find_times(doc))
    places = _unique([*entities.orgs, *find_places(doc)])
    return Dimensions(
        time=times, place=places, people=list(entities.people), event=find_event(doc), emotion=emotion.label
    )


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
