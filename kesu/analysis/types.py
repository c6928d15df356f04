"""Input and output values of the analysis engine (contract.md).

Plain frozen dataclasses: every detector returns one of these, and `Analysis.to_dict()` gives the
exact JSON object of the contract. Keys are never renamed; new keys may be added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHANNELS = (
    "phone",
    "counter",
    "web",
    "app",
    "email",
    "letter",
    "wechat",
    "regulator_transfer",
    "media",
    "social",
    "other",
)
INDUSTRIES = ("banking", "insurance", "securities", "telecom", "ecommerce", "general")
CUSTOMER_TYPES = ("problem_solving", "venting", "difficult", "malicious_claim")
EMOTIONS = ("anger", "anxiety", "disappointment", "sadness", "calm")
NEEDS = ("vent", "respect", "remedy", "recognition", "expression", "revenge")
DEMAND_TYPES = (
    "refund",
    "compensation",
    "apology",
    "explanation",
    "fix",
    "cancel",
    "punish_staff",
    "see_leader",
    "written_reply",
    "other",
)
RISK_LEVELS = ("routine", "elevated", "major", "crisis")
SIGNAL_TYPES = (
    "media_exposure",
    "online_exposure",
    "regulator_complaint",
    "litigation",
    "self_harm",
    "violence",
    "group",
    "petition",
    "leader_demand",
    "repeat",
    "special_identity",
    "vulnerable",
    "professional_claimant",
    "excessive_demand",
)
SIGNAL_STATUSES = ("threatened", "done", "mention")
RIGHTS = (
    "safety",
    "information",
    "choice",
    "fair_trade",
    "compensation",
    "association",
    "knowledge",
    "dignity",
    "supervision",
)
BANDS = ("high", "medium", "low")

MAX_TEXT_CHARS = 20_000
"""Longest text the engine accepts; longer input is an error, never silently truncated."""


class InputError(ValueError):
    """Input that cannot be analysed. The message is Chinese and says what to fix."""


@dataclass(frozen=True)
class CustomerInfo:
    prior_complaints: int = 0
    prior_malicious_confirmed: int = 0
    age: int | None = None
    vip: bool = False


@dataclass(frozen=True)
class Complaint:
    """One complaint to analyse. Only `text` is required."""

    text: str
    id: str | None = None
    title: str | None = None
    channel: str | None = None
    industry: str | None = None
    received_at: str | None = None
    customer: CustomerInfo = field(default_factory=CustomerInfo)
    product: str | None = None


@dataclass(frozen=True)
class Span:
    """A piece of the original text: `text[start:end] == evidence`."""

    start: int
    end: int
    evidence: str


@dataclass(frozen=True)
class Label:
    label: str
    confidence: float
    scores: dict[str, float]
    reasons: list[str]


@dataclass(frozen=True)
class Emotion:
    label: str
    intensity: float
    reasons: list[str]
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Demand:
    type: str
    evidence: str
    amount: float | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Signal:
    type: str
    status: str
    evidence: str
    start: int
    end: int
    reason: str = ""


@dataclass(frozen=True)
class Risk:
    level: str
    score: float
    signals: list[Signal]
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Right:
    key: str
    law: str
    article: int
    evidence: str
    reason: str = ""
    related: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dimensions:
    time: list[str]
    place: list[str]
    people: list[str]
    event: str
    emotion: str


@dataclass(frozen=True)
class Indicator:
    """A malicious-claim indicator: something to verify, never a verdict."""

    key: str
    description: str
    evidence: str = ""


@dataclass(frozen=True)
class Malicious:
    score: float
    indicators: list[Indicator]


@dataclass(frozen=True)
class Entities:
    amounts: list[float] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    band: str


@dataclass(frozen=True)
class Analysis:
    id: str | None
    engine: str
    is_complaint: bool
    complaint_score: float
    customer_type: Label
    emotion: Emotion
    needs: list[str]
    demands: list[Demand]
    risk: Risk
    rights: list[Right]
    dimensions: Dimensions
    malicious: Malicious
    entities: Entities
    summary: str
    industry: str = "general"
    complaint_reasons: list[str] = field(default_factory=list)
    needs_reasons: dict[str, list[str]] = field(default_factory=dict)
    predictions: dict[str, Prediction] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object (plus a few documented extra keys)."""
        return {
            "id": self.id,
            "engine": self.engine,
            "is_complaint": self.is_complaint,
            "complaint_score": round(self.complaint_score, 3),
            "complaint_reasons": list(self.complaint_reasons),
            "industry": self.industry,
            "customer_type": {
                "label": self.customer_type.label,
                "confidence": round(self.customer_type.confidence, 3),
                "scores": {k: round(v, 3) for k, v in self.customer_type.scores.items()},
                "reasons": list(self.customer_type.reasons),
            },
            "emotion": {
                "label": self.emotion.label,
                "intensity": round(self.emotion.intensity, 3),
                "reasons": list(self.emotion.reasons),
                "spans": [_span_dict(s) for s in self.emotion.spans],
            },
            "needs": list(self.needs),
            "needs_reasons": {k: list(v) for k, v in self.needs_reasons.items()},
            "demands": [_demand_dict(d) for d in self.demands],
            "risk": {
                "level": self.risk.level,
                "score": round(self.risk.score, 1),
                "signals": [_signal_dict(s) for s in self.risk.signals],
                "reasons": list(self.risk.reasons),
            },
            "rights": [
                {
                    "key": r.key,
                    "law": r.law,
                    "article": r.article,
                    "evidence": r.evidence,
                    "reason": r.reason,
                    "related": list(r.related),
                }
                for r in self.rights
            ],
            "dimensions": {
                "time": list(self.dimensions.time),
                "place": list(self.dimensions.place),
                "people": list(self.dimensions.people),
                "event": self.dimensions.event,
                "emotion": self.dimensions.emotion,
            },
            "malicious": {
                "score": round(self.malicious.score, 3),
                "indicators": [
                    {"key": i.key, "description": i.description, "evidence": i.evidence}
                    for i in self.malicious.indicators
                ],
            },
            "entities": {
                "amounts": list(self.entities.amounts),
                "dates": list(self.entities.dates),
                "phones": list(self.entities.phones),
                "id_numbers": list(self.entities.id_numbers),
                "cards": list(self.entities.cards),
                "orgs": list(self.entities.orgs),
                "products": list(self.entities.products),
                "people": list(self.entities.people),
            },
            "predictions": {
                name: {"label": p.label, "confidence": round(p.confidence, 3), "band": p.band}
                for name, p in self.predictions.items()
            },
            "summary": self.summary,
        }


def _span_dict(s: Span) -> dict[str, Any]:
    return {"evidence": s.evidence, "start": s.start, "end": s.end}


def _demand_dict(d: Demand) -> dict[str, Any]:
    out: dict[str, Any] = {"type": d.type, "amount": d.amount, "evidence": d.evidence}
    if d.start is not None and d.end is not None:
        out["start"], out["end"] = d.start, d.end
    return out


def _signal_dict(s: Signal) -> dict[str, Any]:
    return {
        "type": s.type,
        "status": s.status,
        "evidence": s.evidence,
        "start": s.start,
        "end": s.end,
        "reason": s.reason,
    }
