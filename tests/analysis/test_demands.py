"""Demands: what the customer asks for, with the amount attached to that demand."""

from __future__ import annotations

import random
import re

import pytest

from kesu.analysis.amounts import find_amounts
from kesu.analysis.demands import _alternation, _cues, _last, _searches, extract_demands
from kesu.analysis.doc import make_doc
from kesu.analysis.types import Complaint, Demand


def demands(text: str) -> list[Demand]:
    doc = make_doc(Complaint(text=text))
    return extract_demands(doc, find_amounts(doc))


def types(text: str) -> list[str]:
    return [d.type for d in demands(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # refund
        ("要求退还年费", "refund"),
        ("赶紧把钱退给我", "refund"),
        ("请尽快退款", "refund"),
        ("还我血汗钱", "refund"),
        ("我要退钱", "refund"),
        ("申请七天无理由退货", "refund"),
        ("商家一直不给退货", "refund"),
        ("退款被拒", "refund"),
        ("希望退还多收的费用", "refund"),
        ("我要求退費", "refund"),  # Traditional
        # compensation
        ("要求赔偿损失", "compensation"),
        ("赔我精神损失费", "compensation"),
        ("必须给我补偿", "compensation"),
        ("你们要退一赔三", "compensation"),
        ("要求理赔", "compensation"),
        # apology
        ("必须给我道歉", "apology"),
        ("要求你们公开道歉", "apology"),
        ("连个道歉都没有", "apology"),
        ("我只要一个道歉", "apology"),
        # explanation
        ("给我个说法", "explanation"),
        ("你们必须给我一个解释", "explanation"),
        ("把事情说清楚", "explanation"),
        ("请说明扣费的原因", "explanation"),
        ("请给我一个确切的完成时间", "explanation"),
        ("理赔款什么时候能到", "explanation"),
        ("为什么不提前通知", "explanation"),
        # fix
        ("尽快恢复额度", "fix"),
        ("要求解冻我的卡", "fix"),
        ("要求撤销征信逾期记录", "fix"),
        ("请帮我消除不良记录", "fix"),
        ("不要再打电话骚扰我了", "fix"),
        ("希望尽快修好宽带", "fix"),
        # cancel
        ("我要退保", "cancel"),
        ("我要携号转网", "cancel"),
        ("要求销户", "cancel"),
        ("马上取消这个套餐", "cancel"),
        ("我要求解约", "cancel"),
        # punish_staff
        ("要求处理那个业务员", "punish_staff"),
        ("必须开除这个客服", "punish_staff"),
        ("要追究相关人员的责任", "punish_staff"),
        ("给他一个处分", "punish_staff"),
        # see_leader
        ("叫你们行长出来", "see_leader"),
        ("我要见你们领导", "see_leader"),
        ("让负责人出来说话", "see_leader"),
        # written_reply
        ("请给我书面答复", "written_reply"),
        ("要求出具书面说明", "written_reply"),
        ("书面回复我", "written_reply"),
        # other
        ("要求停息挂账", "other"),
        ("申请减免罚息", "other"),
    ],
)
def test_each_demand_type_in_many_forms(text, expected):
    assert expected in types(text), types(text)


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("要求退还300元年费", "refund", 300),
        ("赔我精神损失费两万", "compensation", 20000),
        ("我炒理财亏了三万，要求全额赔偿", "compensation", 30000),
        ("扣了我300元，要求退款", "refund", 300),
        ("理财投了十万，亏了三万，要求全额赔偿", "compensation", 30000),
        ("存了二十万，现在要损失四万多，只求把本金还给我", "refund", 200000),
        ("交了19800元会员费，结果全被套，要求退还会员费", "refund", 19800),
        ("我要全额退，两万四一分都不能少", "refund", 24000),
        ("我就想把这笔跨行手续费50块退了", "refund", 50),
        ("要求赔偿3万元", "compensation", 30000),
        ("被扣了80元，我要求赔偿", "compensation", 80),  # the only amount of the text
        ("要求这顿饭免单，另外赔我一万块精神损失费", "refund", None),  # 10000 belongs to the other demand
        ("要求这顿饭免单，另外赔我一万块精神损失费", "compensation", 10000),
        ("现在退回来才九千多？我要全额退，两万四", "refund", 24000),  # 才九千多 is what was offered
        ("请给我道歉", "apology", None),
    ],
)
def test_amount_belongs_to_its_demand(text, kind, amount):
    (found,) = [d for d in demands(text) if d.type == kind]
    assert found.amount == amount


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("我不要你们赔钱，只要道歉", "compensation"),
        ("我朋友要求赔偿", "compensation"),
        ("业务员说可以随时退保", "cancel"),
        ("已经退款了，但到账太慢", "refund"),
        ("我不需要补偿", "compensation"),
        ("我不是为了赔偿", "compensation"),
        ("客服承诺会给补偿", "compensation"),
        ("消费者可以要求退货、更换或修理", "refund"),
        ("坐席：我马上为您处理退款\n客户：好的谢谢", "refund"),
        ("当初是业务员没把条款讲清楚", "explanation"),
        ("我又不是不还，只是晚了半个月", "refund"),
        ("快递小哥下大雨还给我送到家门口", "refund"),
        ("维修师傅很专业，已经修好了", "fix"),
        ("我想开通港股通权限，需要满足什么条件？", "fix"),
    ],
)
def test_negated_third_party_and_reported_demands_are_not_demands(text, absent):
    assert absent not in types(text)


