"""The handling plan: what the handler should do for one analysed complaint (domain.md step 3).

`build_plan(analysis)` takes `kesu.analysis.analyze(...).to_dict()` (or any subset of its keys:
missing keys read as "nothing detected") and returns a `HandlingPlan`: the opening move, the six
steps of seed 001 with actions and scripts, the 情-理-法 stages of seed 004, the taboos to avoid,
the evidence to keep, whether and where to escalate, a deadline hint and compensation guidance.

All wording and all conditions live in `data/plan_rules.toml` and `data/scripts.toml`; this module
only matches entries to the facts of the analysis, orders and merges them, and writes each item's
reason (which facts triggered it). Pure Python: no Django, no I/O after the first load.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from kesu.analysis.lexicon import entries as analysis_entries
from kesu.knowledge.compensation import CompensationGuidance, Item, data_table, guidance

# Threats only count when made or carried out; a mere mention (我朋友去过电视台) does not.
_THREATS = frozenset(
    {
        "media_exposure",
        "online_exposure",
        "regulator_complaint",
        "litigation",
        "self_harm",
        "violence",
        "petition",
    }
)
_LIST_FACETS = ("customer_type", "emotion", "needs", "demands", "signals", "level", "industry", "rights")
_URGENCY = ("none", "normal", "same_day", "immediate")
_TIERS = ("front_desk", "specialist", "branch", "head_office")


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    goal: str
    actions: list[Item]
    scripts: list[Item]


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    goal: str
    say: list[Item]
    laws: list[str]


@dataclass(frozen=True)
class Avoid:
    rule: str  # a reply-check rule key (kesu/analysis/data/reply_rules.toml)
    label: str
    why: str
    better: str
    reason: str


@dataclass(frozen=True)
class Escalation:
    escalate: bool
    urgency: str  # none | normal | same_day | immediate
    urgency_label: str
    tier: str  # front_desk | specialist | branch | head_office
    tier_label: str
    to: list[str]
    actions: list[Item]
    reasons: list[str]


@dataclass(frozen=True)
class DeadlineHint:
    """The regulator's reply deadline for the industry: a hint, the case clocks are authoritative."""

    industry: str
    days: int
    summary: str
    extension: str
    source: str
    verify: bool
    reason: str
    note: str = "仅供参考：实际时限以案件时钟为准"


@dataclass(frozen=True)
class HandlingPlan:
    opening: Item
    steps: list[Step]
    stages: list[Stage]
    avoid: list[Avoid]
    evidence: list[Item]
    escalation: Escalation
    deadline_hint: DeadlineHint | None
    compensation: CompensationGuidance
    facts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Facts:
    """The facts of an analysis that plan rules can select on (see plan_rules.toml header)."""

    values: dict[str, frozenset[str]]
    malicious: bool
    intensity: float
    amount: float  # the largest compensation demand, 0 when none


def facts_from(analysis: dict[str, Any]) -> Facts:
    """Read the selectable facts from an analysis dict, tolerating missing keys."""
    risk = analysis.get("risk") or {}
    signals = {
        str(s.get("type"))
        for s in risk.get("signals", [])
        if s.get("type") not in _THREATS or s.get("status") in ("threatened", "done")
    }
    emotion = analysis.get("emotion") or {}
    malicious = analysis.get("malicious") or {}
    values = {
        "customer_type": {_label(analysis.get("customer_type"), "problem_solving")},
        "emotion": {_label(emotion, "calm")},
        "needs": {str(n) for n in analysis.get("needs", [])},
        "demands": {str(d.get("type")) for d in analysis.get("demands", []) if isinstance(d, dict)},
        "signals": signals,
        "level": {str(risk.get("level", "routine"))},
        "industry": {str(analysis.get("industry") or "general")},
        "rights": {str(r.get("key")) for r in analysis.get("rights", [])},
    }
    return Facts(
        values={k: frozenset(v) for k, v in values.items()},
        malicious="malicious_claim" in values["customer_type"]
        or float(malicious.get("score", 0.0))
        >= float(data_table("plan_rules")["settings"]["malicious_threshold"]),
        intensity=float(emotion.get("intensity", 0.0)) if isinstance(emotion, dict) else 0.0,
        amount=max(
            (
                float(d["amount"])
                for d in analysis.get("demands", [])
                if isinstance(d, dict) and d.get("type") == "compensation" and d.get("amount")
            ),
            default=0.0,
        ),
    )


