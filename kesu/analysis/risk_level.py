"""Risk level and score from the risk signals (data/risk_levels.toml).

The level is the highest of: each signal's level (type × status), the combination rules, the
floors that hold without a signal (abuse, a public post, a safety incident) and the customer-type
floor. The score (0–100) adds the signals' weights, the emotion intensity and the customer type,
and stays inside the band of the level. Every step adds a Chinese reason for the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import TermMatcher, entries, load_table
from kesu.analysis.types import RISK_LEVELS, SIGNAL_STATUSES, Emotion, Risk, Signal


@dataclass(frozen=True)
class _Weight:
    level: str
    weight: float


@cache
def _level_table() -> dict[tuple[str, str], _Weight]:
    table = {}
    for row in entries("risk_levels", "weight"):
        for status in SIGNAL_STATUSES:
            cell = row[status]
            table[(row["type"], status)] = _Weight(cell["level"], float(cell["weight"]))
    return table


@cache
def _wording() -> dict[tuple[str, str], str]:
    return {(row["type"], s): row[s] for row in entries("risk_levels", "wording") for s in SIGNAL_STATUSES}


def _rank(level: str) -> int:
    return RISK_LEVELS.index(level)


@dataclass(frozen=True)
class _Combo:
    """All `types` present with a status in `statuses` → at least `level`."""

    types: tuple[str, ...]
    statuses: frozenset[str]
    level: str
    description: str


@dataclass(frozen=True)
class _Levels:
    """data/risk_levels.toml read once into the forms `assess_risk` asks about: it runs once per
    complaint, and looking the same keys up in the raw table every time was most of its cost."""

    combos: tuple[_Combo, ...]
    stack_min: int  # this many elevated-level types (not mentions) together → at least `stack_level`
    stack_level: str
    stack_description: str
    need_signals: bool  # no combination or stack rule holds without a signal (the usual tables)
    floor_level: str  # the level that abuse, a public post or a safety incident sets at least
    anger_intensity: float
    channels: frozenset[str]
    others_share: float
    emotion_points: float
    bands: dict[str, tuple[float, float]]  # level → its lowest and highest score


@cache
def _levels() -> _Levels:
    table = load_table("risk_levels")
    floor, stack, score = table["floor"], table["stack"], table["score"]
    lows = [float(table["bands"][level]) for level in RISK_LEVELS]
    highs = [*(low - 1 for low in lows[1:]), 100.0]  # up to just below the next level's band
    return _Levels(
        combos=tuple(
            _Combo(tuple(row["types"]), frozenset(row["statuses"]), row["level"], row["description"])
            for row in entries("risk_levels", "combo")
        ),
        stack_min=stack["min_types"],
        stack_level=stack["level"],
        stack_description=stack["description"],
        need_signals=all(row["types"] for row in entries("risk_levels", "combo")) and stack["min_types"] > 0,
        floor_level=floor["level"],
        anger_intensity=floor["anger_intensity"],
        channels=frozenset(floor["channels"]),
        others_share=score["others_share"],
        emotion_points=score["emotion_points"],
        bands={level: (low, high) for level, low, high in zip(RISK_LEVELS, lows, highs, strict=True)},
    )


def assess_risk(doc: Doc, signals: list[Signal], emotion: Emotion, customer_type: str) -> Risk:
    """Level (routine/elevated/major/crisis), score 0–100 and Chinese reasons from the signals,
    the emotion intensity and the customer type. The level comes from the rules; the score is
    kept inside the level's band."""
    table = _level_table()
    strongest = _strongest_per_type(signals, table)
    level, reasons = "routine", []
    for sig in strongest:
        cell = table[(sig.type, sig.status)]
        level = max(level, cell.level, key=_rank)
        reasons.append(_reason(sig))
    level, extra = _combinations(strongest, level)
    reasons += extra
    level, extra = _without_signals(doc, emotion, level)
    reasons += extra
    ctype = _customer_type_rule(customer_type)
    if ctype and _rank(ctype["floor"]) > _rank(level):
        level = ctype["floor"]
        reasons.append(ctype["description"])
    score = _score(strongest, table, emotion, ctype, level)
    if emotion.intensity >= 0.7 and strongest:
        reasons.append(f"情绪强烈（强度{emotion.intensity:.1f}）")
    if level == "routine":
        reasons.append("未发现扬言、群诉、重复投诉等风险信号")
    return Risk(level=level, score=score, signals=signals, reasons=reasons)


