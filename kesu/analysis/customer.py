"""Is it a complaint; the six needs; malicious-claim indicators; the customer type.

Cues are data (data/customer.toml). Each function combines text cues with what the other
detectors already found (emotion, demands, risk signals) and explains itself in Chinese:
- `complaint_score`: complaint versus enquiry, praise, suggestion or thanks (logistic score).
- `detect_needs`: seed 004's six psychological states, each with its reasons.
- `detect_malicious`: indicators to verify, never a verdict. Seed 001: judge the facts first and
  presume good faith, so one indicator alone keeps the score low.
- `classify_customer`: seed 001's four types, with scores over all four summing to 1.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from kesu.analysis.doc import Doc
from kesu.analysis.emotion import (
    ABUSIVE_LABELS,
    CueMatcher,
    agent_turns,
    compile_any,
    covered,
    exclusion_owner,
    in_spans,
    may_be_covered,
    negated,
)
from kesu.analysis.lexicon import entries, load_table
from kesu.analysis.scan import NORM_INDEX
from kesu.analysis.types import CUSTOMER_TYPES, NEEDS, Demand, Emotion, Indicator, Label, Malicious, Signal

_BIAS = -0.5
_MONEY_DEMANDS = ("refund", "compensation")
_MATERIAL_DEMANDS = ("refund", "compensation", "fix", "cancel", "other")
_REMEDY_DEMANDS = ("refund", "compensation", "fix", "cancel", "explanation", "written_reply", "other")
_THREATS = ("media_exposure", "online_exposure", "regulator_complaint", "litigation", "petition")
_SINGLE_INDICATOR_CAP = 0.3  # presumption of good faith: one indicator is something to check, no more


@cache
def _names(kind: str) -> dict[str, str]:
    names: dict[str, str] = load_table("customer")["names"][kind]
    return names


def _name(kind: str, key: str) -> str:
    """Chinese display name of a machine key (demand type, signal type, status, emotion)."""
    return _names(kind).get(key, key)


_Adder = Callable[[str, float, str], None]
_IndicatorAdder = Callable[[str, float, str, str], None]


@dataclass(frozen=True)
class _Cue:
    section: str
    group: str  # the kind, need, indicator key or customer type the cue speaks for
    label: str
    weight: float
    description: str
    exclude: tuple[re.Pattern[str], ...]
    exclude_owner: int  # `emotion.exclusion_owner(exclude)`


class _Found:
    """One cue hit kept after the checks (a plain slotted class: a dozen per complaint)."""

    __slots__ = ("cue", "end", "evidence", "start")

    def __init__(self, cue: _Cue, start: int, end: int, evidence: str) -> None:
        self.cue = cue
        self.start = start
        self.end = end
        self.evidence = evidence


_SECTIONS = {"complaint_cue": "kind", "need_cue": "need", "indicator": "key", "type_cue": "type"}


_PASSES = (("complaint_cue",), ("need_cue", "indicator", "type_cue"))
"""Two passes: complaint cues overlap the others a lot (服务态度差 is both 不满 and 受尊重)."""


@cache
def _matcher(sections: tuple[str, ...]) -> CueMatcher[tuple[_Cue, ...]]:
    """One matcher for several sections (one pass over the text); a term listed in several
    entries carries all of them."""
    literal: dict[str, list[_Cue]] = defaultdict(list)
    patterns: dict[str, list[_Cue]] = defaultdict(list)
    for section in sections:
        group_key = _SECTIONS[section]
        for row in entries("customer", section):
            exclude = compile_any(row.get("exclude", []))
            cue = _Cue(
                section=section,
                group=row[group_key],
                label=row.get("label", row[group_key]),
                weight=float(row.get("weight", 1.0)),
                description=row["description"],
                exclude=exclude,
                exclude_owner=exclusion_owner(exclude),
            )
            for t in row.get("terms", []):
                literal[t].append(cue)
            for p in row.get("patterns", []):
                patterns[p].append(cue)
    return CueMatcher(
        [(t, tuple(c)) for t, c in literal.items()], [(p, tuple(c)) for p, c in patterns.items()]
    )


def _scan(doc: Doc, section: str, group_key: str = "") -> list[_Found]:
    """Cue hits of one table section, minus look-alikes and negated mentions (服务不好)."""
    by_section: dict[str, list[_Found]] | None = doc.memo.get("customer_cues")
    if by_section is None:
        by_section = doc.memo["customer_cues"] = _scan_all(doc)
    return list(by_section.get(section, ()))


def _scan_all(doc: Doc) -> dict[str, list[_Found]]:
    """Every section's cue hits in one pass per matcher (asked for by several detectors)."""
    by_section: dict[str, list[_Found]] = {}
    agent = agent_turns(doc)
    norm, text = doc.norm, doc.text
    for sections in _PASSES:
        hits = _matcher(sections).finditer(norm)
        found = NORM_INDEX.find(norm)  # the text's shared scan, made by the matcher just now
        for hit in hits:
            start, end = hit.start, hit.end
            if (agent and in_spans(start, agent)) or negated(doc, start, end):
                continue
            for cue in hit.payload:
                if (
                    not cue.exclude
                    or not may_be_covered(found, cue.exclude_owner)
                    or not covered(norm, start, end, cue.exclude)
                ):
                    by_section.setdefault(cue.section, []).append(_Found(cue, start, end, text[start:end]))
    return by_section