def _label(value: Any, default: str) -> str:
    if isinstance(value, dict):
        return str(value.get("label") or default)
    return str(value or default)


def match(row: dict[str, Any], facts: Facts) -> str | None:
    """The Chinese reason an entry applies to these facts, or None when it does not.

    The entry applies when every facet of its `when` holds and its `unless` (if any) does not.
    """
    if row.get("unless") and _reasons(row["unless"], facts) is not None:
        return None
    when = row.get("when")
    if not when:
        return "适用于所有投诉"
    parts = _reasons(when, facts)
    return None if parts is None else "依据：" + "；".join(parts)


def _reasons(when: dict[str, Any], facts: Facts) -> list[str] | None:
    names = _labels()["facet"]
    parts: list[str] = []
    for facet, wanted in when.items():
        if facet == "malicious":
            if bool(wanted) != facts.malicious:
                return None
            parts.append(f"{names[facet]}：{'有' if wanted else '无'}")
        elif facet in ("min_intensity", "min_amount"):
            have = facts.intensity if facet == "min_intensity" else facts.amount
            if have < float(wanted):
                return None
            parts.append(f"{names[facet]}{have:g}" if facet == "min_amount" else f"{names[facet]}{have:.2f}")
        elif facet in _LIST_FACETS:
            hit = [v for v in wanted if v in facts.values[facet]]
            if not hit:
                return None
            parts.append(f"{names[facet]}「{'、'.join(_value_label(facet, v) for v in hit)}」")
        else:
            raise ValueError(f"plan rules: unknown facet {facet!r}")
    return parts


def _value_label(facet: str, value: str) -> str:
    labels = _labels()
    return labels["rights" if facet == "rights" else "value"].get(value, value)


@cache
def _labels() -> dict[str, dict[str, str]]:
    """Display labels: `facet` (field names), `value` (values), `rights` (consumer rights)."""
    return {name: dict(table) for name, table in data_table("plan_rules")["labels"].items()}


def _select(rows: list[dict[str, Any]], facts: Facts) -> list[tuple[dict[str, Any], str]]:
    """Matching rows with their reasons, specific before general: priority, then file order."""
    hits = [(row, reason) for row in rows if (reason := match(row, facts)) is not None]
    return sorted(hits, key=lambda h: -int(h[0].get("priority", 50)))


def build_plan(analysis: dict[str, Any]) -> HandlingPlan:
    """The handling plan for one analysis (see module docstring)."""
    facts = facts_from(analysis)
    rules = data_table("plan_rules")
    opening_row, opening_reason = _select(rules["opening"], facts)[0]
    return HandlingPlan(
        opening=Item(opening_row["text"], opening_reason),
        steps=_steps(facts),
        stages=_stages(facts, analysis),
        avoid=_avoid(facts),
        evidence=[Item(row["item"], reason) for row, reason in _select(rules["evidence"], facts)],
        escalation=_escalation(facts),
        deadline_hint=_deadline(facts),
        compensation=guidance(analysis),
        facts=_fact_summary(facts),
    )


def _steps(facts: Facts) -> list[Step]:
    rules = data_table("plan_rules")
    limit = int(rules["settings"]["max_scripts"])
    steps: list[Step] = []
    for step in rules["step"]:
        key = step["key"]
        actions = [
            Item(r["action"], why) for r, why in _select(_of("plan_rules", "step_action", "step", key), facts)
        ]
        chosen = _select(_of("scripts", "script", "step", key), facts)
        specific = [Item(r["text"], why) for r, why in chosen if r.get("when")]
        general = [Item(r["text"], why) for r, why in chosen if not r.get("when")]
        picked = (specific or general)[:limit]
        steps.append(Step(key, step["name"], step["goal"], actions, picked))
    return steps


