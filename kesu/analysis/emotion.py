"""Emotion (anger, anxiety, disappointment, sadness, calm) with intensity, reasons and spans.

The cues are data (data/emotion.toml): lexicons per emotion (curses, insults, anger words,
rhetorical questions, anxiety, disappointment, sadness, social-media emoticons), intensifiers
(太/非常/简直/忒/贼…) and punctuation (！！！, ？！, 连续问号). A cue right after a negation
(不生气、别着急) does not count, unless the clause is rhetorical (能不急吗). The emotion with the
highest weighted score wins when it reaches `_LABEL_THRESHOLD`; otherwise the text is calm.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from typing import Generic, TypeVar

from kesu.analysis.context import hypothetical, third_party
from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import Hit, TermMatcher, entries, load_table, trie_regex
from kesu.analysis.scan import (
    NORM_INDEX,
    Found,
    LiteralDispatch,
    LiteralGate,
    LiteralIndex,
    may_any_match_in,
    may_match_in,
)
from kesu.analysis.types import Emotion

ABUSIVE_LABELS = ("骂人词", "贬损词")
"""Reason prefixes of abusive cues; customer.py reads them to recognise a venting customer."""

_LABEL_THRESHOLD = 0.9
_INTENSIFIED = 1.3
_PRIORITY = ("anger", "sadness", "anxiety", "disappointment")  # tie-break: what a handler must see first
_ORG_TAIL = (
    "银行",
    "公司",
    "平台",
    "客服",
    "系统",
    "服务",
    "保险",
    "企业",
    "移动",
    "联通",
    "电信",
    "app",
    "商家",
    "东西",
)


@dataclass(frozen=True)
class _Cue:
    emotion: str
    label: str
    weight: float
    abusive: bool
    exclude: tuple[re.Pattern[str], ...]
    own_only: bool = False
    exclude_owner: int = 0  # `exclusion_owner(exclude)`


@dataclass(frozen=True)
class _Punct:
    label: str
    emotion: str
    weight: float
    regex: re.Pattern[str]
    needs: str
    on_original: bool  # capitals are lower-cased in Doc.norm, so they are read in Doc.text
    # Where a match can start (`_STARTS` below), given the text as lanes and its length; None:
    # anywhere, the expression scans the text itself.
    starts: Callable[[int, int], int] | None = None


@dataclass
class _Tally:
    score: dict[str, float]
    # (start, end) of the evidence: a `Span` is made for the label's evidence only, at the end
    # (a frozen dataclass costs several times a tuple, and most texts end calm).
    spans: dict[str, list[tuple[int, int]]]
    reasons: dict[str, list[str]]
    punct: dict[str, float]
    arousal: float = 0.0


P = TypeVar("P")


class CueMatcher(Generic[P]):
    """Literal terms (from the shared scan) plus a few regular expressions, merged into one
    left-to-right stream of non-overlapping hits, the longer hit winning at the same place.

    Each regular expression runs only when one of the literals every match contains (read from
    the parsed expression) occurs in the text: the shared scan already knows, so the test is a
    set lookup instead of a search."""

    def __init__(
        self, literal: list[tuple[str, P]], patterns: list[tuple[str, P]], *, index: LiteralIndex = NORM_INDEX
    ) -> None:
        self._literal = TermMatcher(literal, index=index)
        self._patterns = [(re.compile(p), payload) for p, payload in patterns]
        self._gate = gate = LiteralGate((p for p, _ in patterns), index)
        self._index = index
        self._dispatch = LiteralDispatch(gate.needs, gate.owner)  # which expressions to try

    def finditer(self, text: str) -> list[Hit[P]]:
        hits = self._literal.finditer(text)
        if not self._patterns:
            return hits
        ids = self._dispatch.candidates(self._index.find(text))
        if not ids:
            return hits  # the usual case: no expression can match
        extra = []
        for i in ids:  # in listed order, as the plain loop over the expressions
            regex, payload = self._patterns[i]
            extra += [Hit(m.start(), m.end(), m.group(), payload) for m in regex.finditer(text)]
        return _without_overlaps(hits + extra) if extra else hits


def _without_overlaps(hits: list[Hit[P]]) -> list[Hit[P]]:
    kept: list[Hit[P]] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


@cache
def _matcher() -> CueMatcher[_Cue]:
    literal: list[tuple[str, _Cue]] = []
    patterns: list[tuple[str, _Cue]] = []
    for row in entries("emotion", "cue"):
        exclude = compile_any(row.get("exclude", []))
        cue = _Cue(
            emotion=row["emotion"],
            label=row["label"],
            weight=float(row["weight"]),
            abusive=bool(row.get("abusive", False)),
            exclude=exclude,
            own_only=bool(row.get("own_only", False)),
            exclude_owner=exclusion_owner(exclude),
        )
        literal += [(t, cue) for t in row.get("terms", [])]
        patterns += [(p, cue) for p in row.get("patterns", [])]
    return CueMatcher(literal, patterns)


# Faster spellings of punctuation patterns of data/emotion.toml, which cue_features reads too (so
# the table keeps the plain form). Each finds exactly what its plain form finds (test_emotion),
# but opens with a plain character or class, so that `re` skips in C to the next place a match
# can start instead of trying the leading look-arounds at every character: they move after the
# first character, one character wider. `(?<!(?=ATM|…)[A-Z])` steps back over the first capital
# to look ahead from it.
_ACRONYMS = "ATM|APP|VIP|POS|ETC|USB|SIM|PIN|CEO|LPR|ETF|IPO|APR|KYC|OTP|SMS|GPS|WIFI|NFC|PDF|CVV|QR|VPN|CBD|ICU|PPT|EMS|DNA|GDP"
_FASTER = {
    r"\?+!+|!+\?+": r"[?!](?:(?<=\?)\?*!+|(?<=!)!*\?+)",
    r"(?<!!)!(?!!)": r"!(?<!!!)(?!!)",
    rf"(?<![A-Za-z])(?!(?:{_ACRONYMS})(?![A-Za-z]))[A-Z]{{3,}}(?![A-Za-z])": (
        rf"[A-Z](?<![A-Za-z][A-Z])(?<!(?=(?:{_ACRONYMS})(?![A-Za-z]))[A-Z])[A-Z]{{2,}}(?![A-Za-z])"
    ),
}


# ---------------------------------------------------------------- repeated characters and words

# 重复字 (啊啊啊) and 重复强调 (四天！四天！) use back-references, which `re` tries at every
# character: they were the two costliest scans of the module. A match can only start where
# characters repeat, and integer arithmetic finds those places in the whole text at once:
# character i is lane i (bits 32i to 32i+31) of one integer, a shift by k lanes lines every
# character up with the one k places on, and a lane of their XOR is zero where the two are equal.
# The expression is then tried at those places only, which finds exactly what its scan finds
# (test_emotion). Code points are below 2**21, so adding 2**31 - 1 to a lane sets its top bit
# unless the lane is zero, and never carries into the next lane.


def _as_lanes(text: str) -> int:
    """`text` as one integer, character i in lane i."""
    return int.from_bytes(text.encode("utf-32-le", "surrogatepass"), "little")


@lru_cache(maxsize=32)
def _lane_constants(blocks: int) -> tuple[int, int, int, int]:
    """In each of 64 * `blocks` lanes: the top bit; 2**31 - 1 (the zero test); 2**31 - 0x4E00
    and 2**31 - 0xA000 (the bounds of the CJK block, tested the same way)."""

    def every_lane(value: int) -> int:
        return int.from_bytes(value.to_bytes(4, "little") * (64 * blocks), "little")

    top = 1 << 31
    return every_lane(top), every_lane(top - 1), every_lane(top - 0x4E00), every_lane(top - 0xA000)


def _triples(lanes: int, size: int) -> int:
    """Top bit of lane i set where characters i, i+1 and i+2 are the same: where 重复字 can start."""
    top, ones, _, _ = _lane_constants((size + 63) // 64)
    diff = lanes ^ (lanes >> 32)  # lane i is zero where characters i and i+1 are the same
    either = diff | (diff >> 32)  # … and i+1 and i+2 too
    return (top ^ ((either + ones) & top)) & ((1 << 32 * size) - 1)  # not the lanes past the text


def _repeated_pairs(lanes: int, size: int) -> int:
    """Top bit of lane i set where characters i and i+1 are CJK and come again 2 to 6 places on
    (a word of 2-4 characters, 0-2 in between): where 重复强调 can start. The pair is compared as
    one 31-bit hash (character i shifted by 10 bits, XOR character i+1): two pairs with the same
    hash only cost a try that fails."""
    top, ones, from_cjk, past_cjk = _lane_constants((size + 63) // 64)
    pairs = (lanes << 10) ^ (lanes >> 32)
    differ = top
    for distance in range(2, 7):
        differ &= (pairs ^ (pairs >> 32 * distance)) + ones
    cjk = ((lanes + from_cjk) ^ (lanes + past_cjk)) & top  # 0x4E00 <= lane < 0xA000
    return (top ^ differ) & cjk & (cjk >> 32)


def _set_lanes(bits: int) -> list[int]:
    """The lanes whose top bit is set, in order."""
    found = []
    while bits:
        lowest = bits & -bits
        found.append(lowest.bit_length() // 32 - 1)
        bits ^= lowest
    return found


def _matches_at(regex: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """What `regex.finditer(text)` finds when its matches (never empty) can start at `starts` only."""
    found: list[re.Match[str]] = []
    end = 0
    for start in starts:
        if start >= end and (m := regex.match(text, start)) is not None:
            found.append(m)
            end = m.end()
    return found


_STARTS: dict[str, Callable[[int, int], int]] = {
    r"([^\d\s哈呵嘻嘿啦哒么嗯哦噢嘤.!?,a-z*\-_=~。…—])\1{2,}": _triples,
    "([\u4e00-\u9fff]{2,4})[了啊呀吧!,。?]{0,2}\\1": _repeated_pairs,
}


@cache
def _puncts() -> tuple[_Punct, ...]:
    return tuple(
        _Punct(
            row["label"],
            row["emotion"],
            float(row["weight"]),
            re.compile(_FASTER.get(row["pattern"], row["pattern"])),
            row.get("needs", ""),
            row.get("source") == "text",
            _STARTS.get(row["pattern"]),
        )
        for row in entries("emotion", "punct")
    )


def compile_any(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """Compiled exclusion patterns, each tried on its own (their matches may overlap)."""
    return tuple(re.compile(p) for p in patterns)


def _alternation(words: list[str]) -> str:
    """What the plain alternation of `words`, longest first, finds (the longest word at the
    leftmost place), spelt as a trie: `re` tries one branch per character instead of every word."""
    return trie_regex(sorted(set(words)))


@cache
def _intensifiers() -> tuple[re.Pattern[str], re.Pattern[str]]:
    rows = entries("emotion", "intensifier")
    before = _alternation([w for r in rows for w in r["before"]])
    after = _alternation([w for r in rows for w in r["after"]])
    return re.compile(before), re.compile(after)


@cache
def _negation() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    """A negation word ending right before the cue, or a longer one (没有、并不) anywhere in the
    three characters before it; the rhetorical tails that cancel it; and characters of which
    every negation word holds one (`negation_marks`)."""
    table = load_table("emotion")["negation"]
    single = [t for t in table["terms"] if len(t) == 1]
    multi = [t for t in table["terms"] if len(t) > 1]
    negation = re.compile(f"(?:{_alternation(multi)})|(?:{_alternation(single)})$")
    return negation, re.compile(_alternation(table["rhetorical_after"])), negation_marks(table["terms"])


def negation_marks(terms: list[str]) -> frozenset[str]:
    """Characters of which every term holds at least one: the one-character terms (不、没、别、未),
    plus the first character of any longer term that holds none of them (无需 → 无). Text without
    any of them holds no term, so the search for one can be skipped."""
    marks = {t for t in terms if len(t) == 1}
    for t in terms:
        if marks.isdisjoint(t):
            marks.add(t[0])
    return frozenset(marks)


def negated(doc: Doc, start: int, end: int) -> bool:
    """True when a negation word stands right before the cue (不生气) and the clause is not a
    rhetorical question (能不急吗)."""
    negation, rhetorical, marks = _negation()
    # Most cues have no negation mark among the three characters before them, and the window
    # searched below is those characters or fewer (it stops at the clause start).
    if marks.isdisjoint(doc.norm[max(0, start - 3) : start]):
        return False
    if not negation.search(doc.before(start, 3)):
        return False
    return not rhetorical.search(doc.after(end, 4, within_clause=False))


def exclusion_owner(exclude: tuple[re.Pattern[str], ...]) -> int:
    """The owner number, in the shared scan of `Doc.norm`, of the literals one of which every
    match of an exclusion in `exclude` contains; 0 when an exclusion has none known. A text whose
    scan holds none of them has no look-alike anywhere (`may_be_covered`), so most hits of a cue
    with exclusions skip `covered` and its window: the scan of the text is at hand already."""
    if not exclude:
        return 0
    gate = LiteralGate([x.pattern for x in exclude], NORM_INDEX)
    flags = any(x.flags & re.IGNORECASE for x in exclude)  # `required_literals` reads no flags
    return gate.owner if all(gate.needs) and not flags else 0


def may_be_covered(found: Found, owner: int) -> bool:
    """False when no exclusion of `owner` (`exclusion_owner`) can match in the text whose shared
    scan is `found`; True when one may (then `covered` tells) or when they cannot be told (0)."""
    return not owner or bool(found.words(owner))


def covered(text: str, start: int, end: int, exclude: tuple[re.Pattern[str], ...], reach: int = 8) -> bool:
    """True when a look-alike (垃圾短信 for 垃圾) covers text[start:end]."""
    lo, hi = max(0, start - reach), end + reach
    window = text[lo:hi]
    if not may_any_match_in(exclude, window):
        return False
    for x in exclude:
        if may_match_in(x, window):
            for m in x.finditer(text, lo, hi):
                if m.start() <= start and m.end() >= end:
                    return True
    return False


def _own(doc: Doc, start: int, end: int) -> bool:
    """The complainant's own experience: not somebody else's (听说有人…), not a joke (…开玩笑的)."""
    if third_party(doc, start) or hypothetical(doc, start):
        return False
    after = doc.norm[end : end + 60]
    return not any(j in after for j in _JOKES)


_JOKES = ("开玩笑", "哈哈", "说笑", "逗你")


@cache
def _intensifier_marks() -> tuple[frozenset[str], frozenset[str]]:
    """First characters of the words before a cue and of those after it: a window without one
    holds no such word (most cues stand without an intensifier), told without a search."""
    rows = entries("emotion", "intensifier")
    before = [w for r in rows for w in r["before"]]
    after = [w for r in rows for w in r["after"]]
    if not all(before + after):
        raise ValueError("emotion.toml: an empty intensifier would match everywhere")
    return frozenset(w[0] for w in before), frozenset(w[0] for w in after)


def _intensifier(doc: Doc, start: int, end: int) -> str | None:
    before, after = _intensifiers()
    before_marks, after_marks = _intensifier_marks()
    window = doc.before(start, 3)
    m = None if before_marks.isdisjoint(window) else before.search(window)
    if m is None and doc.norm[end : end + 1] in after_marks:
        m = after.match(doc.after(end, 2))
    return m.group() if m else None


_AGENT_TURN = re.compile(
    r"^[ \t]*(?:坐席|客服|工作人员|话务员|接线员|柜员|业务员|agent|a)[:：][^\n]*", re.MULTILINE
)


def agent_turns(doc: Doc) -> list[tuple[int, int]]:
    """Spans of the company's own lines in a transcript (坐席：…): their words (您别着急、非常抱歉)
    are not the customer's emotion or complaint."""
    if "\n" not in doc.norm:
        return []
    return [(m.start(), m.end()) for m in _AGENT_TURN.finditer(doc.norm)]