def _strongest_per_type(signals: list[Signal], table: dict[tuple[str, str], _Weight]) -> list[Signal]:
    """The heaviest signal of each type, heaviest first."""
    best: dict[str, Signal] = {}
    for sig in signals:
        if (sig.type, sig.status) not in table:
            continue
        held = best.get(sig.type)
        if held is None or table[(sig.type, sig.status)].weight > table[(held.type, held.status)].weight:
            best[sig.type] = sig
    return sorted(best.values(), key=lambda s: -table[(s.type, s.status)].weight)


def _reason(sig: Signal) -> str:
    words = _wording().get((sig.type, sig.status), sig.type)
    quote = sig.evidence if len(sig.evidence) <= 20 else sig.evidence[:19] + "…"
    if not quote:
        return f"{words}（客户信息）"
    return f"{words}（{quote}）"


def _combinations(strongest: list[Signal], level: str) -> tuple[str, list[str]]:
    rules = _levels()
    if not strongest and rules.need_signals:
        return level, []
    statuses = {s.type: s.status for s in strongest}
    reasons = []
    for rule in rules.combos:
        if _rank(rule.level) > _rank(level) and all(statuses.get(t) in rule.statuses for t in rule.types):
            level = rule.level
            reasons.append(rule.description)
    table = _level_table()
    elevated_types = [
        s for s in strongest if s.status != "mention" and table[(s.type, s.status)].level == "elevated"
    ]
    if len(elevated_types) >= rules.stack_min and _rank(rules.stack_level) > _rank(level):
        level = rules.stack_level
        reasons.append(rules.stack_description)
    return level, reasons


@cache
def _safety() -> TermMatcher[str]:
    return _floor_matcher("safety")


@cache
def _abuse() -> TermMatcher[str]:
    return _floor_matcher("abuse")


def _floor_matcher(key: str) -> TermMatcher[str]:
    """What one alternation of the patterns finds (the leftmost match; there, the first listed),
    each pattern tried only where the shared scan saw one of its openings: no scan of its own."""
    return TermMatcher(((p, p) for p in load_table("risk_levels")["floor"][key]), regex=True)


def _without_signals(doc: Doc, emotion: Emotion, level: str) -> tuple[str, list[str]]:
    """Floors that hold even without a signal: abuse, a public post, a safety incident."""
    rules = _levels()
    floor = rules.floor_level
    if _rank(level) >= _rank(floor):
        return level, []  # the signals set the level already: no floor to look for
    reasons = []
    if emotion.label == "anger" and emotion.intensity >= rules.anger_intensity:
        abuse = _abuse().search(doc.norm)
        if abuse:
            reasons.append(f"辱骂、言辞过激（{doc.text[abuse.start : abuse.end]}）")
    if doc.complaint.channel in rules.channels:
        reasons.append("公开发布的帖子（社交媒体/媒体渠道）")
    found = _safety().search(doc.norm)
    if found:
        reasons.append(f"涉及人身或财产安全（{doc.text[found.start : found.end]}）")
    if not reasons:
        return level, []
    return floor, reasons


@cache
def _customer_types() -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in entries("risk_levels", "customer_type")}


def _customer_type_rule(customer_type: str) -> dict[str, Any] | None:
    return _customer_types().get(customer_type)


def _score(
    strongest: list[Signal],
    table: dict[tuple[str, str], _Weight],
    emotion: Emotion,
    ctype: dict[str, Any] | None,
    level: str,
) -> float:
    rules = _levels()
    weights = [table[(s.type, s.status)].weight for s in strongest]
    raw = (weights[0] + rules.others_share * sum(weights[1:])) if weights else 0.0
    raw += max(0.0, min(1.0, emotion.intensity)) * rules.emotion_points
    raw += float(ctype["points"]) if ctype else 0.0
    low, high = rules.bands[level]
    return round(max(low, min(high, float(raw))), 1)
