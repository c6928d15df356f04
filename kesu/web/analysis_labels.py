"""Chinese labels for the analysis' machine keys (contract.md, fixed vocabularies) and a view of
the analysis that the case page renders as is."""

from __future__ import annotations

from functools import cache
from typing import Any

from kesu.analysis.lexicon import entries, load_table
from kesu.cases.models import INDUSTRIES, RISK_LEVELS

CUSTOMER_TYPES = {
    "problem_solving": "问题解决型",
    "venting": "情绪发泄型",
    "difficult": "理性刁难型",
    "malicious_claim": "恶意索赔型（疑似）",
}
NEEDS = {
    "vent": "发泄",
    "respect": "受尊重",
    "remedy": "补救",
    "recognition": "认同",
    "expression": "表现",
    "revenge": "报复",
}
RIGHTS = {
    "safety": "安全保障权",
    "information": "知悉真情权",
    "choice": "自主选择权",
    "fair_trade": "公平交易权",
    "compensation": "依法求偿权",
    "association": "依法结社权",
    "knowledge": "获得知识权",
    "dignity": "人格尊严与个人信息",
    "supervision": "批评监督权",
}
SIGNAL_STATUS = {"threatened": "扬言", "done": "已", "mention": "提及"}
SIGNAL_STATUS_FULL = {"threatened": "扬言", "done": "已发生", "mention": "提及"}
DIMENSIONS = {"time": "时间", "place": "地点", "people": "人物", "event": "事件", "emotion": "情绪"}
_NAMES: dict[str, dict[str, str]] = load_table("customer")["names"]
DEMANDS: dict[str, str] = _NAMES["demand"]
SIGNALS: dict[str, str] = _NAMES["signal"]
EMOTIONS: dict[str, str] = _NAMES["emotion"]


@cache
def reply_rule_labels() -> dict[str, str]:
    """Reply-check rule key → its Chinese label, from the engine's own rule table."""
    return {r["key"]: r["label"] for r in entries("reply_rules", "rule")}


def demand_label(d: dict[str, Any]) -> str:
    word = DEMANDS.get(d.get("type", ""), d.get("type", ""))
    return f"{word} {d['amount']:g} 元" if d.get("amount") else word


def _pct(value: Any) -> str:
    return f"{float(value or 0) * 100:.0f}%"


def _customer(ct: dict[str, Any]) -> dict[str, Any]:
    scores = sorted((ct.get("scores") or {}).items(), key=lambda kv: -kv[1])
    return {
        "label": CUSTOMER_TYPES.get(ct.get("label", ""), ct.get("label", "")),
        "confidence": _pct(ct.get("confidence")),
        "scores": [(CUSTOMER_TYPES.get(k, k), _pct(v), round(float(v) * 100)) for k, v in scores],
        "reasons": ct.get("reasons", []),
    }


def _dimensions(dims: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, label in DIMENSIONS.items():
        value = dims.get(key)
        if key == "emotion":
            value = EMOTIONS.get(str(value), value)
        text = "、".join(value) if isinstance(value, list) else str(value or "")
        out.append((label, text or "（未提及）"))
    return out


def analysis_view(a: dict[str, Any]) -> dict[str, Any]:
    """The analysis with every key turned into its Chinese label, reasons kept next to each item."""
    emotion, risk = a.get("emotion") or {}, a.get("risk") or {}
    needs_reasons = a.get("needs_reasons") or {}
    return {
        "is_complaint": "是" if a.get("is_complaint") else "否（咨询、建议或表扬）",
        "complaint_score": _pct(a.get("complaint_score")),
        "complaint_reasons": a.get("complaint_reasons", []),
        "industry": INDUSTRIES.get(a.get("industry") or "", "未识别"),
        "customer": _customer(a.get("customer_type") or {}),
        "emotion": {
            "label": EMOTIONS.get(emotion.get("label", ""), emotion.get("label", "")),
            "intensity": _pct(emotion.get("intensity")),
            "reasons": emotion.get("reasons", []),
        },
        "needs": [(NEEDS.get(n, n), needs_reasons.get(n, [])) for n in a.get("needs", [])],
        "demands": [{**d, "label": demand_label(d)} for d in a.get("demands", [])],
        "risk": {
            "level": risk.get("level", ""),
            "label": RISK_LEVELS.get(risk.get("level", ""), "未评估"),
            "score": risk.get("score", 0),
            "reasons": risk.get("reasons", []),
            "signals": [
                {
                    **s,
                    "label": SIGNALS.get(s.get("type", ""), s.get("type", "")),
                    "status_label": SIGNAL_STATUS_FULL.get(s.get("status", ""), s.get("status", "")),
                }
                for s in risk.get("signals", [])
            ],
        },
        "rights": [
            {**r, "label": RIGHTS.get(r.get("key", ""), r.get("key", ""))} for r in a.get("rights", [])
        ],
        "dimensions": _dimensions(a.get("dimensions") or {}),
        "malicious": a.get("malicious") or {},
        "summary": a.get("summary", ""),
    }
