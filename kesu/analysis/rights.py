"""Consumer rights involved (消费者权益保护法 第7–15条) with the evidence for each.

Each right has trigger expressions in data/rights.toml (没告知 → 知悉真情权, 捆绑搭售 → 自主选择权,
乱收费 → 公平交易权…). The earliest trigger of a right that is not negated (没有乱收费), not a
look-alike (强制平仓) and not hearsay (听说有人被乱扣费) decides; its clause of the original text
is the evidence. Each right also carries the related provisions of other laws for the complaint's
industry and the kind of trigger, as facts to look up.

Speed: every expression must contain one of a few literals (its anchors, read from the parsed
expression) and start with one of a few others (its prefixes); the shared scan (scan.py) tells
which are present and where, and only the expressions with both run, near their anchors. An
expression is compiled the first time it runs: most never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import entries, load_table, parse_regex, trie_regex
from kesu.analysis.scan import NORM_INDEX, match_prefixes, may_match_in, required_literals
from kesu.analysis.types import RIGHTS, Right

TABLE = "rights"
_GAP = "[^,.!?;。\n]{0,6}"


@dataclass(frozen=True)
class _Trigger:
    right: str
    reason: str
    topic: str
    sources: tuple[str, ...]  # the expressions, {gap} expanded
    exclude: tuple[re.Pattern[str], ...]

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """The expressions compiled (to inspect: matching compiles each the first time it runs)."""
        return tuple(re.compile(source) for source in self.sources)


class _Pattern:
    """One trigger expression, its place in the table, the literals (anchors) one of which every
    match contains and those (prefixes) one of which every match starts with.

    A plain class compared by identity, with the expression compiled on first use: compiling
    the 323 expressions was most of the table's build (some 40 ms), and a complaint runs a few."""

    __slots__ = ("_regex", "anchors", "order", "prefixes", "reach", "source", "trigger")

    def __init__(
        self,
        source: str,
        trigger: _Trigger,
        order: int,
        anchors: tuple[str, ...],
        prefixes: frozenset[str] | None,
        reach: int,
    ) -> None:
        self.source = source
        self.trigger = trigger
        self.order = order
        self.anchors = anchors
        self.prefixes = prefixes  # None: not known (the expression runs whatever the text starts)
        self.reach = reach  # the longest match: how far from an anchor a match can start or end
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        regex = self._regex
        if regex is None:  # two threads at once both compile: harmless
            regex = self._regex = re.compile(self.source)
        return regex


@dataclass(frozen=True)
class _Related:
    text: str
    industries: frozenset[str]  # empty: every industry
    topics: frozenset[str]  # empty: every trigger of the right

    def applies(self, industry: str, topic: str) -> bool:
        return (not self.industries or industry in self.industries) and (
            not self.topics or not topic or topic in self.topics
        )


@dataclass(frozen=True)
class _RightInfo:
    key: str
    article: int
    name: str
    related: tuple[_Related, ...]


@dataclass(frozen=True)
class _Negation:
    cues: re.Pattern[str]  # a cue ending at most max_gap characters before the window's end
    adjacent: tuple[str, ...]
    breakers: tuple[str, ...]
    not_negation: re.Pattern[str]


@dataclass(frozen=True)
class _Rules:
    law: str
    evidence_max: int
    rights: dict[str, _RightInfo]
    negation: _Negation
    reported: tuple[tuple[str, ...], int]  # hearsay cues (听说、新闻里) and how far back they reach
    speaker: re.Pattern[str]  # a speaker tag in a transcript (坐席: / 客户:), group 1 = agent
    index: dict[str, tuple[_Pattern, ...]]  # anchor → the patterns that need it
    always: tuple[_Pattern, ...]  # patterns without a usable anchor: always run
    owner: int  # the anchors' owner number in the shared scan
    triggers: tuple[_Trigger, ...]  # in table order: a pattern's `order` is its place here
    starts: dict[str, tuple[_Pattern, ...]]  # prefix → the patterns that can start with it
    unprefixed: frozenset[_Pattern]  # patterns whose prefixes are not known
    prefix_owner: int  # the prefixes' owner number in the shared scan

    def candidates(self, text: str) -> dict[_Pattern, list[int]]:
        """The patterns that can match `text`, each with the positions of its anchors there
        (patterns without anchors get position -1: search the whole text).

        A pattern needs one of its anchors and one of its prefixes in the text. The anchors
        alone let through some twenty patterns per complaint, the prefixes too about seven;
        each pattern let through costs a regex search of its windows, the prefix test a set
        look-up."""
        found = NORM_INDEX.find(text)  # every occurrence, overlapping ones included
        started = set(self.unprefixed)
        for prefix in found.words(self.prefix_owner):
            started.update(self.starts[prefix])
        active: dict[_Pattern, list[int]] = {p: [-1] for p in self.always if p in started}
        for anchor in found.words(self.owner):
            for pattern in self.index[anchor]:
                if pattern in started:
                    active.setdefault(pattern, []).extend(found.at[anchor])
        return active


def _expand(pattern: str) -> str:
    return pattern.replace("{gap}", _GAP)