@cache
def _of(table: str, rows: str, field_name: str, key: str) -> list[dict[str, Any]]:
    """The rows of `table`'s `[[rows]]` list whose `field_name` is `key` (grouped once)."""
    return [row for row in data_table(table)[rows] if row.get(field_name) == key]


def _stages(facts: Facts, analysis: dict[str, Any]) -> list[Stage]:
    rules = data_table("plan_rules")
    stages: list[Stage] = []
    for stage in rules["stage"]:
        hits = _select(_of("plan_rules", "stage_action", "stage", stage["key"]), facts)
        say = [Item(row["say"], why) for row, why in hits]
        laws = _laws(analysis) if stage["key"] == "fa" else []
        stages.append(Stage(stage["key"], stage["name"], stage["goal"], say, laws))
    return stages


def _laws(analysis: dict[str, Any]) -> list[str]:
    """The law articles of `analysis.rights`: each right's article, then its related articles."""
    laws: list[str] = []
    for right in analysis.get("rights", []):
        key = str(right.get("key"))
        head = f"{right.get('law', '消费者权益保护法')} 第{right.get('article')}条（{_value_label('rights', key)}）"
        for law in [head, *right.get("related", [])]:
            if law not in laws:
                laws.append(str(law))
    return laws


def _avoid(facts: Facts) -> list[Avoid]:
    """One item per reply-check rule, merging the reasons of every entry that selected it."""
    reply_rules = {row["key"]: row for row in analysis_entries("reply_rules", "rule")}
    merged: dict[str, tuple[list[str], list[str]]] = {}
    for row, reason in _select(data_table("plan_rules")["avoid"], facts):
        whys, reasons = merged.setdefault(row["rule"], ([], []))
        whys.append(row["why"])
        reasons.append(reason)
    out: list[Avoid] = []
    for rule, (whys, reasons) in merged.items():
        info = reply_rules.get(rule, {})
        out.append(
            Avoid(
                rule,
                str(info.get("label", rule)),
                "；".join(whys),
                str(info.get("suggestion", "")),
                "；".join(reasons),
            )
        )
    return out


def _escalation(facts: Facts) -> Escalation:
    rules = data_table("plan_rules")
    labels = rules["escalation_labels"]
    hits = _select(rules["escalation"], facts)
    if not hits:
        return Escalation(
            escalate=False,
            urgency="none",
            urgency_label=labels["none"],
            tier="front_desk",
            tier_label=labels["front_desk"],
            to=[],
            actions=[],
            reasons=[
                "未见扬言、群诉、安全或特殊身份等风险信号，由一线在授权内处理；单纯的沟通技巧问题不升级"
            ],
        )
    urgency = max((row["urgency"] for row, _ in hits), key=_URGENCY.index)
    tier = max((row["tier"] for row, _ in hits), key=_TIERS.index)
    to: list[str] = []
    actions: list[Item] = []
    for row, reason in sorted(hits, key=lambda h: -_URGENCY.index(h[0]["urgency"])):
        to += [dest for dest in row["to"] if dest not in to]
        actions += [Item(text, reason) for text in row.get("actions", [])]
    reasons = [f"{row['description']}（{reason}）" for row, reason in hits]
    return Escalation(True, urgency, labels[urgency], tier, labels[tier], to, actions, reasons)


def _deadline(facts: Facts) -> DeadlineHint | None:
    industry = next(iter(facts.values["industry"]))
    for row in data_table("plan_rules")["deadline"]:
        if industry in row["industries"]:
            return DeadlineHint(
                industry=industry,
                days=int(row["days"]),
                summary=row["summary"],
                extension=row["extension"],
                source=row["source"],
                verify=bool(row["verify"]),
                reason=f"依据：行业「{_value_label('industry', industry)}」",
            )
    return None


def _fact_summary(facts: Facts) -> list[str]:
    """The facts the plan was built from, in Chinese, for the handler to check at a glance."""
    names = _labels()["facet"]
    out = [
        f"{names[facet]}：{'、'.join(_value_label(facet, v) for v in sorted(values))}"
        for facet, values in facts.values.items()
        if values
    ]
    if facts.malicious:
        out.append(f"{names['malicious']}：有（待人工核实，不是结论）")
    return out