def in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _evidence_end(doc: Doc, cue: _Cue, end: int) -> int:
    """Stretch an insult over the organisation it names (垃圾 → 垃圾银行) so the reason reads well."""
    if not cue.abusive:
        return end
    for tail in _ORG_TAIL:
        if doc.norm.startswith(tail, end):
            return end + len(tail)
    return end


def _add_words(doc: Doc, tally: _Tally) -> None:
    seen: dict[str, int] = defaultdict(int)
    agent = agent_turns(doc)
    hits = _matcher().finditer(doc.norm)
    found = NORM_INDEX.find(doc.norm)  # the text's shared scan, made by the matcher just now
    for hit in hits:
        cue = hit.payload
        if agent and in_spans(hit.start, agent):
            continue
        if (
            cue.exclude
            and may_be_covered(found, cue.exclude_owner)
            and covered(doc.norm, hit.start, hit.end, cue.exclude)
        ):
            continue
        if negated(doc, hit.start, hit.end) or (cue.own_only and not _own(doc, hit.start, hit.end)):
            continue
        seen[hit.text] += 1
        if seen[hit.text] > 2:  # the same word shouted ten times is not ten times the anger
            continue
        boost = _intensifier(doc, hit.start, hit.end)
        tally.score[cue.emotion] += cue.weight * (_INTENSIFIED if boost else 1.0)
        end = _evidence_end(doc, cue, hit.end)
        tally.spans[cue.emotion].append((hit.start, end))
        tally.reasons[cue.emotion].append(f"{cue.label}：{doc.text[hit.start : end]}")
        if boost:
            tally.reasons[cue.emotion].append(f"程度词：{boost}{hit.text}")
            tally.arousal += 0.3