def _by_group(found: list[_Found]) -> dict[str, list[_Found]]:
    groups: dict[str, list[_Found]] = defaultdict(list)
    for f in found:
        groups[f.cue.group].append(f)
    return groups


def _praise_then_but(doc: Doc, f: _Found) -> bool:
    """Praise followed by a turn (态度挺好的，就是把墙打了个洞没补): the praise is only a cushion."""
    if f.cue.group != "praise":
        return False
    after = doc.after(f.end, 14, within_clause=False)
    return any(w in after for w in _CONTRAST)


_CONTRAST = ("但", "可是", "就是", "不过", "然而", "可问题", "只是")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _signal_text(s: Signal) -> str:
    return f"{_name('status', s.status)}{_name('signal', s.type)}：{s.evidence}"


# ---------------------------------------------------------------- complaint or not


def complaint_score(
    doc: Doc, emotion: Emotion, demands: list[Demand], signals: list[Signal]
) -> tuple[float, list[str]]:
    """Probability-like score (0–1) that the text is a complaint, with the reasons for and against.
    The engine sets is_complaint = score ≥ 0.5."""
    groups = _by_group([f for f in _scan(doc, "complaint_cue", "kind") if not _praise_then_but(doc, f)])
    has_problem = any(k in groups for k in ("problem", "dissatisfaction", "complaint_word"))
    logit = _BIAS
    pro: list[str] = []  # not list[str](): calling the generic alias costs several times more
    con: list[str] = []
    for kind, found in groups.items():
        cue = found[0].cue
        distinct = list(dict.fromkeys(f.evidence for f in found))
        value = cue.weight * (1 + 0.25 * min(len(distinct) - 1, 2))
        if kind == "question" and has_problem:
            value *= 0.5  # 请问为什么多扣我钱 asks, but about a problem: still a complaint
        if kind == "demand" and demands:
            continue  # counted below from the demand detector, with its evidence
        logit += value
        text = f"{cue.label}：{'、'.join(distinct[:3])}"
        (pro if value > 0 else con).append(text)
    if demands:
        logit += 1.4
        pro.append("明确诉求：" + "、".join(dict.fromkeys(_name("demand", d.type) for d in demands)))
    if emotion.label != "calm":
        logit += 0.6 + emotion.intensity
        pro.append(f"负面情绪：{_name('emotion', emotion.label)}")
    own = [s for s in signals if s.status != "mention"]  # 我朋友上次去了电视台 is not this customer's act
    if signals:
        logit += min(1.0 + 0.3 * (len(own) - 1), 1.6) if own else 0.3
        pro.append("风险信号：" + _signal_text((own or signals)[0]))
    if doc.complaint.channel == "regulator_transfer":
        logit += 1.0
        pro.append("渠道：监管转办件")
    score = round(_sigmoid(logit), 3)
    reasons = pro + [f"{c}（倾向非投诉）" for c in con]
    if not reasons:
        reasons = ["未见不满、问题或诉求的表达"]
    return score, reasons


