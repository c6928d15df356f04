"""Complaint or not, the six needs, malicious-claim indicators and the customer type.

The detectors get demands and risk signals from other modules; here they are given directly so
that each table tests this module's judgement alone.
"""

from __future__ import annotations

import pytest

from kesu.analysis import Complaint, CustomerInfo
from kesu.analysis.customer import classify_customer, complaint_score, detect_malicious, detect_needs
from kesu.analysis.doc import Doc, make_doc
from kesu.analysis.emotion import detect_emotion
from kesu.analysis.types import CUSTOMER_TYPES, NEEDS, Demand, Label, Malicious, Signal


def doc(text: str, **fields: object) -> Doc:
    return make_doc(Complaint(text=text, **fields))  # type: ignore[arg-type]


def score(text: str, demands: list[Demand] | None = None, signals: list[Signal] | None = None) -> float:
    d = doc(text)
    value, reasons = complaint_score(d, detect_emotion(d), demands or [], signals or [])
    assert reasons, text
    return value


def sig(type_: str, status: str = "threatened", evidence: str = "……") -> Signal:
    return Signal(type=type_, status=status, evidence=evidence, start=0, end=1)


# ---------------------------------------------------------------- complaint or not


@pytest.mark.parametrize(
    "text",
    [
        "我的信用卡被多扣了200元年费，办卡时没人告诉我",
        "你们这个垃圾银行，凭什么乱扣费！",
        "麻烦尽快处理一下多收的流量费，谢谢",  # polite is still a complaint
        "宽带断了三天了，报修一直没人来",
        "我要投诉你们营业厅的工作人员，态度太差",
        "请问为什么又扣了我50元手续费？",  # a question about a problem
        "理赔材料交了三遍，至今没有答复",
        "我要求退还自动续费的会员费",
        "你們的業務員冒用我的身份證辦卡，請立即註銷",  # Traditional
        "客服态度真好，可问题一个都没解决",  # praise as a cushion
    ],
)
def test_complaints(text: str) -> None:
    assert score(text) >= 0.5, text


@pytest.mark.parametrize(
    "text",
    [
        "投诉电话是多少？",
        "请问信用卡年费怎么收？",
        "想咨询一下提前还款需要带什么材料",
        "你们网点几点开门，周末营业吗？",
        "我要表扬朝阳支行的李经理，服务很好，非常耐心",
        "感谢小王帮我处理得很及时，点赞！",
        "建议你们在APP里增加夜间模式",
        "希望能增加几台自助取款机",
        "请問信用卡分期的利率是多少？",  # Traditional
        "你好",
    ],
)
def test_not_complaints(text: str) -> None:
    assert score(text) < 0.5, text


def test_demands_and_signals_passed_in_raise_the_score() -> None:
    text = "上个月的账单我看了一下"
    bare = score(text)
    with_demand = score(text, [Demand(type="refund", evidence="退还", amount=30.0)])
    with_signal = score(text, signals=[sig("regulator_complaint")])
    assert bare < 0.5 <= with_demand and bare < with_signal


def test_reasons_say_both_sides() -> None:
    d = doc("请问为什么多扣了我的钱？")
    _, reasons = complaint_score(d, detect_emotion(d), [], [])
    assert any(r.startswith("问题描述") for r in reasons)
    assert any("倾向非投诉" in r for r in reasons)


def test_negated_praise_is_not_praise() -> None:
    assert score("服务不好，态度也不耐心") >= 0.5


# ---------------------------------------------------------------- the six needs


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("你们这帮骗子，垃圾公司，我就是要出这口气", "vent"),
        ("憋了很久了，今天不吐不快", "vent"),
        ("柜员态度恶劣，爱理不理，把我当皮球踢", "respect"),
        ("打了五次电话没人理，根本不把客户当回事", "respect"),
        ("请把多扣的钱退给我", "remedy"),
        ("赶紧把网络修好，恢复服务", "remedy"),
        ("你们评评理，是不是你们的错？", "recognition"),
        ("我说的对不对？你们也承认吧", "recognition"),
        ("我懂法，我在银行工作过，你们这套我见多了", "expression"),
        ("我是你们的老客户，我认识你们领导", "expression"),
        ("我一定让你们付出代价，让那个人丢饭碗", "revenge"),
        ("我要搞臭你们，跟你们没完", "revenge"),
        ("我會曝光你們，讓所有人知道", "revenge"),  # Traditional
    ],
)
def test_needs_from_text(text: str, need: str) -> None:
    d = doc(text)
    needs, reasons = detect_needs(d, detect_emotion(d), [], [])
    assert need in needs, (text, needs)
    assert reasons[need] and all(isinstance(r, str) and r for r in reasons[need])
    assert set(needs) <= set(NEEDS) and set(reasons) == set(needs)


@pytest.mark.parametrize(
    ("demand", "need"),
    [("refund", "remedy"), ("compensation", "remedy"), ("fix", "remedy"), ("apology", "respect")],
)
def test_needs_from_demands(demand: str, need: str) -> None:
    d = doc("事情是这样的")
    needs, reasons = detect_needs(d, detect_emotion(d), [Demand(type=demand, evidence="……")], [])
    assert need in needs and reasons[need]


def test_needs_from_signals() -> None:
    d = doc("事情是这样的")
    needs, _ = detect_needs(d, detect_emotion(d), [], [sig("violence"), sig("special_identity", "mention")])
    assert {"revenge", "expression"} <= set(needs)


def test_a_calm_enquiry_has_no_needs() -> None:
    d = doc("请问网点几点开门")
    assert detect_needs(d, detect_emotion(d), [], []) == ([], {})


