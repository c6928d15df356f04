"""Compensation guidance grounded in law (domain.md step 3; docs/handling-plan.md).

`guidance(analysis)` reads an analysis dict (`kesu.analysis.analyze(...).to_dict()`, or any
subset of its keys) and says what the law supports: direct loss only, reasonable expenses with
proof, no lawyer's fees, mental damages only for serious harm to personal rights (民法典 第1183条),
and for fraud the punitive damages of 消费者权益保护法 第55条 (3× the price, at least ¥500) — a
right of the consumer that the handler must not talk them out of. It also flags a demand that is
far above any plausible loss, for a person to review. It never proposes a tactic against the
consumer (domain.md, "What kesu deliberately does not do").

This module also holds the two small pieces the plan shares: `Item` (a piece of advice with the
reason that triggered it) and `data_table` (the package's TOML data, read once per process).
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

_lock = threading.Lock()
PUNITIVE_MULTIPLE = 3.0
PUNITIVE_MINIMUM = 500.0


@dataclass(frozen=True)
class Item:
    """One piece of advice and the Chinese reason saying which part of the analysis triggered it."""

    text: str
    reason: str


@dataclass(frozen=True)
class Punitive:
    """消保法 第55条 for a fraud claim. `amount` is None when the price is unknown."""

    law: str
    article: int
    rule: str
    condition: str
    price: float | None
    amount: float | None
    reason: str


@dataclass(frozen=True)
class CompensationGuidance:
    applicable: bool
    wording: str  # the word to use until liability is established: 补偿
    principles: list[Item] = field(default_factory=list)
    punitive: Punitive | None = None
    excessive: Item | None = None
    notes: list[Item] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def data_table(name: str) -> dict[str, Any]:
    """Parse `kesu/knowledge/data/<name>.toml` once; every `[[list]]` entry needs a description."""
    with _lock:
        ref = resources.files("kesu.knowledge").joinpath("data", f"{name}.toml")
        with ref.open("rb") as fh:
            table = tomllib.load(fh)
    for key, value in table.items():
        if isinstance(value, list) and any(not str(row.get("description", "")).strip() for row in value):
            raise ValueError(f"knowledge/data/{name}.toml: an entry of [[{key}]] has no description")
    return table


def punitive_amount(price: float) -> float:
    """消保法 第55条: the increased compensation for fraud, 3× the price and at least ¥500."""
    if price < 0:
        raise ValueError("价款不能为负数")
    return max(PUNITIVE_MULTIPLE * price, PUNITIVE_MINIMUM)


def guidance(analysis: dict[str, Any]) -> CompensationGuidance:
    """What the law supports for this complaint's money demands (see module docstring)."""
    rules = data_table("plan_rules")["compensation"]
    demands = [d for d in analysis.get("demands", []) if isinstance(d, dict)]
    money = [d for d in demands if d.get("type") in ("refund", "compensation")]
    signals = {s.get("type") for s in analysis.get("risk", {}).get("signals", [])}
    rights = {r.get("key") for r in analysis.get("rights", [])}
    fraud_hit = _first_term(_texts(analysis), rules["fraud_terms"])
    applicable = bool(money) or "compensation" in rights or fraud_hit is not None
    if not applicable:
        return CompensationGuidance(applicable=False, wording="补偿", notes=[_not_applicable()])
    punitive = _punitive(analysis, money, fraud_hit) if fraud_hit else None
    return CompensationGuidance(
        applicable=True,
        wording="补偿",
        principles=_principles(money, rights),
        punitive=punitive,
        excessive=_excessive(analysis, money, punitive, signals, float(rules["excess_factor"])),
        notes=_notes(demands, rights, rules["mental_terms"]),
    )


def _not_applicable() -> Item:
    return Item("本投诉未提出金钱诉求，无需测算补偿", "依据：诉求中没有退款或赔偿，也未涉及依法求偿权")


def _texts(analysis: dict[str, Any]) -> list[str]:
    """The analysis' quotations of the complaint (the dict carries no full text)."""
    out = [str(d.get("evidence", "")) for d in analysis.get("demands", []) if isinstance(d, dict)]
    out += [str(r.get("evidence", "")) for r in analysis.get("rights", [])]
    emotion = analysis.get("emotion", {})
    if isinstance(emotion, dict):
        out += [str(s.get("evidence", "")) for s in emotion.get("spans", [])]
    out.append(str(analysis.get("dimensions", {}).get("event", "")))
    out.append(str(analysis.get("summary", "")))
    return out


