"""Risk signals and risk level: what a consumer-protection officer must not miss, and must not be
told about when it is only a look-alike (气死我了, 页面跳转, 群发短信)."""

from __future__ import annotations

import re

import pytest

from kesu.analysis import risk, risk_level
from kesu.analysis.amounts import Amount
from kesu.analysis.doc import make_doc
from kesu.analysis.lexicon import entries, load_table
from kesu.analysis.types import (
    RISK_LEVELS,
    SIGNAL_STATUSES,
    SIGNAL_TYPES,
    Complaint,
    CustomerInfo,
    Demand,
    Emotion,
    Signal,
)

CALM = Emotion(label="calm", intensity=0.0, reasons=[])
BANDS = {"routine": (0, 24), "elevated": (25, 49), "major": (50, 74), "crisis": (75, 100)}


def detect(text: str, demands: list[Demand] | None = None, **customer: int) -> list[Signal]:
    doc = make_doc(Complaint(text=text, customer=CustomerInfo(**customer)))
    return risk.detect_signals(doc, demands or [])


def found(text: str) -> set[tuple[str, str]]:
    return {(s.type, s.status) for s in detect(text)}


def types(text: str) -> set[str]:
    return {s.type for s in detect(text)}


def level(text: str, emotion: Emotion = CALM, customer_type: str = "problem_solving", **customer: int) -> str:
    doc = make_doc(Complaint(text=text, customer=CustomerInfo(**customer)))
    result = risk.assess_risk(doc, risk.detect_signals(doc, []), emotion, customer_type)
    return result.level


THREATENED = [
    # media
    ("你们再不处理，我就找记者曝光", "media_exposure"),
    ("我要去电视台反映你们的所作所为", "media_exposure"),
    ("我准备联系报社的记者", "media_exposure"),
    ("让你们上315晚会", "media_exposure"),
    ("我要把这件事曝光出来", "media_exposure"),
    ("信不信我让你们上新闻", "media_exposure"),
    ("不给说法就打新闻热线", "media_exposure"),
    # online
    ("我要发微博曝光你们", "online_exposure"),
    ("我要去小红书曝光", "online_exposure"),
    ("我马上发抖音让大家看看你们的嘴脸", "online_exposure"),
    ("我要把这事发到网上", "online_exposure"),
    ("我要去黑猫投诉", "online_exposure"),
    ("不解决我就发朋友圈", "online_exposure"),
    ("你信不信我去网上曝光你们", "online_exposure"),
    ("我要上微博", "online_exposure"),
    # regulator
    ("不解决我就打12378", "regulator_complaint"),
    ("我要去銀保監會投訴", "regulator_complaint"),
    ("我要向金融监管总局举报你们", "regulator_complaint"),
    ("我打算向人民银行反映", "regulator_complaint"),
    ("不给说法我就去市长热线", "regulator_complaint"),
    ("我明天就去消协", "regulator_complaint"),
    ("我会打12315投诉你们", "regulator_complaint"),
    ("你们等着，我要打工信部投诉", "regulator_complaint"),
    ("再拖我就去信访局", "regulator_complaint"),
    ("不處理就打１２３７８", "regulator_complaint"),
    ("我要打12345", "regulator_complaint"),
    ("我要向证监会举报", "regulator_complaint"),
    # litigation
    ("你们再不处理，我就去法院起诉", "litigation"),
    ("这事我一定会告到底", "litigation"),
    ("你们等着收律师函吧", "litigation"),
    ("要是你们还不处理，我只能去法院了", "litigation"),
    ("我要告你们", "litigation"),
    ("法院见！", "litigation"),
    ("我保留追究法律责任的权利", "litigation"),
    ("我要申请仲裁", "litigation"),
    ("大不了打官司", "litigation"),
    ("我会通过法律途径解决", "litigation"),
    # self harm
    ("我不想活了", "self_harm"),
    ("今天不给我退我就死在你们银行", "self_harm"),
    ("我要从你们楼上跳下去", "self_harm"),
    ("再不还钱我就喝农药", "self_harm"),
    ("逼急了我就跳楼", "self_harm"),
    ("我死给你们看", "self_harm"),
    ("我准备了安眠药", "self_harm"),
    ("大不了一死", "self_harm"),
    # violence
    ("再不退钱我弄死你们", "violence"),
    ("我要砸了你们网点", "violence"),
    ("信不信我一把火烧了你们营业厅", "violence"),
    ("我跟你们拼了", "violence"),
    ("大不了同归于尽", "violence"),
    ("我带刀过去找那个经理", "violence"),
    ("我找人收拾你", "violence"),
    # group
    ("我会联合其他受害者一起投诉", "group"),
    ("我们准备联名投诉", "group"),
    ("大家一起去银行门口讨说法", "group"),
    # petition
    ("我明天就去你们网点门口拉横幅", "petition"),
    ("我会一直坐在你们大厅不走", "petition"),
    ("再不解决我就去北京上访", "petition"),
    ("不给钱我们就堵你们的门", "petition"),
    ("我要在你们门口静坐", "petition"),
    ("我要举牌站在你们门口", "petition"),
    # leader
    ("我要找你们领导", "leader_demand"),
    ("我要投诉到你们总行", "leader_demand"),
    # a weak cue the speaker ties to a condition
    ("不给我就天天来你们网点闹", "petition"),
    ("再不退，我就天天来你们营业厅闹", "petition"),
    ("再让我看到他，我非揍他一顿不可", "violence"),
]