# ---------------------------------------------------------------- the six needs


def detect_needs(
    doc: Doc, emotion: Emotion, demands: list[Demand], signals: list[Signal]
) -> tuple[list[str], dict[str, list[str]]]:
    """Seed 004's six states present in the text, strongest first, with reasons for each."""
    score: dict[str, float] = defaultdict(float)
    reasons: dict[str, list[str]] = defaultdict(list)

    def add(need: str, weight: float, reason: str) -> None:
        score[need] += weight
        if reason not in reasons[need]:
            reasons[need].append(reason)

    for f in _scan(doc, "need_cue", "need"):
        add(f.cue.group, 1.0, f"{f.cue.label}线索：{f.evidence}")
    _needs_from_emotion(doc, emotion, add)
    _needs_from_demands(demands, add)
    _needs_from_signals(signals, emotion, add)
    if "remedy" not in score and not demands:
        kinds = ("problem", "demand", "dissatisfaction")
        problem = [f for f in _scan(doc, "complaint_cue", "kind") if f.cue.group in kinds]
        if problem:
            add("remedy", 0.6, f"反映问题，希望得到解决：{problem[0].evidence}")
    needs = sorted(score, key=lambda n: (-score[n], NEEDS.index(n)))
    return needs, {n: reasons[n] for n in needs}


def _abusive(emotion: Emotion) -> list[str]:
    return [r for r in emotion.reasons if r.startswith(ABUSIVE_LABELS)]


def _needs_from_emotion(doc: Doc, emotion: Emotion, add: _Adder) -> None:
    for reason in _abusive(emotion)[:2]:
        add("vent", 1.0, reason)
    if emotion.label != "calm" and emotion.intensity >= 0.6:
        name = _name("emotion", emotion.label)
        add("vent", 0.8, f"情绪激烈（{name}，强度{emotion.intensity:.1f}）")
    if emotion.label != "calm" and len(doc.text) >= 150 and emotion.intensity >= 0.5:
        add("vent", 0.6, "长篇情绪化叙述")


def _needs_from_demands(demands: list[Demand], add: _Adder) -> None:
    for d in demands:
        name = _name("demand", d.type)
        if d.type in _REMEDY_DEMANDS:
            add("remedy", 1.5, f"诉求：{name}（{d.evidence}）")
        elif d.type in ("apology", "punish_staff", "see_leader"):
            add("respect", 1.0, f"诉求：{name}（{d.evidence}）")


def _needs_from_signals(signals: list[Signal], emotion: Emotion, add: _Adder) -> None:
    angry = emotion.label == "anger" and emotion.intensity >= 0.6
    for s in signals:
        if s.type == "violence" and s.status == "threatened":
            add("revenge", 1.0, _signal_text(s))
        elif s.type in ("violence", "petition") and s.status == "done":
            add("vent" if s.type == "violence" else "revenge", 0.6, _signal_text(s))
        elif s.type in ("media_exposure", "online_exposure") and s.status == "threatened" and angry:
            add("revenge", 0.6, _signal_text(s))
        elif s.type == "special_identity":
            add("expression", 0.8, _signal_text(s))
        elif s.type in ("repeat", "leader_demand"):
            add("respect", 0.6, _signal_text(s))


# ---------------------------------------------------------------- malicious-claim indicators


def detect_malicious(doc: Doc, demands: list[Demand], signals: list[Signal]) -> Malicious:
    """Indicators of a possibly malicious claim, each explained. Never a verdict: a person
    verifies the facts first; one indicator alone keeps the score at most 0.3."""
    found: dict[str, tuple[float, Indicator]] = {}

    def add(key: str, weight: float, description: str, evidence: str) -> None:
        if key not in found or found[key][0] < weight:
            found[key] = (weight, Indicator(key=key, description=description, evidence=evidence))

    for f in _scan(doc, "indicator", "key"):
        add(f.cue.group, f.cue.weight, f.cue.description, f.evidence)
    _indicators_from_demands(demands, add)
    _indicators_from_signals(signals, demands, "proxy_template" in found, add)
    _indicators_from_history(doc, add)
    weights = [w for w, _ in found.values()]
    score = 1.0 - math.prod(1.0 - w for w in weights)
    if len(weights) == 1:
        score = min(score, _SINGLE_INDICATOR_CAP)
    ordered = sorted(found.values(), key=lambda p: -p[0])
    return Malicious(score=round(score, 3), indicators=[i for _, i in ordered])


