"""Consumer rights involved (消费者权益保护法 第7–15条) with the evidence for each.

Each right has trigger expressions in data/rights.toml (没告知 → 知悉真情权, 捆绑搭售 → 自主选择权,
乱收费 → 公平交易权…). The earliest trigger of a right that is not negated (没有乱收费), not a
look-alike (强制平仓) and not hearsay (听说有人被乱扣费) decides; its clause of the original text
is the evidence. Each right also carries the related provisions of other laws for the complaint's
industry and the kind of trigger, as facts to look up.

Speed: every expression must contain one of a few literals (its anchors, read from the parsed
expression); the shared scan (scan.py) tells which anchors are present and where, and only their
expressions run, near them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import entries, load_table, parse_regex
from kesu.analysis.scan import NORM_INDEX
from kesu.analysis.types import RIGHTS, Right

TABLE = "rights"
_GAP = "[^,.!?;。\n]{0,6}"


@dataclass(frozen=True)
class _Trigger:
    right: str
    reason: str
    topic: str
    patterns: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, eq=False)
class _Pattern:
    """One trigger expression, its place in the table, and the literals (anchors) one of which
    every match contains."""

    regex: re.Pattern[str]
    trigger: _Trigger
    order: int
    anchors: tuple[str, ...]
    reach: int  # the longest match: how far from an anchor a match can start or end


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

    def candidates(self, text: str) -> dict[_Pattern, list[int]]:
        """The patterns that can match `text`, each with the positions of its anchors there
        (patterns without anchors get position -1: search the whole text)."""
        active: dict[_Pattern, list[int]] = {p: [-1] for p in self.always}
        found = NORM_INDEX.find(text)  # every occurrence, overlapping ones included
        for anchor in found.words(self.owner):
            for pattern in self.index[anchor]:
                active.setdefault(pattern, []).extend(found.at[anchor])
        return active


def _expand(pattern: str) -> str:
    return pattern.replace("{gap}", _GAP)


def _trigger(row: dict[str, Any]) -> _Trigger:
    return _Trigger(
        right=row["right"],
        reason=row["reason"],
        topic=row.get("topic", ""),
        patterns=tuple(re.compile(_expand(p)) for p in row["patterns"]),
        exclude=tuple(re.compile(_expand(p)) for p in row.get("exclude", [])),
    )


# ------------------------------------------------------------------ literal anchors
# Dozens of trigger expressions scanned over every complaint are slow in `re`; a plain substring
# test on the literals every match must contain skips almost all of them. The anchors are read
# from the parsed expression, so the data file needs no hand-kept keyword lists.

_MAX_SET = 8
_Parsed = list[tuple[Any, Any]]
# Characters so frequent in complaints that an anchor starting with one is tried almost everywhere.
_COMMON_FIRST = frozenset("我的你一不个是人说就这要上了有在也都很还他她们那么什没给被把到对")


def _strings(seq: _Parsed) -> set[str] | None:
    """Every string `seq` can match, when that is a small finite set of literals, else None."""
    out = {""}
    for op, av in seq:
        name = str(op)
        if name == "LITERAL":
            part: set[str] | None = {chr(av)}
        elif name == "IN" and all(str(o) == "LITERAL" for o, _ in av):
            part = {chr(c) for _, c in av}
        elif name == "SUBPATTERN":
            part = _strings(av[-1])
        elif name == "BRANCH":
            branches = [_strings(b) for b in av[1]]
            part = None if any(b is None for b in branches) else set().union(*branches)  # type: ignore[arg-type]
        elif name == "MAX_REPEAT" and av[0] == 0 and av[1] == 1:
            inner = _strings(av[2])
            part = None if inner is None else inner | {""}
        else:
            return None
        if part is None or len(out) * len(part) > _MAX_SET:
            return None
        out = {a + b for a in out for b in part}
    return out


def _anchor_sets(seq: _Parsed) -> list[set[str]]:
    """Sets of literals such that every match of `seq` contains one member of each set."""
    found: list[set[str]] = []
    current = {""}
    for item in seq:
        whole = _strings([item])
        if whole is not None and "" not in whole:
            found.append(whole)  # a required piece on its own is an anchor set too
        if whole is not None and len(current) * len(whole) <= _MAX_SET:
            current = {a + b for a in current for b in whole}
            continue
        if "" not in current:
            found.append(current)
        current = whole if whole is not None else {""}
        if whole is None:
            found.extend(_inner_anchor_sets(item))
    if "" not in current:
        found.append(current)
    return found


def _inner_anchor_sets(item: tuple[Any, Any]) -> list[set[str]]:
    op, av = item
    name = str(op)
    if name == "SUBPATTERN":
        return _anchor_sets(av[-1])
    if name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1:
        return _anchor_sets(av[2])
    if name == "BRANCH":
        per_branch = [_anchor_sets(b) for b in av[1]]
        if all(per_branch):
            return [set().union(*(_best(b) for b in per_branch))]
    return []


def _minimal(strings: set[str]) -> set[str]:
    """Drop members that contain another member: finding the shorter one is enough."""
    return {s for s in strings if not any(o != s and o in s for o in strings)}


def _best(sets: list[set[str]]) -> set[str]:
    """The anchor set cheapest to look for: two characters or more, no very common first
    character, few members."""
    return max(
        (_minimal(s) for s in sets),
        key=lambda s: (
            min(map(len, s)) >= 2,
            not any(a[0] in _COMMON_FIRST for a in s),
            -len(s),
            min(map(len, s)),
        ),
    )


def _reach(pattern: str) -> int:
    return min(int(parse_regex(pattern).getwidth()[1]), 200)


def required_literals(pattern: str) -> tuple[str, ...]:
    """Literals one of which every match of `pattern` contains; () when none can be told."""
    parsed = parse_regex(pattern)
    sets = _anchor_sets(list(parsed))
    return tuple(sorted(_best(sets), key=len, reverse=True)) if sets else ()


def _right(row: dict[str, Any]) -> _RightInfo:
    related = tuple(
        _Related(r["text"], frozenset(r.get("industries", [])), frozenset(r.get("topics", [])))
        for r in row.get("related", [])
    )
    return _RightInfo(row["key"], int(row["article"]), row["name"], related)


def _negation(raw: dict[str, Any]) -> _Negation:
    words = sorted(raw["not_negation"], key=len, reverse=True)
    cues = "|".join(re.escape(c) for c in sorted(raw["cues"], key=len, reverse=True))
    return _Negation(
        cues=re.compile(f"(?:{cues})(?=.{{0,{int(raw['max_gap'])}}}$)", re.S),
        adjacent=tuple(raw["adjacent"]),
        breakers=tuple(raw["breakers"]),
        not_negation=re.compile("|".join(re.escape(w) for w in words)),
    )


def _speaker(raw: dict[str, Any]) -> re.Pattern[str]:
    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    # A tag opens a line (or follows a space in a flattened transcript) and ends with a colon.
    agent, customer = alternation(raw["agent"]), alternation(raw["customer"])
    return re.compile(f"(?:^|(?<=\\s))(?:({agent})|(?:{customer}))[:：]", re.M)


def agent_turns(doc: Doc) -> list[tuple[int, int]]:
    """Stretches of a transcript spoken by staff (坐席: … up to the next speaker tag)."""
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
    patterns = [
        _Pattern(regex, t, order, required_literals(regex.pattern), _reach(regex.pattern))
        for order, t in enumerate(triggers)
        for regex in t.patterns
    ]
    index: dict[str, list[_Pattern]] = {}
    for pattern in patterns:
        for anchor in pattern.anchors:
            index.setdefault(anchor, []).append(pattern)
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
    return next((c for c in cues if c in window), None)


def _excluded(doc: Doc, trigger: _Trigger, start: int, end: int) -> bool:
    lo, hi = max(0, start - 8), min(len(doc.norm), end + 8)
    for pattern in trigger.exclude:
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


def _hits(doc: Doc, pattern: _Pattern, positions: list[int]) -> set[tuple[int, int, int, _Trigger]]:
    # Searching only near the anchors keeps long complaints cheap; look-behinds still see the
    # text before a window, because the string is not sliced.
    found = set()
    for lo, hi in _windows(positions, pattern.reach, len(doc.norm)):
        for m in pattern.regex.finditer(doc.norm, lo, hi):
            found.add((m.start(), pattern.order, -m.end(), pattern.trigger))
    return found


def _first_hit(
    doc: Doc, patterns: dict[_Pattern, list[int]], staff: list[tuple[int, int]]
) -> tuple[_Trigger, int, int] | None:
    """The earliest valid hit among one right's patterns (table order breaks ties)."""
    hits = set().union(*(_hits(doc, p, positions) for p, positions in patterns.items()))
    for start, _order, neg_end, trigger in sorted(hits, key=lambda h: h[:3]):
        if any(lo <= start < hi for lo, hi in staff):
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