def _trigger(row: dict[str, Any]) -> _Trigger:
    return _Trigger(
        right=row["right"],
        reason=row["reason"],
        topic=row.get("topic", ""),
        sources=tuple(_expand(p) for p in row["patterns"]),
        exclude=tuple(re.compile(_expand(p)) for p in row.get("exclude", [])),
    )


def _pattern(source: str, trigger: _Trigger, order: int) -> _Pattern:
    """A trigger expression with what the parsed expression tells (parsed once, not compiled)."""
    tree = parse_regex(source)
    reach = min(int(tree.getwidth()[1]), 200)
    return _Pattern(source, trigger, order, required_literals(tree), match_prefixes(tree), reach)


def _right(row: dict[str, Any]) -> _RightInfo:
    related = tuple(
        _Related(r["text"], frozenset(r.get("industries", [])), frozenset(r.get("topics", [])))
        for r in row.get("related", [])
    )
    return _RightInfo(row["key"], int(row["article"]), row["name"], related)


def _negation(raw: dict[str, Any]) -> _Negation:
    # Word lists as tries: they find what the plain alternations, longest word first, find
    # (test_detector_speedups), trying one branch per character instead of every word.
    cues = trie_regex(sorted(set(raw["cues"])))
    return _Negation(
        cues=re.compile(f"(?:{cues})(?=.{{0,{int(raw['max_gap'])}}}$)", re.S),
        adjacent=tuple(raw["adjacent"]),
        breakers=tuple(raw["breakers"]),
        not_negation=re.compile(trie_regex(sorted(set(raw["not_negation"])))),
    )


def _speaker(raw: dict[str, Any]) -> re.Pattern[str]:
    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    # A tag opens a line (or follows a space in a flattened transcript) and ends with a colon.
    agent, customer = alternation(raw["agent"]), alternation(raw["customer"])
    return re.compile(f"(?:^|(?<=\\s))(?:({agent})|(?:{customer}))[:：]", re.M)


def agent_turns(doc: Doc) -> list[tuple[int, int]]:
    """Stretches of a transcript spoken by staff (坐席: … up to the next speaker tag)."""
    if ":" not in doc.norm and "：" not in doc.norm:
        return []  # no speaker tags (the usual case): skip the scan
    tags = list(_rules().speaker.finditer(doc.norm))
    return [
        (m.end(), tags[i + 1].start() if i + 1 < len(tags) else len(doc.norm))
        for i, m in enumerate(tags)
        if m.group(1)
    ]


@cache
def _rules() -> _Rules:
    table = load_table(TABLE)
    rights = {r.key: r for r in map(_right, entries(TABLE, "right"))}
    unknown = set(rights) - set(RIGHTS)
    if unknown:
        raise ValueError(f"data/{TABLE}.toml: unknown rights {sorted(unknown)}")
    triggers = [_trigger(row) for row in entries(TABLE, "trigger")]
    patterns = [_pattern(source, t, order) for order, t in enumerate(triggers) for source in t.sources]
    index: dict[str, list[_Pattern]] = {}
    starts: dict[str, list[_Pattern]] = {}
    for pattern in patterns:
        for anchor in pattern.anchors:
            index.setdefault(anchor, []).append(pattern)
        for prefix in pattern.prefixes or ():
            starts.setdefault(prefix, []).append(pattern)
    return _Rules(
        law=table["settings"]["law"],
        evidence_max=int(table["settings"]["evidence_max"]),
        rights=rights,
        negation=_negation(table["negation"]),
        reported=(tuple(table["reported"]["cues"]), int(table["reported"]["width"])),
        speaker=_speaker(table["speakers"]),
        index={a: tuple(p) for a, p in index.items()},
        always=tuple(p for p in patterns if not p.anchors),
        owner=NORM_INDEX.add(index),
        triggers=tuple(triggers),
        starts={w: tuple(p) for w, p in starts.items()},
        unprefixed=frozenset(p for p in patterns if p.prefixes is None),
        prefix_owner=NORM_INDEX.add(starts),
    )


def negated(doc: Doc, start: int) -> str | None:
    """The negation governing a trigger at `start` (没有乱收费 → 没有), if any.

    Only the same clause counts, the cue must end at most `max_gap` characters before the hit
    with no breaker (但、就、再…) between, and a one-character cue (不、未) must touch the hit.
    """
    rule = _rules().negation
    window = rule.not_negation.sub(_blank, doc.before(start, 10))
    if window.endswith(rule.adjacent):
        return window[-1]
    for m in rule.cues.finditer(window):
        tail = window[m.end() :]
        if not any(b in tail for b in rule.breakers):
            return m.group()
    return None


def _blank(m: re.Match[str]) -> str:
    return "_" * len(m.group())


def reported(doc: Doc, start: int) -> str | None:
    """A hearsay cue (听说、新闻、网友…) earlier in the same clause: someone else's story."""
    cues, width = _rules().reported
    floor = max(doc.clause_bounds(start)[0], start - width)
    window = doc.norm[floor:start]
    for cue in cues:  # a plain loop: cheaper than next() over a generator
        if cue in window:
            return cue
    return None