# ---------------------------------------------------------------- malicious indicators


def malicious(
    text: str, demands: list[Demand] | None = None, signals: list[Signal] | None = None, **kw: object
) -> Malicious:
    return detect_malicious(doc(text, **kw), demands or [], signals or [])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("咱们私了吧，给钱就撤诉", "cash_settlement"),
        ("赔我五万块我就删帖", "cash_settlement"),
        ("我要精神损失费", "mental_damages"),
        ("没得谈，别跟我讲这些，我就要钱", "refuse_negotiation"),
        ("我早就录音了，证据都准备好了", "premeditation"),
        ("本人受客户委托办理停息挂账", "proxy_template"),
        ("我们是代理维权团队", "proxy_template"),
        ("你知道我是谁吗？我粉丝三百万", "intimidation"),
        ("申请书与近期来件措辞雷同", "template_wording"),
        ("不赔钱我就找记者曝光你们", "threat_for_money"),
    ],
)
def test_indicators_from_text(text: str, key: str) -> None:
    result = malicious(text)
    found = {i.key: i for i in result.indicators}
    assert key in found, (text, found)
    assert found[key].description and found[key].evidence


def test_one_weak_indicator_keeps_the_score_low() -> None:
    for text in ("我早就录音了", "我要精神损失费", "咱们私了吧"):
        assert 0.0 < malicious(text).score <= 0.3, text


def test_several_indicators_agree() -> None:
    text = "不给我赔十万精神损失费我就找记者曝光你们，没得谈，私了也行"
    demands = [Demand(type="compensation", evidence="赔十万精神损失费", amount=100000.0)]
    result = malicious(text, demands, [sig("media_exposure")])
    assert len(result.indicators) >= 3 and result.score >= 0.5


def test_excessive_demand_against_the_stated_loss() -> None:
    demands = [
        Demand(type="refund", evidence="退还多扣的50元", amount=50.0),
        Demand(type="compensation", evidence="赔偿两万元", amount=20000.0),
    ]
    result = malicious("多扣了50元，要求退还并赔偿两万元", demands)
    ind = next(i for i in result.indicators if i.key == "excessive_demand")
    assert "400倍" in ind.description


def test_history_supports_but_never_decides() -> None:
    plain = "多扣了50元，请退还"
    assert malicious(plain).score == 0.0
    repeat = malicious(plain, customer=CustomerInfo(prior_complaints=6))
    assert 0.0 < repeat.score <= 0.3
    prior = malicious(plain, customer=CustomerInfo(prior_malicious_confirmed=2))
    assert {i.key for i in prior.indicators} == {"prior_malicious"} and prior.score <= 0.3


@pytest.mark.parametrize(
    "text",
    [
        "我的卡被盗刷了两万，请尽快处理并赔偿损失",
        "我不会去曝光的，只想把钱退回来",
        "律师说我可以起诉，但我还是想先跟你们协商",
    ],
)
def test_honest_complaints_have_no_indicators(text: str) -> None:
    assert malicious(text).indicators == []


# ---------------------------------------------------------------- customer type


def ctype(text: str, demands: list[Demand] | None = None, signals: list[Signal] | None = None) -> Label:
    d = doc(text)
    e = detect_emotion(d)
    m = detect_malicious(d, demands or [], signals or [])
    return classify_customer(d, e, demands or [], signals or [], m)


@pytest.mark.parametrize(
    ("text", "demands", "signals", "label"),
    [
        (
            "信用卡多扣了300元年费，办卡时没人说，请退回",
            [Demand("refund", "请退回", 300.0)],
            [],
            "problem_solving",
        ),
        ("宽带断了两天，麻烦尽快派人修一下", [Demand("fix", "尽快派人修")], [], "problem_solving"),
        ("你们这帮骗子！垃圾公司！气死我了！！！", [], [], "venting"),
        ("什么破银行，一群废物，他妈的浪费我一下午！！", [], [], "venting"),
        (
            "你们这个条款第几条写了？我要你们给我逐条解释，依据是什么",
            [Demand("explanation", "逐条解释")],
            [],
            "difficult",
        ),
        (
            "根据《消费者权益保护法》第八条，你们应当告知。请书面解释为什么前后矛盾，你刚才说的和合同上写的不一样",
            [],
            [],
            "difficult",
        ),
        (
            "不赔我十万精神损失费我就找记者曝光你们，没得谈，私了也行，叫你们领导出来",
            [Demand("compensation", "赔我十万精神损失费", 100000.0)],
            [sig("media_exposure"), sig("leader_demand")],
            "malicious_claim",
        ),
    ],
)
def test_customer_type(text: str, demands: list[Demand], signals: list[Signal], label: str) -> None:
    result = ctype(text, demands, signals)
    assert result.label == label, (text, result)
    assert set(result.scores) == set(CUSTOMER_TYPES)
    assert abs(sum(result.scores.values()) - 1.0) < 0.01
    assert result.confidence == result.scores[label] == max(result.scores.values())
    assert result.reasons


def test_exposure_threat_alone_is_not_a_malicious_claim() -> None:
    result = ctype("再不处理我就找电视台曝光", [Demand("fix", "处理")], [sig("media_exposure")])
    assert result.label != "malicious_claim"


def test_problem_solving_reasons_name_the_demand_and_the_tone() -> None:
    result = ctype("多扣了300元，请退回", [Demand("refund", "请退回", 300.0)])
    assert "明确诉求：退款" in result.reasons and "语气克制" in result.reasons