DONE = [
    ("我已经打了12378投诉你们", "regulator_complaint"),
    ("１２３７８我已经打过了", "regulator_complaint"),
    ("我已经向消协投诉了", "regulator_complaint"),
    ("我上周已向银保监局投诉", "regulator_complaint"),
    ("12315我也打了", "regulator_complaint"),
    ("我昨天打过市长热线", "regulator_complaint"),
    ("我已经申请了劳动仲裁", "litigation"),
    ("我咨询过律师了", "litigation"),
    ("上周我去了法院立案", "litigation"),
    ("我已经起诉了", "litigation"),
    ("律师函已经寄出去了", "litigation"),
    ("我已经找了记者", "media_exposure"),
    ("电视台记者昨天已经来采访过了", "media_exposure"),
    ("我已经在黑猫投诉上发帖了", "online_exposure"),
    ("视频我已经发到抖音上了", "online_exposure"),
    ("我昨天发了微博", "online_exposure"),
    ("我已经喝了药", "self_harm"),
    ("我已经在你们门口静坐三天了", "petition"),
    ("我们昨天已经拉了横幅", "petition"),
    ("我们几十户业主都被骗了", "group"),
    ("我们业主已经建了维权群", "group"),
    ("我们小区三百多户业主都受影响", "group"),
    ("【12378转办】投诉人李某反映：理财收益低于宣传", "regulator_complaint"),
    ("金融监管局转办：投诉人反映被强制搭售", "regulator_complaint"),
    ("客户携带横幅到营业部门口", "petition"),
    ("我已于本月8日向某区人民法院提起诉讼，法院已受理", "litigation"),
    ("随后打了员工一巴掌，员工面部红肿", "violence"),
    ("顾客当场把两个快递柜的屏幕砸坏", "violence"),
    ("我上周已经在你们营业部门口割了手腕", "self_harm"),
    ("我把全部材料交给了《都市快报》的记者，报道已于昨天刊出", "media_exposure"),
    ("前天晚上财经频道已经播了我们这个事", "media_exposure"),
    ("叫你们行长出来！", "leader_demand"),
    ("你做不了主，叫你们经理过来", "leader_demand"),
    ("我要求你们领导给个说法", "leader_demand"),
    ("你们领导呢？叫他出来！", "leader_demand"),
]