def _excluded(doc: Doc, trigger: _Trigger, start: int, end: int) -> bool:
    lo, hi = max(0, start - 8), min(len(doc.norm), end + 8)
    window = doc.norm[lo:hi]
    for pattern in trigger.exclude:
        if not may_match_in(pattern, window):
            continue
        for m in pattern.finditer(doc.norm, lo, hi):
            if m.start() <= start and m.end() >= end:
                return True
    return False


def _evidence(doc: Doc, start: int, end: int) -> str:
    """The clause(s) holding the hit in the original text, trimmed around the hit when long."""
    lo = doc.clause_bounds(start)[0]
    hi = doc.clause_bounds(max(end - 1, start))[1]
    # A thousands separator (1,280.50) is not a clause break for the reader.
    while (
        0 < hi < len(doc.norm) - 1
        and doc.norm[hi] == ","
        and doc.norm[hi - 1].isdigit()
        and doc.norm[hi + 1].isdigit()
    ):
        hi = doc.clause_bounds(hi + 1)[1]
    limit = _rules().evidence_max
    if hi - lo > limit:
        spare = max(0, limit - (end - start)) // 2
        lo = max(lo, start - spare)
        hi = min(hi, max(end, lo + limit))
    return doc.text[lo:hi].strip()


def _windows(positions: list[int], reach: int, length: int) -> list[tuple[int, int]]:
    """Stretches of text around anchor positions where a match can lie, merged."""
    if -1 in positions:
        return [(0, length)]
    spans: list[tuple[int, int]] = []
    for pos in sorted(positions):
        lo, hi = max(0, pos - reach), min(length, pos + reach)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(hi, spans[-1][1]))
        else:
            spans.append((lo, hi))
    return spans


def _hits(doc: Doc, pattern: _Pattern, positions: list[int], found: set[tuple[int, int, int]]) -> None:
    """Add (start, trigger order, -end) of every match of `pattern` to `found`."""
    # Searching only near the anchors keeps long complaints cheap; look-behinds still see the
    # text before a window, because the string is not sliced. Plain int tuples: hashing them is
    # far cheaper than hashing the trigger.
    order, finditer, norm = pattern.order, pattern.regex.finditer, doc.norm
    if len(positions) == 1 and positions[0] >= 0:
        # One anchor occurrence (most patterns): its window, without `_windows`' list and sort.
        pos, reach = positions[0], pattern.reach
        for m in finditer(norm, max(0, pos - reach), min(len(norm), pos + reach)):
            found.add((m.start(), order, -m.end()))
        return
    for lo, hi in _windows(positions, pattern.reach, len(norm)):
        for m in finditer(norm, lo, hi):
            found.add((m.start(), order, -m.end()))


def _first_hit(
    doc: Doc, patterns: dict[_Pattern, list[int]], staff: list[tuple[int, int]]
) -> tuple[_Trigger, int, int] | None:
    """The earliest valid hit among one right's patterns (table order breaks ties)."""
    hits: set[tuple[int, int, int]] = set()
    for pattern, positions in patterns.items():
        _hits(doc, pattern, positions, hits)
    triggers = _rules().triggers
    for start, order, neg_end in sorted(hits):
        trigger = triggers[order]
        if staff and any(lo <= start < hi for lo, hi in staff):
            continue  # the agent speaking, not the customer
        if _excluded(doc, trigger, start, -neg_end) or negated(doc, start) or reported(doc, start):
            continue
        return trigger, start, -neg_end
    return None


def related_provisions(key: str, industry: str, topic: str = "") -> list[str]:
    """Provisions related to right `key` for `industry` and, when given, the trigger's `topic`
    (personal_info, harassment, fee…); without a topic every provision of the industry."""
    return list(_related(key, industry, topic))


@lru_cache(maxsize=1024)
def _related(key: str, industry: str, topic: str) -> tuple[str, ...]:
    return tuple(r.text for r in _rules().rights[key].related if r.applies(industry, topic))


def detect_rights(doc: Doc) -> list[Right]:
    """The consumer rights the complaint involves, in article order (第7–15条), one per right,
    each with the first non-negated evidence clause, a Chinese reason and related provisions."""
    rules = _rules()
    by_right: dict[str, dict[_Pattern, list[int]]] = {}
    for pattern, positions in rules.candidates(doc.norm).items():
        by_right.setdefault(pattern.trigger.right, {})[pattern] = positions
    found: list[Right] = []
    staff = agent_turns(doc) if by_right else []
    for key in RIGHTS:
        hit = _first_hit(doc, by_right[key], staff) if key in by_right else None
        if hit is None:
            continue
        trigger, start, end = hit
        info = rules.rights[trigger.right]
        found.append(
            Right(
                key=info.key,
                law=rules.law,
                article=info.article,
                evidence=_evidence(doc, start, end),
                reason=f"{info.name}（第{info.article}条）：{trigger.reason}；依据原文「{doc.text[start:end]}」",
                related=related_provisions(info.key, doc.industry, trigger.topic),
            )
        )
    return found