def test_only_apology_when_money_is_refused():
    assert types("我不要你们赔钱，只要道歉") == ["apology"]


def test_policy_question_is_cancel_intent_and_explanation():
    assert types("退保要扣多少钱？") == ["cancel", "explanation"]


def test_conditional_demand_counts_with_its_condition_as_evidence():
    (found,) = demands("不给我退款我就去12378投诉")
    assert found.type == "refund"
    assert "退款" in found.evidence


def test_one_demand_per_type_in_text_order_with_valid_offsets():
    text = "要求退還300元年費！退款！另外請給個說法，必須賠禮道歉"
    found = demands(text)
    assert [d.type for d in found] == ["refund", "explanation", "apology"]
    for d in found:
        assert d.start is not None and d.end is not None
        assert text[d.start : d.end] == d.evidence
    assert found[0].amount == 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退款加补偿五千，不然你们等着瞧", ["refund", "compensation"]),
        ("这周五之前解决不了，我就去找你们老总", ["fix"]),
        ("要求尽快办理销户", ["cancel"]),  # the hurry belongs to 销户, no separate fix
        ("我要他给我道歉", ["apology"]),
        ("我要求退一赔十", ["refund", "compensation"]),
        ("我要求你们书面道歉", ["apology", "written_reply"]),
        ("请贵司就以上问题作出书面解释", ["written_reply", "explanation"]),
        ("希望贵公司给出书面回应", ["written_reply"]),
        ("这笔手续费到底是怎么回事，能不能退？", ["explanation", "refund"]),
        ("找客服咋说都不给退", ["refund"]),  # the refused refund is what the customer wants
        ("请给他全额退保", ["cancel"]),
        ("麻烦帮我改回活期", ["fix"]),
        ("这事你办不了就让你们网点负责人给我回个电话", ["see_leader"]),
        ("信用卡分期能不能退？", []),  # an enquiry about the rule, not a demand
    ],
)
def test_combined_and_conditional_forms(text, expected):
    assert sorted(types(text)) == sorted(expected)


def test_no_demand_in_a_plain_description():
    assert demands("我上个月在网点办了一张信用卡，想咨询一下积分怎么兑换") == []


def _last_by_scan(window: str, regex: re.Pattern[str]) -> tuple[int, str] | None:
    """The plain form `_last` replaces: the last match of a full scan."""
    best = None
    for m in regex.finditer(window):
        best = (m.start(), m.group())
    return best


def test_last_cue_is_the_last_match_of_a_full_scan() -> None:
    """`_last` searches once and scans on from the first match only: the same answer, and None
    (found by the one search) for a window without a cue word."""
    cues, searches = _cues(), _searches()
    assert searches.ask.pattern == _alternation(cues.ask).pattern
    words = list(cues.ask[:6]) + list(cues.peer[:4]) + ["我", "要", "求", "，", "的"]
    rng = random.Random(3)
    windows = ["".join(rng.choice(words) for _ in range(rng.randint(0, 8))) for _ in range(5_000)]
    found = 0
    for window in [*windows, "", "没有关系"]:
        for regex in (searches.ask, searches.peer, searches.reported):
            assert _last(window, regex) == _last_by_scan(window, regex), window
            found += _last(window, regex) is not None
    assert 1_000 < found < 3 * len(windows)
    assert _last("我要求要求", _alternation(("要求",))) == (3, "要求")
    assert _last("随便", _alternation(())) is None