MENTION = [
    ("我朋友上次去了电视台", "media_exposure"),
    ("他们说要去告你们", "litigation"),
    ("他上访过很多次", "petition"),
    ("听说有人打了12378", "regulator_complaint"),
    ("12315能管吗？", "regulator_complaint"),
    ("投诉电话多少？12378怎么打？", "regulator_complaint"),
    ("如果有人去曝光你们怎么办", "media_exposure"),
    ("想死的心都有了", "self_harm"),
    ("你们这是要把我逼死", "self_harm"),
    ("你给我等着", "violence"),
    ("听说好多人在投诉你们", "group"),
    ("听说上百个客户在联名投诉", "group"),
    ("我老公是记者", "special_identity"),
    ("我认识你们行长", "special_identity"),
    ("我要精神损失费", "excessive_demand"),
    ("看到新闻说你们被央视点名了", "media_exposure"),
    ("我记得你们公司好像上过315晚会吧", "media_exposure"),
    ("业务员跟我说“有本事你去告啊”", "litigation"),
    ("网上好多人都在骂你们乱收费", "online_exposure"),
    ("我看到小红书上有人发帖说你们卖假货", "online_exposure"),
    ("新闻里看到有人跑去营业部打人", "violence"),
    ("我邻居说这种情况可以直接打12315", "regulator_complaint"),
    ("我表哥就是律师", "special_identity"),
    ("我媳妇说要去网上发帖曝光你们，我拦着没让", "online_exposure"),
    ("我老公说他要去12378投诉", "regulator_complaint"),
    ("我要给你们差评", "online_exposure"),
    ("这点事我不想把事情闹大", None),
]

STATES = [
    ("这是我第三次打电话了", "repeat", "done"),
    ("投诉了半个月没人管", "repeat", "done"),
    ("我一个月打了十几次电话都没用", "repeat", "done"),
    ("我都跑了好几趟了", "repeat", "done"),
    ("我联系了客服三次都没解决", "repeat", "done"),
    ("每次都要从头讲一遍", "repeat", "done"),
    ("已反映两次未获答复", "repeat", "done"),
    ("多次反映还是没人处理", "repeat", "done"),
    ("你们推来推去，谁都不管", "repeat", "done"),
    ("问题至今没有解决", "repeat", "done"),
    ("我是记者", "special_identity", "done"),
    ("我是一名执业律师", "special_identity", "done"),
    ("本人是市人大代表", "special_identity", "done"),
    ("作为一名政协委员，我要说两句", "special_identity", "done"),
    ("我是抖音博主，有五十万粉丝", "special_identity", "done"),
    ("我今年七十二岁了，不会用手机", "vulnerable", "done"),
    ("我妈八十岁了", "vulnerable", "done"),
    ("我儿子才12岁你们就给他办卡", "vulnerable", "done"),
    ("我是残疾人，行动不便", "vulnerable", "done"),
    ("我老婆怀孕了还要跑三趟", "vulnerable", "done"),
    ("家里老人得了肺癌", "vulnerable", "done"),
    ("我们家是低保户", "vulnerable", "done"),
    ("这是我的救命钱", "vulnerable", "mention"),
    ("我委托了第三方机构代理维权", "professional_claimant", "done"),
    ("我要办理停息挂账", "professional_claimant", "done"),
    ("我受客户委托前来投诉", "professional_claimant", "done"),
    ("我想全额退保，代理退保的说可以", "professional_claimant", "done"),
    ("我们是反催收联盟的", "professional_claimant", "done"),
    ("我一次性买了30盒这款饼干，依据食品安全法要求退一赔十", "professional_claimant", "done"),
    ("赔我一百万", "excessive_demand", "done"),
]