def _indicators_from_demands(demands: list[Demand], add: _IndicatorAdder) -> None:
    claims = [d for d in demands if d.type == "compensation" and d.amount]
    losses = [d.amount for d in demands if d.type != "compensation" and d.amount]
    if not claims:
        return
    claim = max(claims, key=lambda d: d.amount or 0.0)
    amount = claim.amount or 0.0
    if "精神" in claim.evidence and amount >= 5000:
        add(
            "mental_damages",
            0.35,
            f"索要精神损失费{amount:g}元：一般只在人身、人格权受侵害时支持，核实依据",
            claim.evidence,
        )
    if losses and amount >= 10 * max(losses) and amount >= 1000:
        ratio = amount / max(losses)
        add(
            "excessive_demand",
            0.35,
            f"索赔{amount:g}元，约为所述损失{max(losses):g}元的{ratio:.0f}倍：核实实际损失与依据",
            claim.evidence,
        )
    elif not losses and amount >= 50000:
        add("excessive_demand", 0.2, f"索赔{amount:g}元，未说明对应的实际损失：请客户举证", claim.evidence)


def _indicators_from_signals(
    signals: list[Signal], demands: list[Demand], proxy: bool, add: _IndicatorAdder
) -> None:
    money = proxy or any(d.type in _MONEY_DEMANDS for d in demands)
    for s in signals:
        if s.type == "excessive_demand":
            add("excessive_demand", 0.3, "诉求明显超出可能的损失：核实实际损失与依据", s.evidence)
        elif s.type == "professional_claimant":
            add(
                "proxy_template",
                0.35,
                "代理维权/职业索赔措辞：核实是否本人意愿、是否有第三方代理",
                s.evidence,
            )
        elif s.type in _THREATS and s.status == "threatened" and money:
            add(
                "threat_for_money",
                0.25,
                f"以{_name('signal', s.type)}相威胁并索要金钱：核实事实，按规定处理，不因威胁让步",
                s.evidence,
            )


def _indicators_from_history(doc: Doc, add: _IndicatorAdder) -> None:
    info = doc.complaint.customer
    if info.prior_malicious_confirmed > 0:
        add(
            "prior_malicious",
            0.35,
            f"历史上已有{info.prior_malicious_confirmed}次经核实的恶意投诉记录：本次仍须先核实事实",
            "",
        )
    if info.prior_complaints >= 3:
        add("repeat_pattern", 0.1, f"此前已投诉{info.prior_complaints}次：查看是否同类问题、同类手法", "")


# ---------------------------------------------------------------- customer type


@dataclass
class _TypeEvidence:
    raw: dict[str, float]
    reasons: dict[str, list[str]]

    def add(self, ctype: str, weight: float, reason: str) -> None:
        self.raw[ctype] += weight
        if reason and reason not in self.reasons[ctype]:
            self.reasons[ctype].append(reason)


def classify_customer(
    doc: Doc, emotion: Emotion, demands: list[Demand], signals: list[Signal], malicious: Malicious
) -> Label:
    """Seed 001's four types with scores over all four (sum 1), confidence and reasons.
    `malicious_claim` (suspected) wins only when several malicious indicators agree."""
    ev = _TypeEvidence(raw={t: 0.1 for t in CUSTOMER_TYPES}, reasons=defaultdict(list))
    ev.raw["problem_solving"] = 1.0
    cues = _by_group(_scan(doc, "type_cue", "type"))
    needs = _by_group(_scan(doc, "need_cue", "need"))
    complaint_cues = _scan(doc, "complaint_cue", "kind")
    text_demand = [f for f in complaint_cues if f.cue.group == "demand"]
    _type_problem_solving(ev, emotion, demands, text_demand)
    problem = [f for f in complaint_cues if f.cue.group == "problem"]
    if problem and emotion.intensity < 0.6 and not _abusive(emotion):
        ev.add("problem_solving", 0.5, f"陈述具体问题：{problem[0].evidence}")
    _type_venting(ev, emotion, signals, bool(demands or text_demand))
    _type_difficult(ev, cues.get("difficult", []), needs, demands)
    _type_malicious(ev, cues.get("malicious_claim", []), signals, malicious)
    total = sum(ev.raw.values())
    scores = {t: round(ev.raw[t] / total, 3) for t in CUSTOMER_TYPES}
    label = max(CUSTOMER_TYPES, key=lambda t: scores[t])
    reasons = ev.reasons[label] or ["未见明显的类型特征，按问题解决型对待"]
    return Label(label=label, confidence=scores[label], scores=scores, reasons=list(reasons))


