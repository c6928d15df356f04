"""The risk and rights detectors' gates skip only work that finds nothing.

Each gate is compared with the plain form it replaces (kept here as the reference) on the golden
complaints and on seeded random strings built from the words the gates read: the type gate of
`risk.detect_signals`, the literal gate before `risk`'s excessive-demand expressions, the prefix
gate of `rights._Rules.candidates`, and the floors and combinations of `risk_level`.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from kesu.analysis import rights, risk, risk_level
from kesu.analysis.doc import Doc, make_doc
from kesu.analysis.scan import NORM_INDEX
from kesu.analysis.types import RISK_LEVELS, SIGNAL_STATUSES, SIGNAL_TYPES, Complaint, Emotion, Signal

from .test_detector_speedups import _golden_texts, _random_texts


def _words() -> list[str]:
    """Literals of the risk terms and rights prefixes: random strings that hit the gates."""
    words = {w for spec in risk._types() for need in spec.matcher.term_needs for w in need}
    words |= set(rights._rules().starts) | set(rights._rules().index)
    return sorted(words)


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    texts = _golden_texts()[:400] + _random_texts(_words(), n=800, seed=11)
    return [make_doc(Complaint(text=t)) for t in texts]


def test_types_left_out_find_nothing(docs: list[Doc]) -> None:
    for doc in docs:
        asked = {spec.key for spec in risk._candidate_types(doc.norm)}
        for spec in risk._types():
            if spec.key not in asked:
                assert spec.matcher.finditer(doc.norm) == [], (spec.key, doc.norm)
        assert [s.key for s in risk._candidate_types(doc.norm)] == [
            s.key for s in risk._types() if s.key in asked
        ]  # table order kept


def _plain_candidates(text: str) -> dict[rights._Pattern, list[int]]:
    """The candidates before the prefix gate: every pattern with an anchor in the text."""
    rules = rights._rules()
    active: dict[rights._Pattern, list[int]] = {p: [-1] for p in rules.always}
    found = NORM_INDEX.find(text)
    for anchor in found.words(rules.owner):
        for pattern in rules.index[anchor]:
            active.setdefault(pattern, []).extend(found.at[anchor])
    return active


def test_rights_prefix_gate_drops_only_patterns_without_a_match(docs: list[Doc]) -> None:
    for doc in docs:
        gated = rights._rules().candidates(doc.norm)
        for pattern, positions in _plain_candidates(doc.norm).items():
            if pattern in gated:
                assert gated[pattern] == positions
                continue
            assert pattern.regex.search(doc.norm) is None, (pattern.source, doc.norm)


def test_patterns_compile_to_their_source() -> None:
    for trigger in rights._rules().triggers:
        assert [p.pattern for p in trigger.patterns] == list(trigger.sources)
    pattern = next(iter(rights._rules().index.values()))[0]
    assert pattern.regex is pattern.regex  # compiled once
    assert pattern.regex.pattern == pattern.source


def test_excessive_search_finds_what_search_finds() -> None:
    rules = risk._excessive_rules()
    expressions = [rules.statutory, rules.non_economic, rules.trivial]
    words = [w for x in expressions for w in re.sub(r"[()?:]", "", x.pattern).split("|")]
    for text in _random_texts(words, n=1500, seed=5):
        for x in expressions:
            a, b = risk._search(x, text), x.search(text)
            assert (a and a.span()) == (b and b.span()), (x.pattern, text)


# ------------------------------------------------------------------ risk_level


def _plain_level(doc: Doc, signals: list[Signal], emotion: Emotion, customer_type: str) -> tuple[str, float]:
    """Level and score the way the raw table reads, every rule tried (the form replaced)."""
    table = risk_level._level_table()
    strongest = risk_level._strongest_per_type(signals, table)
    raw = risk_level.load_table("risk_levels")
    rank = RISK_LEVELS.index
    level = max([table[(s.type, s.status)].level for s in strongest] + ["routine"], key=rank)
    statuses = {s.type: s.status for s in strongest}
    for rule in risk_level.entries("risk_levels", "combo"):
        if all(statuses.get(t) in rule["statuses"] for t in rule["types"]) and rank(rule["level"]) > rank(
            level
        ):
            level = rule["level"]
    stack = raw["stack"]
    elevated = [
        s for s in strongest if s.status != "mention" and table[(s.type, s.status)].level == "elevated"
    ]
    if len(elevated) >= stack["min_types"] and rank(stack["level"]) > rank(level):
        level = stack["level"]
    floor = raw["floor"]
    abuse = risk_level._abuse().search(doc.norm)
    held = (
        (abuse and emotion.label == "anger" and emotion.intensity >= floor["anger_intensity"])
        or doc.complaint.channel in floor["channels"]
        or risk_level._safety().search(doc.norm)
    )
    if held and rank(level) < rank(floor["level"]):
        level = floor["level"]
    ctype = risk_level._customer_type_rule(customer_type)
    if ctype and rank(ctype["floor"]) > rank(level):
        level = ctype["floor"]
    weights = [table[(s.type, s.status)].weight for s in strongest]
    score = (weights[0] + raw["score"]["others_share"] * sum(weights[1:])) if weights else 0.0
    score += max(0.0, min(1.0, emotion.intensity)) * raw["score"]["emotion_points"]
    score += float(ctype["points"]) if ctype else 0.0
    low = float(raw["bands"][level])
    higher = [float(raw["bands"][lv]) for lv in RISK_LEVELS[rank(level) + 1 :]]
    high = (higher[0] - 1) if higher else 100.0
    return level, round(max(low, min(high, float(score))), 1)


def test_assess_risk_gives_what_every_rule_tried_gives(docs: list[Doc]) -> None:
    rng = random.Random(29)
    customer_types = [*risk_level._customer_types(), "unknown"]
    for doc in docs[:600]:
        for _ in range(3):
            signals = [
                Signal(rng.choice(SIGNAL_TYPES), rng.choice(SIGNAL_STATUSES), "证据", 0, 2, "")
                for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))
            ]
            emotion = Emotion(
                label=rng.choice(["anger", "anxiety", "neutral"]),
                intensity=rng.choice([0.0, 0.5, 0.6, 0.7, 0.9, 1.2]),
                reasons=[],
            )
            doc.complaint = replace(doc.complaint, channel=rng.choice(["web", "social", "phone", None]))
            ctype = rng.choice(customer_types)
            found = risk_level.assess_risk(doc, signals, emotion, ctype)
            assert (found.level, found.score) == _plain_level(doc, signals, emotion, ctype)