def _first_term(texts: Iterable[str], terms: list[str]) -> str | None:
    for text in texts:
        for term in terms:
            if term in text:
                return term
    return None


def _principles(money: list[dict[str, Any]], rights: set[Any]) -> list[Item]:
    why = "依据：客户提出了" + "、".join(sorted({_demand_label(d) for d in money})) if money else ""
    if not why:
        why = "依据：涉及依法求偿权（消保法 第11条）"
    rows = data_table("plan_rules")["compensation_principle"]
    return [Item(f"{row['text']}（{row['basis']}）", why) for row in rows]


def _demand_label(demand: dict[str, Any]) -> str:
    return "退款诉求" if demand.get("type") == "refund" else "赔偿诉求"


def _price(analysis: dict[str, Any], money: list[dict[str, Any]]) -> float | None:
    """The price paid: a refund's amount, else an amount in the text that is not itself a demand."""
    for d in money:
        if d.get("type") == "refund" and d.get("amount"):
            return float(d["amount"])
    demanded = {float(d["amount"]) for d in money if d.get("amount")}
    for amount in analysis.get("entities", {}).get("amounts", []):
        if float(amount) not in demanded and float(amount) > 0:
            return float(amount)
    return None


def _punitive(analysis: dict[str, Any], money: list[dict[str, Any]], term: str) -> Punitive:
    price = _price(analysis, money)
    amount = punitive_amount(price) if price is not None else None
    return Punitive(
        law="消费者权益保护法",
        article=55,
        rule="经营者有欺诈行为的，按消费者要求增加赔偿，金额为价款或服务费用的3倍，不足500元的按500元",
        condition="先核实是否存在欺诈（故意告知虚假情况或隐瞒真实情况）；经核实属实的，这是消费者的法定权利，不得劝其放弃",
        price=price,
        amount=amount,
        reason=f"依据：投诉中出现欺诈主张「{term}」"
        + (f"，价款按{price:g}元计" if price is not None else ""),
    )


def _excessive(
    analysis: dict[str, Any],
    money: list[dict[str, Any]],
    punitive: Punitive | None,
    signals: set[Any],
    factor: float,
) -> Item | None:
    asked = max(
        (float(d["amount"]) for d in money if d.get("type") == "compensation" and d.get("amount")),
        default=0.0,
    )
    loss = _price(analysis, money)
    ceiling = loss if loss is not None else None
    if punitive is not None and punitive.amount is not None and loss is not None:
        ceiling = loss + punitive.amount  # refund of the price plus the punitive part
    if asked and ceiling is not None and asked > ceiling * factor:
        return Item(
            f"要求金额{asked:g}元明显高于可能的损失（约{ceiling:g}元），请核实损失凭证，超出部分依法不予支持，超出授权的报主管审批",
            f"依据：赔偿诉求金额{asked:g}元，文中可见的价款或损失为{loss:g}元",
        )
    if "excessive_demand" in signals:
        return Item(
            "诉求明显超出可能的损失：请客户提供损失凭证，按直接损失核算", "依据：风险信号「诉求明显过高」"
        )
    return None


def _notes(demands: list[dict[str, Any]], rights: set[Any], mental_terms: list[str]) -> list[Item]:
    notes: list[Item] = []
    term = _first_term((str(d.get("evidence", "")) for d in demands), mental_terms)
    if term and not rights & {"safety", "dignity"}:
        notes.append(
            Item(
                "客户提出精神损害赔偿，但本投诉未见人身权益受损，一般不予支持；以致歉和服务补救表达诚意",
                f"依据：诉求中出现「{term}」，且未涉及安全保障权或人格尊严",
            )
        )
    if "safety" in rights:
        notes.append(
            Item(
                "涉及人身安全：造成人身损害的按侵权责任另行核算；明知缺陷仍提供致人死亡或健康严重损害的，消费者可另要求不超过损失2倍的惩罚性赔偿（消保法 第55条第2款），交法务评估",
                "依据：涉及安全保障权（消保法 第7条）",
            )
        )
    return notes
