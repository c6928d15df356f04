"""Risk signals (media, regulator, litigation, self-harm…) with status and spans; risk level and score.

`detect_signals` finds the 14 signal types of the contract in the normalised text (lexicons in
data/risk_signals.toml), reads each hit's context (context.py: negation, third party,
hypothetical, conditional, tense, question, withdrawal) to decide `threatened` / `done` /
`mention`, and adds signals that come from the customer record and from the demands.
`assess_risk` (risk_level.py, re-exported here) turns them into a level and a 0–100 score with
Chinese reasons (data/risk_levels.toml). Evidence is the clause of the original text around each hit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kesu.analysis import context
from kesu.analysis.amounts import find_amounts
from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import Hit, TermMatcher, entries, load_table
from kesu.analysis.risk_level import assess_risk
from kesu.analysis.scan import NORM_INDEX, LiteralDispatch, may_any_match_in, may_match_in
from kesu.analysis.types import Demand, Signal

_GAPS = {"{g}": r"[^,.!?;:。…\s]{0,4}?", "{G}": r"[^,.!?;:。…\s]{0,8}?", "{L}": r"[^,.!?;:。…\s]{0,16}?"}
_STATUS_RANK = {"done": 3, "threatened": 2, "mention": 1}
_MAX_EVIDENCE = 40  # a clause longer than this is cut to the hit and its neighbourhood
_AROUND = 12
_DEFAULT_WHY = {
    "threatened": "说话人表示要这样做",
    "done": "客户陈述的事实",
    "mention": "只是提到，未表态要做",
}


def _expand(pattern: str) -> str:
    for key, value in _GAPS.items():
        pattern = pattern.replace(key, value)
    return pattern


@dataclass(frozen=True)
class _Entry:
    """One [[pattern]] entry: which type it signals and its status when no cue decides."""

    type: str
    default: str
    description: str
    reason: str
    owned_if: bool = False  # a weak cue the speaker commits to on a condition (不给我就天天来闹)


@dataclass(frozen=True)
class _Type:
    key: str
    label: str
    mode: str  # "action": status from context; "state": a fact, status from the entry
    keep_third_party: bool
    le_is_done: bool
    exclude: tuple[re.Pattern[str], ...]
    matcher: TermMatcher[_Entry]

    def finditer(self, norm: str) -> list[Hit[_Entry]]:
        # No `may_match` first: the types asked are those `_gate` lets through, which mostly
        # hold a prefix, and the matcher's own first step is that test.
        return self.matcher.finditer(norm)

    def excluded(self, norm: str, start: int, end: int, reach: int = 12) -> bool:
        """A look-alike (气死我了, 页面跳转…) covers the whole hit."""
        lo = max(0, start - reach)
        window = norm[lo : end + reach]
        if not may_any_match_in(self.exclude, window):
            return False  # the usual case: one pass over all the look-alikes' literals
        for pattern in self.exclude:
            if not may_match_in(pattern, window):
                continue
            for m in pattern.finditer(window):
                if m.start() + lo <= start and m.end() + lo >= end:
                    return True
        return False


@cache
def _gate() -> LiteralDispatch:
    """Which types can hit a text, read from the shared scan: every term of a type needs one of
    a few literals (its matcher's `term_needs`), and a type none of whose literals occurs in the
    text finds nothing; a type with a term that needs none is always asked. Most complaints hold
    a prefix of ten types but a needed literal of five, and asking each type's matcher costs
    more than this one look-up. The needs are read from the matchers, not recomputed: parsing
    the hundred terms again would add some 40 ms to the start-up."""
    needs = []
    for spec in _types():
        terms = spec.matcher.term_needs
        needs.append(frozenset() if any(not need for need in terms) else frozenset().union(*terms))
    return LiteralDispatch.register(needs, NORM_INDEX)


def _candidate_types(norm: str) -> list[_Type]:
    """The types that can hit `norm`, in table order (see `_gate`)."""
    types = _types()
    return [types[i] for i in _gate().candidates(NORM_INDEX.find(norm))]


@cache
def _types() -> tuple[_Type, ...]:
    patterns = entries("risk_signals", "pattern")
    found = []
    for row in entries("risk_signals", "type"):
        key = row["key"]
        fallback = row.get("fixed" if row["mode"] == "state" else "default", "threatened")
        terms = [
            (_expand(regex), _entry(p, fallback, row.get("default_reason")))
            for p in patterns
            if p["type"] == key
            for regex in p["regex"]
        ]
        found.append(
            _Type(
                key=key,
                label=row["label"],
                mode=row["mode"],
                keep_third_party=row.get("third_party") == "keep",
                le_is_done=row.get("le_is_done", True),
                exclude=tuple(re.compile(_expand(x)) for x in row.get("exclude", [])),
                matcher=TermMatcher(terms, regex=True),
            )
        )
    return tuple(found)


def _entry(row: dict[str, Any], fallback: str, reason: str | None) -> _Entry:
    default = row.get("default", fallback)
    owned_if = row.get("conditional") == "threatened"
    return _Entry(row["type"], default, row["description"], reason or _DEFAULT_WHY[default], owned_if)


@dataclass(frozen=True)
class _Found:
    signal: Signal
    rank: int


def detect_signals(doc: Doc, demands: list[Demand]) -> list[Signal]:
    """Every distinct risk signal: one per type and clause (the strongest status there), in text
    order, then the excessive demands and the signals from the customer record."""
    best: dict[tuple[str, int], _Found] = {}
    for spec in _candidate_types(doc.norm):
        for hit in spec.finditer(doc.norm):
            found = _judge(doc, spec, hit.start, hit.end, hit.payload)
            if found is None:
                continue
            key = (spec.key, found.signal.start)
            if key not in best or found.rank > best[key].rank:
                best[key] = found
    signals = sorted((f.signal for f in best.values()), key=lambda s: (s.start, s.type))
    signals = _merge_excessive(signals, _excessive_from_demands(doc, demands))
    return signals + _from_customer(doc)


def _judge(doc: Doc, spec: _Type, start: int, end: int, entry: _Entry) -> _Found | None:
    if spec.excluded(doc.norm, start, end):
        return None
    decided = _status(doc, spec, start, end, entry)
    if decided is None:
        return None
    status, why = decided
    lo, hi = _evidence_bounds(doc, start, end)
    hit_text = doc.text[start:end]
    reason = f"{why}；命中「{hit_text}」"
    signal = Signal(spec.key, status, doc.text[lo:hi], lo, hi, reason)
    return _Found(signal, _STATUS_RANK[status])


def _status(doc: Doc, spec: _Type, start: int, end: int, entry: _Entry) -> tuple[str, str] | None:
    """(status, why) for one hit, or None when the speaker negates or withdraws it."""
    if context.negation(doc, start) or context.staff_turn(doc, start):
        return None
    other = context.third_party(doc, start, end=end) or context.quoted_other(doc, start)
    if other and not (spec.mode == "state" and spec.keep_third_party):
        return "mention", f"说的是第三方「{other}」"
    if context.withdrawn(doc, end):
        return None
    weak = spec.mode == "state" or entry.default == "mention"
    if_cue = context.hypothetical(doc, start)
    if if_cue and (weak or context.question(doc, start, end)):
        return "mention", f"假设语气「{if_cue}」，说话人未表态"
    if if_cue:  # 「我要是发到网上……」: the speaker floats their own act as pressure
        return "threatened", f"以假设「{if_cue}」施压"
    if weak:
        then = context.owned_condition(doc, start) if entry.owned_if else None
        if then:
            return "threatened", f"带条件的威胁（「{then}」）"
        return entry.default, entry.reason
    then = context.conditional(doc, start)
    if then:
        return "threatened", f"带条件的威胁（「{then}」）"
    tense = context.tense(doc, start, end, le_is_done=spec.le_is_done)
    if tense == "done":
        return "done", "句中说明已经发生"
    if tense == "threatened":
        return "threatened", "句中说明将要去做"
    if context.narrated(doc, start):
        return "done", "工作记录陈述的客户行为"
    asked = context.question(doc, start, end)
    if asked:
        return "mention", f"询问（「{asked}」），未表态要做"
    return entry.default, entry.reason


def _evidence_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The clause around the hit; a long clause is cut to the hit and a few characters around."""
    lo, hi = doc.clause_bounds(start)
    lo, hi = min(lo, start), max(hi, end)
    if hi - lo > _MAX_EVIDENCE:
        lo, hi = max(lo, start - _AROUND), min(hi, end + _AROUND)
    return lo, hi


# ------------------------------------------------------------------ excessive demands


@dataclass(frozen=True)
class _Excessive:
    """The [excessive] table, its expressions compiled once."""

    ratio: float
    min_amount: float
    non_economic_min: float
    trivial_min: float
    statutory: re.Pattern[str]  # 退一赔三、十倍赔偿: a legal basis
    non_economic: re.Pattern[str]
    trivial: re.Pattern[str]


@cache
def _excessive_rules() -> _Excessive:
    raw = load_table("risk_signals")["excessive"]
    return _Excessive(
        ratio=float(raw["ratio"]),
        min_amount=float(raw["min_amount"]),
        non_economic_min=float(raw["non_economic_min"]),
        trivial_min=float(raw["trivial_min"]),
        statutory=re.compile(raw["statutory"]),
        non_economic=re.compile(raw["non_economic"]),
        trivial=re.compile(raw["trivial"]),
    )


def _search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when none of the literals every match contains occurs in
    `text`. These expressions are alternations of a dozen words: `re` tries each word at each of
    some two hundred places (some 50,000 instructions a search), the substring tests run in C."""
    return pattern.search(text) if may_match_in(pattern, text) else None


def _excessive_from_demands(doc: Doc, demands: list[Demand]) -> list[Signal]:
    """A demand whose amount is far above every other amount in the text, or a large
    non-economic claim (精神损失费一万以上)."""
    rules = _excessive_rules()
    priced = [d for d in demands if d.amount is not None and d.amount > 0]
    if not priced:
        return []
    if _search(rules.statutory, doc.norm):
        return []  # 退一赔三、十倍赔偿 have a legal basis: not excessive however large
    demanded = {d.amount for d in priced}
    others = [a.value for a in find_amounts(doc) if a.value not in demanded and a.value > 0]
    out = []
    for d in priced:
        amount = float(d.amount or 0)
        why = _why_excessive(doc, d, amount, max(others) if others else None, rules)
        if why:
            lo, hi = _demand_span(doc, d)
            out.append(Signal("excessive_demand", "done", doc.text[lo:hi], lo, hi, why))
    return out


def _why_excessive(doc: Doc, d: Demand, amount: float, top_other: float | None, rules: _Excessive) -> str:
    if top_other and amount >= rules.min_amount and amount >= rules.ratio * top_other:
        return f"过高索赔已发生：索赔{amount:g}元，是文中其他金额（最高{top_other:g}元）的{amount / top_other:.0f}倍"
    if amount >= rules.non_economic_min and _search(rules.non_economic, d.evidence):
        return f"过高索赔已发生：精神损失等非财产索赔{amount:g}元"
    trivial = (
        _search(rules.trivial, doc.norm) if d.type == "compensation" and amount >= rules.trivial_min else None
    )
    if trivial:
        return f"过高索赔已发生：因「{doc.text[trivial.start() : trivial.end()]}」这类小问题索赔{amount:g}元"
    return ""


def _demand_span(doc: Doc, d: Demand) -> tuple[int, int]:
    if d.start is not None and d.end is not None and doc.text[d.start : d.end] == d.evidence:
        return d.start, d.end
    at = doc.text.find(d.evidence) if d.evidence else -1
    return (at, at + len(d.evidence)) if at >= 0 else (0, 0)


def _merge_excessive(signals: list[Signal], from_demands: list[Signal]) -> list[Signal]:
    """A demand-based excessive signal replaces a text one (精神损失费) at an overlapping place."""
    if not from_demands:
        return signals
    kept = [
        s
        for s in signals
        if s.type != "excessive_demand"
        or not any(d.start < s.end and s.start < d.end for d in from_demands if d.end > d.start)
    ]
    return sorted(kept + from_demands, key=lambda s: (s.start, s.type))


# ------------------------------------------------------------------ customer record


@cache
def _record_rules() -> tuple[int, int, int]:
    row = load_table("risk_signals").get("customer", {})
    return int(row.get("repeat_min", 2)), int(row.get("elderly_age", 65)), int(row.get("minor_age", 18))


def _from_customer(doc: Doc) -> list[Signal]:
    """Signals from the customer record, not from the text: empty evidence, start = end = 0."""
    info = doc.complaint.customer
    repeat_min, elderly, minor = _record_rules()
    out = []
    if info.prior_complaints >= repeat_min:
        why = f"重复投诉已发生：客户信息显示此前已投诉{info.prior_complaints}次"
        out.append(Signal("repeat", "done", "", 0, 0, why))
    if info.age is not None and (info.age >= elderly or info.age < minor):
        group = "高龄" if info.age >= elderly else "未成年"
        why = f"弱势群体已发生：客户信息显示年龄{info.age}岁（{group}）"
        out.append(Signal("vulnerable", "done", "", 0, 0, why))
    return out


__all__ = ["assess_risk", "detect_signals"]
