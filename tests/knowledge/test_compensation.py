"""Compensation guidance: what the law supports, as a handler reads it (docs/handling-plan.md)."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.analysis import Complaint, analyze
from kesu.knowledge import guidance, punitive_amount


def from_text(text: str) -> dict[str, Any]:
    return analyze(Complaint(text=text)).to_dict()


def money(
    *demands: tuple[str, float | None, str], amounts: list[float] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "demands": [{"type": t, "amount": a, "evidence": e} for t, a, e in demands],
        "entities": {"amounts": amounts or []},
        **extra,
    }


@pytest.mark.parametrize(
    ("price", "expected"),
    [(0.0, 500.0), (100.0, 500.0), (166.0, 500.0), (167.0, 501.0), (3999.0, 11997.0), (10000.0, 30000.0)],
)
def test_punitive_amount_is_three_times_the_price_at_least_500(price: float, expected: float) -> None:
    assert punitive_amount(price) == pytest.approx(expected)


def test_punitive_amount_rejects_a_negative_price() -> None:
    with pytest.raises(ValueError):
        punitive_amount(-1.0)


@pytest.mark.parametrize(
    ("analysis", "price", "amount"),
    [
        (from_text("商家用翻新机冒充新机卖给我，价格3999元，这是欺诈，要求退一赔三"), 3999.0, 11997.0),
        (money(("refund", 99.0, "假一赔三，退我99元"), amounts=[99.0]), 99.0, 500.0),
        (money(("compensation", 1500.0, "要求三倍赔偿1500元"), amounts=[1500.0, 500.0]), 500.0, 1500.0),
        (money(("compensation", None, "卖假货，要求退一赔三")), None, None),
    ],
)
def test_fraud_claim_gets_article_55(
    analysis: dict[str, Any], price: float | None, amount: float | None
) -> None:
    result = guidance(analysis)
    assert result.applicable and result.punitive is not None
    assert (result.punitive.law, result.punitive.article) == ("消费者权益保护法", 55)
    assert result.punitive.price == price and result.punitive.amount == amount
    assert "3倍" in result.punitive.rule and "500元" in result.punitive.rule
    # A consumer right: the handler verifies fraud, and never talks the consumer out of it.
    assert "核实" in result.punitive.condition and "不得劝其放弃" in result.punitive.condition
    assert result.excessive is None


@pytest.mark.parametrize(
    "analysis",
    [
        from_text("信用卡年费300元没有告知就扣了，请退还年费。"),
        from_text("你们这破银行，气死我了！！什么玩意儿，骗子！"),  # an insult is not a fraud claim
        money(("refund", 300.0, "请退还年费"), amounts=[300.0]),
    ],
)
def test_no_fraud_claim_no_punitive_damages(analysis: dict[str, Any]) -> None:
    assert guidance(analysis).punitive is None


def test_money_demand_gets_the_legal_principles_and_goodwill_wording() -> None:
    result = guidance(money(("compensation", 800.0, "要求赔偿800元"), amounts=[800.0]))
    assert result.applicable and result.wording == "补偿"
    text = "".join(p.text for p in result.principles)
    for must in ("直接损失", "凭", "律师费", "第1183条", "补偿", "赔偿"):
        assert must in text
    assert all("赔偿诉求" in p.reason for p in result.principles)


def test_no_money_demand_no_compensation() -> None:
    result = guidance({"demands": [{"type": "apology", "amount": None, "evidence": "要求道歉"}]})
    assert not result.applicable and result.principles == [] and result.punitive is None
    assert guidance({}).applicable is False


@pytest.mark.parametrize(
    "analysis",
    [
        from_text("要求赔偿精神损失费十万元，手机坏了价格2000元"),
        money(("compensation", 50000.0, "赔我五万"), amounts=[50000.0, 299.0]),
        money(
            ("compensation", None, "要求赔偿"),
            risk={"signals": [{"type": "excessive_demand", "status": "done"}]},
        ),
    ],
)
def test_demand_far_above_the_loss_is_flagged(analysis: dict[str, Any]) -> None:
    result = guidance(analysis)
    assert result.excessive is not None
    assert "凭证" in result.excessive.text and result.excessive.reason.startswith("依据")


def test_demand_within_the_loss_is_not_flagged() -> None:
    assert guidance(money(("compensation", 300.0, "赔偿300元"), amounts=[300.0, 280.0])).excessive is None


def test_mental_damages_only_with_harm_to_personal_rights() -> None:
    asked = ("compensation", 5000.0, "要求精神损失费5000元")
    plain = guidance(money(asked, amounts=[5000.0]))
    assert any("精神损害" in n.text and "一般不予支持" in n.text for n in plain.notes)
    injured = guidance(money(asked, amounts=[5000.0], rights=[{"key": "safety", "article": 7}]))
    assert not any("一般不予支持" in n.text for n in injured.notes)
    assert any("第55条第2款" in n.text for n in injured.notes)