NO_SIGNAL = [
    # look-alikes
    "气死我了，页面一直跳转",
    "笑死，累死了，饿死了",
    "手机死机了，卡死在登录页面",
    "页面一直跳，跳出来好多广告",
    "我是记着的，你们说过会退",
    "投诉电话是多少",
    "客服电话是多少？",
    "微信群里看到的活动",
    "群发短信太烦了",
    "我在抖音上买的东西",
    "抖音上刷到的广告",
    "网上银行转账失败",
    "我的卡号尾号12345",
    "这是个人行为",
    "工商银行的卡",
    "保费3000人民币",
    "我打你们客服电话打了一上午",
    "烦死了，热死人了，吓死我了",
    "我是你们的老客户",
    "第二次扣款失败了",
    "打了一次电话",
    "和老公一起来的",
    "我警告过你们的客户经理",
    "这个月我要还款",
    "我打了客服电话，客服说要等三个工作日",
    "我打了工作人员的电话没人接",
    "不止我一个人被骗了",
    "很多客户都遇到了同样的问题",
    "我问了三遍能不能退订，它回我三遍废话",
    "用第三次就冒烟",
    "感谢小刘讲了好几遍都不嫌烦",
    "我就说了一句你小心点",
    "客户：我不想活了…… 坐席：先生？ 客户：哦不是，网速慢得我都不想活了，哈哈，开玩笑的。",
    "坐席：您可以发送短信到12321举报。",
    "贵司宣传误导消费者，我保留进一步追究的权利",
    "要是再拖，我也只能走该走的程序了",
    "我已经报警了，派出所也来了",
    "新客理财年化7.8%，小字注明仅限首7天",
    # negated or withdrawn
    "我不会去曝光的",
    "我也不想闹到法院",
    "我没打算起诉",
    "本来想打12315，后来算了",
    "我从来没投诉过",
    "我不是要找记者，只是想要个说法",
    "我不想闹大，只想退款",
    "今天不给我个说法我不走了",  # one customer refusing to leave is not a sit-in
    "请给我父亲全额退保",  # a customer's own demand, not an agent's slogan
]


@pytest.mark.parametrize(("text", "kind"), THREATENED)
def test_threats_are_threatened(text, kind):
    assert (kind, "threatened") in found(text), detect(text)


@pytest.mark.parametrize(("text", "kind"), DONE)
def test_what_already_happened_is_done(text, kind):
    assert (kind, "done") in found(text), detect(text)


@pytest.mark.parametrize(("text", "kind"), MENTION)
def test_third_party_questions_and_weak_cues_are_mentions(text, kind):
    got = found(text)
    if kind is None:
        assert not got
        return
    assert (kind, "mention") in got, detect(text)
    assert (kind, "threatened") not in got and (kind, "done") not in got


@pytest.mark.parametrize(("text", "kind", "status"), STATES)
def test_facts_about_the_customer(text, kind, status):
    assert (kind, status) in found(text), detect(text)


@pytest.mark.parametrize("text", NO_SIGNAL)
def test_look_alikes_negations_and_withdrawals_give_no_signal(text):
    assert detect(text) == []


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("我在网上曝光你们", "media_exposure"),  # 网上曝光 is online, not the press
        ("我是记者，我先了解一下情况", "media_exposure"),
        ("我是律师", "litigation"),
        ("气死我了，我要投诉", "self_harm"),
        ("我打你们热线打了十次", "violence"),
    ],
)
def test_a_signal_of_one_type_does_not_fire_another(text, absent):
    assert absent not in types(text)


ALL_TEXTS = [t for t, _ in THREATENED + DONE] + [t for t, *_ in STATES] + [t for t, _ in MENTION]


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_evidence_is_the_original_text_at_its_offsets(text):
    for s in detect(text):
        assert text[s.start : s.end] == s.evidence
        assert s.evidence and s.reason
        assert s.type in SIGNAL_TYPES and s.status in SIGNAL_STATUSES


def test_offsets_point_into_the_original_with_traditional_and_full_width_text():
    text = "您好！我已經等了一個月，再不處理我就打１２３７８，還要找記者。"
    signals = detect(text)
    kinds = {(s.type, s.status) for s in signals}
    assert ("regulator_complaint", "threatened") in kinds
    assert ("media_exposure", "threatened") in kinds
    for s in signals:
        assert text[s.start : s.end] == s.evidence
    regulator = next(s for s in signals if s.type == "regulator_complaint")
    assert "１２３７８" in regulator.evidence