def _type_problem_solving(
    ev: _TypeEvidence, emotion: Emotion, demands: list[Demand], text: list[_Found]
) -> None:
    if demands:
        names = "、".join(dict.fromkeys(_name("demand", d.type) for d in demands))
        material = any(d.type in _MATERIAL_DEMANDS for d in demands)
        ev.add("problem_solving", 1.0 if material else 0.4, f"明确诉求：{names}")
    elif text:
        ev.add("problem_solving", 0.8, f"明确诉求：{text[0].evidence}")
    if not _abusive(emotion) and (emotion.label == "calm" or emotion.intensity < 0.35):
        ev.add("problem_solving", 0.8, "语气克制")


def _type_venting(ev: _TypeEvidence, emotion: Emotion, signals: list[Signal], has_demand: bool) -> None:
    abusive = _abusive(emotion)
    for reason in abusive[:3]:
        ev.add("venting", 1.0, reason)
    for reason in [r for r in emotion.reasons if r.startswith("激动行为")][:2]:
        ev.add("venting", 0.5, reason)
    for s in signals:
        if s.type == "violence":
            ev.add("venting", 1.0, _signal_text(s))
    if emotion.label == "anger":
        ev.add("venting", 1.2 * emotion.intensity, f"愤怒强度{emotion.intensity:.1f}")
    elif emotion.label != "calm" and emotion.intensity >= 0.6:
        ev.add("venting", 0.6 * emotion.intensity, f"{_name('emotion', emotion.label)}情绪强烈")
    if not has_demand and (
        abusive or emotion.intensity >= 0.7 or emotion.label in ("sadness", "disappointment")
    ):
        ev.add("venting", 1.0, "没有明确诉求，主要在表达情绪")


def _type_difficult(
    ev: _TypeEvidence, cues: list[_Found], needs: dict[str, list[_Found]], demands: list[Demand]
) -> None:
    for f in cues[:4]:
        ev.add("difficult", 0.9, f"{f.cue.label}：{f.evidence}")
    for need in ("expression", "recognition"):
        for f in needs.get(need, [])[:2]:
            ev.add("difficult", 0.5, f"{f.cue.label}心理：{f.evidence}")
    if ev.raw["difficult"] > 0.5 and not any(d.type in _MONEY_DEMANDS and d.amount for d in demands):
        ev.add("difficult", 0.3, "争论讲理，但没有坚持索要金钱")


def _type_malicious(
    ev: _TypeEvidence, leader: list[_Found], signals: list[Signal], malicious: Malicious
) -> None:
    many = len(malicious.indicators) >= 2
    for ind in malicious.indicators[:4]:
        ev.add(
            "malicious_claim",
            (2.0 if many else 0.3) * malicious.score,
            f"疑似指标：{ind.description.split('：')[0]}",
        )
    if leader or any(s.type == "leader_demand" for s in signals):
        ev.add("malicious_claim", 0.6 if many else 0.15, "要求见领导")
    exposure = [
        s for s in signals if s.type in ("media_exposure", "online_exposure") and s.status == "threatened"
    ]
    if exposure:
        ev.add("malicious_claim", 0.6 if many else 0.15, f"威胁曝光：{exposure[0].evidence}")
    if many:
        ev.add("malicious_claim", 0.8, "多个恶意索赔指标同时出现（仍须先核实事实）")