def _add_punctuation(doc: Doc, tally: _Tally) -> None:
    agent = agent_turns(doc)
    lanes: dict[bool, int] = {}  # the text as lanes (`_as_lanes`), made once for both patterns
    for punct in _puncts():
        text = doc.text if punct.on_original else doc.norm
        if (punct.needs and punct.needs not in text) or (punct.on_original and text.lower() == text):
            continue  # cheap pre-checks: no exclamation mark, no capital letter: skip the regex
        found: Iterable[re.Match[str]]
        if punct.starts is None:
            found = punct.regex.finditer(text)
        else:
            if punct.on_original not in lanes:
                lanes[punct.on_original] = _as_lanes(text)
            starts = _set_lanes(punct.starts(lanes[punct.on_original], len(text)))
            found = _matches_at(punct.regex, text, starts)
        if agent:
            matches = [m for m in found if not in_spans(m.start(), agent)][:2]
        else:
            matches = list(islice(found, 2))  # the first two: the rest of the scan is not needed
        if not matches:
            continue
        tally.punct[punct.emotion] += punct.weight * len(matches)
        tally.arousal += punct.weight * len(matches)
        tally.spans["_punct"] += [(m.start(), m.end()) for m in matches]
        tally.reasons["_punct"].append(punct.label)


def _choose(score: dict[str, float]) -> str:
    best = max(_PRIORITY, key=lambda e: (score.get(e, 0.0), -_PRIORITY.index(e)))
    return best if score.get(best, 0.0) >= _LABEL_THRESHOLD else "calm"