def test_each_occurrence_is_kept_once_per_place():
    text = "我已经打了12378，明天还要打12315，找记者曝光你们。"
    signals = detect(text)
    regulator = [s for s in signals if s.type == "regulator_complaint"]
    assert [s.status for s in regulator] == ["done", "threatened"]
    media = [s for s in signals if s.type == "media_exposure"]
    assert len(media) == 1  # 找记者 and 曝光 in one clause: one signal


def test_reason_says_why_the_status():
    (s,) = detect("我朋友上次去了电视台")
    assert "我朋友" in s.reason
    (s,) = detect("不解决我就打12378")
    assert "12378" in s.reason


# ------------------------------------------------------------------ from the customer record


def test_customer_record_adds_repeat_and_vulnerable_without_a_text_span():
    signals = detect("信用卡年费的问题请处理", prior_complaints=3, age=72)
    record = [s for s in signals if s.evidence == ""]
    assert {(s.type, s.status) for s in record} == {("repeat", "done"), ("vulnerable", "done")}
    assert all(s.start == s.end == 0 for s in record)
    assert any("3次" in s.reason for s in record) and any("72岁" in s.reason for s in record)


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        ({"prior_complaints": 1}, set()),
        ({"prior_complaints": 2}, {"repeat"}),
        ({"age": 64}, set()),
        ({"age": 65}, {"vulnerable"}),
        ({"age": 16}, {"vulnerable"}),
        ({"age": 18}, set()),
    ],
)
def test_customer_record_thresholds(customer, expected):
    assert {s.type for s in detect("请处理我的问题", **customer)} == expected


# ------------------------------------------------------------------ excessive demands


def test_a_demand_far_above_every_other_amount_is_excessive(monkeypatch):
    text = "年费300元乱扣，我要你们赔偿10万元"
    doc = make_doc(Complaint(text=text))
    monkeypatch.setattr(
        risk, "find_amounts", lambda d: [Amount(300.0, 2, 6, "300元"), Amount(100000.0, 14, 18, "10万元")]
    )
    demand = Demand(type="compensation", evidence="赔偿10万元", amount=100000.0, start=12, end=18)
    signals = [s for s in risk.detect_signals(doc, [demand]) if s.type == "excessive_demand"]
    assert [(s.status, s.evidence) for s in signals] == [("done", "赔偿10万元")]
    assert "300" in signals[0].reason


def test_a_demand_in_line_with_the_loss_is_not_excessive(monkeypatch):
    text = "多扣了3000元，请退还3000元"
    doc = make_doc(Complaint(text=text))
    monkeypatch.setattr(risk, "find_amounts", lambda d: [Amount(3000.0, 3, 8, "3000元")])
    demand = Demand(type="refund", evidence="退还3000元", amount=3000.0)
    assert not [s for s in risk.detect_signals(doc, [demand]) if s.type == "excessive_demand"]


def test_a_large_claim_for_a_trivial_matter_is_excessive(monkeypatch):
    text = "这件衣服起球了，退款加补偿五千"
    doc = make_doc(Complaint(text=text))
    monkeypatch.setattr(risk, "find_amounts", lambda d: [Amount(5000.0, 12, 14, "五千")])
    demand = Demand(type="compensation", evidence="补偿五千", amount=5000.0, start=10, end=14)
    signals = [s for s in risk.detect_signals(doc, [demand]) if s.type == "excessive_demand"]
    assert [(s.status, s.evidence) for s in signals] == [("done", "补偿五千")]
    assert "起球" in signals[0].reason


def test_statutory_multiples_are_not_excessive(monkeypatch):
    text = "饼干没有中文标签，按食品安全法我要求退一赔十，货款五千元，赔偿五万元"
    doc = make_doc(Complaint(text=text))
    monkeypatch.setattr(risk, "find_amounts", lambda d: [Amount(5000.0, 27, 30, "五千元")])
    demand = Demand(type="compensation", evidence="赔偿五万元", amount=50000.0)
    assert not [s for s in risk.detect_signals(doc, [demand]) if s.type == "excessive_demand"]


