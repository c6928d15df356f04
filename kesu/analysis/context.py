"""Who says what, and how: negation, hypotheticals, third parties, done versus threatened.

A lexicon hit is only a candidate. These functions read the words around it, inside its clause,
the way a handler hears 「我不会去曝光的」 (a negation), 「我朋友上次去了电视台」 (somebody else) or
「我已经打了12378」 (already done). Cue words live in data/context.toml, each with a description.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import entries


@dataclass(frozen=True)
class Cues:
    negation: tuple[str, ...]
    negation_breakers: tuple[str, ...]
    hypothetical: tuple[str, ...]
    third_party: tuple[str, ...]
    first_person: tuple[str, ...]
    done: tuple[str, ...]
    done_after: tuple[str, ...]
    future: tuple[str, ...]


@cache
def cues() -> Cues:
    def words(kind: str) -> tuple[str, ...]:
        found = [w for e in entries("context", "cue") if e["kind"] == kind for w in e["terms"]]
        return tuple(sorted(set(found), key=len, reverse=True))

    return Cues(
        negation=words("negation"),
        negation_breakers=words("negation_breaker"),
        hypothetical=words("hypothetical"),
        third_party=words("third_party"),
        first_person=words("first_person"),
        done=words("done"),
        done_after=words("done_after"),
        future=words("future"),
    )


def _last_index(window: str, words: tuple[str, ...]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for w in words:
        i = window.rfind(w)
        if i >= 0 and (best is None or i + len(w) > best[0] + len(best[1])):
            best = (i, w)
    return best


def negation(doc: Doc, start: int, *, width: int = 6) -> str | None:
    """The negating cue governing the hit at `start` (不会/不想/没有…), unless a conditional
    (不…就…) or another breaker stands between them."""
    window = doc.before(start, width)
    found = _last_index(window, cues().negation)
    if found is None:
        return None
    tail = window[found[0] + len(found[1]) :]
    if any(b in tail for b in cues().negation_breakers):
        return None
    return found[1]


def hypothetical(doc: Doc, start: int, *, width: int = 12) -> str | None:
    """A hypothetical cue (如果/假如/万一…) earlier in the same clause or the one before."""
    window = doc.before(start, width, within_clause=False)
    found = _last_index(window, cues().hypothetical)
    return found[1] if found else None


def third_party(doc: Doc, start: int, *, width: int = 10) -> str | None:
    """A third-party subject (我朋友/别人/有人/他…) earlier in the clause, not overridden by 我."""
    window = doc.before(start, width)
    other = _last_index(window, cues().third_party)
    if other is None:
        return None
    me = _last_index(window[other[0] + len(other[1]) :], cues().first_person)
    return None if me else other[1]


def tense(doc: Doc, start: int, end: int) -> str:
    """'done' when the clause says it already happened, 'threatened' when it says it will,
    otherwise 'unknown'."""
    before = doc.before(start, 8)
    after = doc.after(end, 3)
    future = any(w in before for w in cues().future)
    done = any(w in before for w in cues().done) or any(after.startswith(w) for w in cues().done_after)
    if done and not future:
        return "done"
    if future:
        return "threatened"
    return "unknown"