def _intensity(score: float, arousal: float) -> float:
    return round(min(1.0, 1.0 - math.exp(-(score + 0.5 * arousal) / 2.2)), 3)


def detect_emotion(doc: Doc) -> Emotion:
    """The dominant emotion of the text, with intensity 0–1, Chinese reasons and evidence spans
    (offsets into the original text)."""
    tally = _Tally(
        score=defaultdict(float), spans=defaultdict(list), reasons=defaultdict(list), punct=defaultdict(float)
    )
    _add_words(doc, tally)
    _add_punctuation(doc, tally)
    for emotion, weight in tally.punct.items():
        # Punctuation alone is arousal, not yet an emotion: it cannot reach the threshold by itself.
        words = tally.score[emotion]
        tally.score[emotion] = words + weight if words else min(weight, _LABEL_THRESHOLD - 0.05)
    label = _choose(tally.score)
    if label == "calm":
        weak = [r for e in _PRIORITY for r in tally.reasons[e]]
        reasons = ["未见明显情绪词，语气平稳"] + [f"弱信号：{r}" for r in weak[:3]]
        top = max((tally.score[e] for e in _PRIORITY), default=0.0)
        return Emotion(label="calm", intensity=round(min(0.25, top / 4), 3), reasons=reasons, spans=[])
    reasons = _dedupe(tally.reasons[label] + tally.reasons["_punct"])
    second = _choose({e: s for e, s in tally.score.items() if e != label and e in _PRIORITY})
    if second != "calm" and tally.reasons[second]:
        reasons.append(f"兼有{_NAMES[second]}：{tally.reasons[second][0]}")
    # (start, end) tells a span (its evidence is text[start:end]): sorted and deduplicated as
    # the spans themselves would be.
    spans = [doc.span(start, end) for start, end in sorted(set(tally.spans[label] + tally.spans["_punct"]))]
    return Emotion(
        label=label, intensity=_intensity(tally.score[label], tally.arousal), reasons=reasons, spans=spans
    )


_NAMES = {
    "anger": "愤怒",
    "anxiety": "焦虑",
    "disappointment": "失望",
    "sadness": "委屈/悲伤",
    "calm": "平静",
}


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