def test_a_large_non_economic_claim_is_excessive_even_without_other_amounts(monkeypatch):
    text = "服务态度差，要求精神损失费五万元"
    doc = make_doc(Complaint(text=text))
    monkeypatch.setattr(risk, "find_amounts", lambda d: [])
    demand = Demand(type="compensation", evidence="精神损失费五万元", amount=50000.0)
    signals = [s for s in risk.detect_signals(doc, [demand]) if s.type == "excessive_demand"]
    assert [s.status for s in signals] == ["done"]  # replaces the weaker text-only mention
    assert text[signals[0].start : signals[0].end] == signals[0].evidence


# ------------------------------------------------------------------ level and score


LEVELS = [
    ("你好，我想咨询一下信用卡年费怎么收", "routine"),
    ("我不会去曝光的，只想把钱退回来", "routine"),
    ("我朋友上次去了电视台", "elevated"),
    ("想死的心都有了", "elevated"),
    ("叫你们行长出来", "elevated"),
    ("这是我第三次打电话了", "elevated"),
    ("我要精神损失费", "elevated"),
    ("我要发微博曝光你们", "elevated"),
    ("我要办理停息挂账", "elevated"),
    ("我是记者", "major"),
    ("本人是市人大代表", "major"),
    ("不解决我就打12378", "major"),
    ("我已经打了12378", "major"),
    ("我要去法院起诉你们", "major"),
    ("我要找记者", "major"),
    ("视频我已经发到抖音上了", "major"),
    ("我们几十户业主都被骗了", "major"),
    ("我要在你们门口拉横幅", "major"),
    ("这是我第三次来了，叫你们行长出来，我今年七十八岁了", "major"),
    ("我不想活了", "crisis"),
    ("再不退钱我弄死你们", "crisis"),
    ("我们已经在你们门口拉了横幅", "crisis"),
    ("我们几十户业主准备一起去拉横幅", "crisis"),
    ("我们业主准备找记者曝光", "crisis"),
    ("报道已于昨天刊出", "crisis"),
    ("我八十岁了，真不想活了", "crisis"),
    ("我八十岁了，想死的心都有了", "major"),
    ("这是我第三次来了，叫你们行长出来，我要找记者", "major"),
]


@pytest.mark.parametrize(("text", "expected"), LEVELS)
def test_level(text, expected):
    assert level(text) == expected


@pytest.mark.parametrize(("text", "expected"), LEVELS)
def test_score_lies_in_the_band_of_the_level_and_reasons_explain_it(text, expected):
    doc = make_doc(Complaint(text=text))
    result = risk.assess_risk(doc, risk.detect_signals(doc, []), CALM, "problem_solving")
    low, high = BANDS[result.level]
    assert low <= result.score <= high
    assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)


def test_reason_names_the_threat_and_its_evidence():
    doc = make_doc(Complaint(text="不解决我就打12378"))
    result = risk.assess_risk(doc, risk.detect_signals(doc, []), CALM, "problem_solving")
    assert result.reasons[0] == "扬言向监管投诉（不解决我就打12378）"


def test_a_mention_alone_never_goes_above_elevated():
    for text, kind in MENTION:
        if kind:
            assert level(text) in ("routine", "elevated"), text


def test_emotion_raises_the_score_not_the_level():
    text = "叫你们行长出来"
    doc = make_doc(Complaint(text=text))
    signals = risk.detect_signals(doc, [])
    calm = risk.assess_risk(doc, signals, CALM, "problem_solving")
    angry = risk.assess_risk(doc, signals, Emotion("anger", 0.9, []), "problem_solving")
    assert angry.level == calm.level == "elevated"
    assert angry.score > calm.score
    nothing = make_doc(Complaint(text="你们这服务太差劲了！！！"))
    assert risk.assess_risk(nothing, [], Emotion("anger", 1.0, []), "venting").level == "routine"


def test_a_suspected_malicious_claim_is_at_least_elevated():
    doc = make_doc(Complaint(text="衣服起球了，退款加补偿五千"))
    assert risk.assess_risk(doc, [], CALM, "problem_solving").level == "routine"
    assert risk.assess_risk(doc, [], CALM, "malicious_claim").level == "elevated"


@pytest.mark.parametrize(
    ("text", "channel", "emotion", "expected"),
    [
        ("什么破银行，你们这帮骗子！！！", None, Emotion("anger", 0.9, []), "elevated"),
        ("气死我了，这什么破系统，赶紧修", None, Emotion("anger", 0.9, []), "routine"),
        ("东西是我妈的降压药，你们赶紧想办法！", None, Emotion("anger", 0.7, []), "routine"),
        ("买的空气炸锅用了两次就冒烟", None, CALM, "elevated"),
        ("前台把我的信息告诉陌生人，对方直接找到了我房间门口", None, CALM, "elevated"),
        ("某APP又崩了，交这么多佣金就给我用这个？", "social", CALM, "elevated"),
        ("某APP又崩了，交这么多佣金就给我用这个？", "app", CALM, "routine"),
    ],
)
def test_floors_without_any_signal(text, channel, emotion, expected):
    doc = make_doc(Complaint(text=text, channel=channel))
    signals = risk.detect_signals(doc, [])
    assert signals == []
    result = risk.assess_risk(doc, signals, emotion, "venting")
    assert result.level == expected
    assert result.reasons


def test_customer_record_alone_raises_the_level():
    assert level("请尽快处理", prior_complaints=4) == "elevated"
    assert level("请尽快处理", age=80, prior_complaints=3) == "elevated"


# ------------------------------------------------------------------ the data tables


def test_every_signal_type_has_a_lexicon_and_a_weight_for_every_status():
    declared = {row["key"] for row in entries("risk_signals", "type")}
    assert declared == set(SIGNAL_TYPES)
    with_patterns = {row["type"] for row in entries("risk_signals", "pattern")}
    assert with_patterns == set(SIGNAL_TYPES)
    for row in entries("risk_levels", "weight"):
        for status in SIGNAL_STATUSES:
            assert row[status]["level"] in RISK_LEVELS
            assert 0 <= row[status]["weight"] <= 100
    assert {row["type"] for row in entries("risk_levels", "weight")} == set(SIGNAL_TYPES)
    assert {row["type"] for row in entries("risk_levels", "wording")} == set(SIGNAL_TYPES)


def test_mentions_are_never_weighted_above_elevated():
    for row in entries("risk_levels", "weight"):
        assert row["mention"]["level"] in ("routine", "elevated"), row["type"]


def test_what_the_staff_says_in_a_transcript_is_not_a_customer_signal():
    text = "客户：骚扰电话太多了。 坐席：您可以发送短信到12321举报，也可以打12315。"
    assert detect(text) == []
    text = "客户：不给退我就打12378！ 坐席：先生您别急。"
    assert found(text) == {("regulator_complaint", "threatened")}


def test_a_regulator_complaint_is_not_also_a_repeat_complaint():
    assert types("我已经向消协投诉过你们了") == {"regulator_complaint"}
    assert ("repeat", "done") in found("此前已向支行反映过，没有回复")


@pytest.mark.parametrize("key", ["abuse", "safety"])
def test_floor_words_are_found_as_by_one_alternation(key):
    """The floor lists are matched through the shared scan, with the result of one alternation."""
    matcher = risk_level._abuse() if key == "abuse" else risk_level._safety()
    plain = re.compile("|".join(load_table("risk_levels")["floor"][key]))
    texts = ["没事", "我妈的电脑冒烟了，差点着火", "他妈的骗子", "你们这帮骗子", "一帮骗子，傻b", "sb，老子"]
    texts += ["差点被烫伤", "他们找到了我家门口", "跟到门口差点摔伤", "垃圾银行垃圾", "人身安全隐患", "妈的"]
    for text in texts:
        hit, m = matcher.search(text), plain.search(text)
        assert ((hit.start, hit.end) if hit else None) == (m.span() if m else None), text
