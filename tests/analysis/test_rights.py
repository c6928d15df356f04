"""Consumer rights (消费者权益保护法 第7–15条): which rights a complaint involves, and why."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.analysis.doc import make_doc
from kesu.analysis.industry import detect_industry
from kesu.analysis.lexicon import entries
from kesu.analysis.rights import detect_rights, related_provisions, required_literals
from kesu.analysis.types import INDUSTRIES, RIGHTS, Complaint, Right

ARTICLES = {
    "safety": 7,
    "information": 8,
    "choice": 9,
    "fair_trade": 10,
    "compensation": 11,
    "association": 12,
    "knowledge": 13,
    "dignity": 14,
    "supervision": 15,
}


def _rights(text: str, **fields: Any) -> dict[str, Right]:
    doc = make_doc(Complaint(text=text, **fields))
    doc.industry, _ = detect_industry(doc)
    return {r.key: r for r in detect_rights(doc)}


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("safety", "我的银行卡被盗刷了三万元"),
        ("safety", "账户里的钱不翼而飞，怀疑被人转走"),
        ("safety", "接到冒充客服诈骗的电话，钱被转走了"),
        ("safety", "在餐厅吃出了虫子，孩子拉肚子"),
        ("safety", "买的充电宝充电时爆炸了"),
        ("information", "办卡时没告知有年费"),
        ("information", "理财经理隐瞒了产品风险"),
        ("information", "业务员夸大收益，误导我买了这款产品"),
        ("information", "当时说是存款，结果是保险"),
        ("information", "我根本不知道还有这笔手续费"),
        ("information", "免责条款从来没人解释过"),
        ("choice", "贷款时被强制搭售保险"),
        ("choice", "不买理财就不给办贷款"),
        ("choice", "手机号被擅自开通了视频会员"),
        ("choice", "默认勾选了自动续费"),
        ("choice", "想携号转网，他们不让转网"),
        ("choice", "未经我同意就给我办了分期"),
        ("fair_trade", "你们乱收费，凭什么扣钱"),
        ("fair_trade", "每个月都多扣我20元话费"),
        ("fair_trade", "这就是霸王条款"),
        ("fair_trade", "同样的东西老用户更贵，大数据杀熟"),
        ("fair_trade", "扣了我300元年费"),
        ("fair_trade", "信用卡被单方面降额"),
        ("fair_trade", "收到的是假货"),
        ("fair_trade", "保险公司拒赔"),
        ("compensation", "要求银行赔偿我的损失"),
        ("compensation", "这笔损失谁来负责？"),
        ("compensation", "我要索赔"),
        ("compensation", "必须退一赔三"),
        ("association", "我们建了一个维权群，大家一起来"),
        ("association", "我会联合其他受害者一起维权"),
        ("knowledge", "我年纪大了，看不懂合同"),
        ("knowledge", "我不懂理财，全听他的"),
        ("knowledge", "不会用手机银行，也没人教"),
        ("dignity", "柜员态度恶劣，还骂我"),
        ("dignity", "大堂经理看不起我们农村人"),
        ("dignity", "我的个人信息被泄露了"),
        ("dignity", "天天接到骚扰电话"),
        ("dignity", "暴力催收，打电话给我父母和单位领导"),
        ("dignity", "不要再打电话骚扰我了！"),
        ("dignity", "有人冒用我的身份办了贷款"),
        ("supervision", "我要举报你们的违规行为"),
        ("supervision", "建议你们整改"),
    ],
)
def test_each_right_is_found(key: str, text: str) -> None:
    found = _rights(text)
    assert key in found, f"{text} → {sorted(found)}"
    right = found[key]
    assert right.law == "消费者权益保护法"
    assert right.article == ARTICLES[key]
    assert right.evidence and right.evidence in text
    assert f"第{ARTICLES[key]}条" in right.reason


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("safety", "卡没有被盗刷，只是想查一下流水"),
        ("information", "客户经理并没有隐瞒什么"),
        ("information", "他们不是没告知，是我没仔细看"),
        ("choice", "他们没有强制我买"),
        ("choice", "券商强制平仓了"),
        ("choice", "交强险是强制保险"),
        ("fair_trade", "他们并没有乱收费，我只是咨询"),
        ("fair_trade", "这不是霸王条款"),
        ("compensation", "我不要求赔偿，只要道歉"),
        ("compensation", "我不要赔偿"),
        ("association", "我没有加什么维权群"),
        ("knowledge", "我不是看不懂合同"),
        ("knowledge", "我真搞不懂你们为什么这样做"),
        ("dignity", "柜员没有骂我，就是慢"),
        ("dignity", "不存在泄露个人信息的情况"),
        ("supervision", "我不是来举报的"),
    ],
)
def test_negated_or_look_alike_phrasings_do_not_count(key: str, text: str) -> None:
    assert key not in _rights(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没想到他们乱收费", {"fair_trade"}),
        ("不但乱收费，还态度恶劣", {"fair_trade", "dignity"}),
        ("没有任何人告诉我要收年费", {"information", "fair_trade"}),
    ],
)
def test_negation_words_that_do_not_negate(text: str, expected: set[str]) -> None:
    assert expected <= set(_rights(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("銀行從來沒有告知年費，還亂扣費", {"information", "fair_trade"}),
        ("業務員態度惡劣，還洩露我的個人資料", {"dignity"}),
        ("保險公司強制搭售，不買就不給理賠", {"choice"}),
        ("信用卡被盜刷，要求賠償損失", {"safety", "compensation"}),
        ("我的個資外洩了，一直接到推銷電話", {"dignity"}),
        ("資費方案綁約兩年，解約要付違約金", {"fair_trade"}),
    ],
)
def test_traditional_chinese_input(text: str, expected: set[str]) -> None:
    found = _rights(text)
    assert expected <= set(found)
    for right in found.values():
        assert right.evidence in text  # quoted from the original, not the normalised text


@pytest.mark.parametrize(
    ("text", "key", "found"),
    [
        ("我听说上个月有人因为你们乱扣费拉着横幅", "fair_trade", False),
        ("看到新闻说你们因为乱收费被点名了", "fair_trade", False),
        ("听说你们乱扣费，结果我这个月也被乱扣费了", "fair_trade", True),
        ("他说这个基金保本，我才买的", "information", True),  # 他 is the salesman, not hearsay
        ("有人冒用我的身份办了贷款", "dignity", True),
    ],
)
def test_hearsay_is_not_the_customers_own_case(text: str, key: str, found: bool) -> None:
    assert (key in _rights(text)) is found


@pytest.mark.parametrize(
    ("text", "key", "found"),
    [
        ("客户：你们收费不清不楚\n坐席：您看不懂的话我给您解释\n客户：好吧", "knowledge", False),
        ("客户：这合同我看不懂\n坐席：我给您解释一下", "knowledge", True),
        ("坐席：先生，这个是强制险\n客户：那你们也不能乱收费啊", "fair_trade", True),
        ("客户：嗯 坐席：我们没有骗您，也没有误导 客户：那你解释", "information", False),
        ("你们是不是乱收费了？", "fair_trade", True),
        ("有没有搞错，又多扣我钱", "fair_trade", True),
    ],
)
def test_transcript_turns_and_questions(text: str, key: str, found: bool) -> None:
    assert (key in _rights(text)) is found


def test_evidence_does_not_stop_at_a_thousands_separator() -> None:
    right = _rights("就是希望你们把多扣的利息1,280.50元退给我")["fair_trade"]
    assert right.evidence.endswith("1,280.50元退给我")


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("information", "当时业务员说随时可以退，本金一分不少"),
        ("information", "风险等级R5，而本人风险测评结果为C2，明显不匹配"),
        ("information", "办宽带时说送一年的电视会员，现在开始收费了"),
        ("information", "页面上没写要额外收钱"),
        ("choice", "我从来没订过什么视频彩铃"),
        ("choice", "我明明已经申请不续保了，你们还扣了续期保费"),
        ("choice", "想销户，他们百般阻挠"),
        ("fair_trade", "说好的500兆，实际测出来才80兆"),
        ("fair_trade", "合同上白纸黑字写的犹豫期是十五天"),
        ("fair_trade", "申请换货被商家拒绝"),
        ("fair_trade", "还要收1%违约金"),
        ("dignity", "这是什么态度？"),
        ("dignity", "理赔员说我就是想骗保"),
        ("dignity", "你们天天打电话给我推销"),
        ("dignity", "商家把我的电话卖给了别人"),
        ("safety", "面膜用了脸都烂了"),
        ("safety", "孩子差点摔下来"),
        ("safety", "电池鼓包了"),
        ("compensation", "耽误我买房的损失你们得赔"),
        ("compensation", "要求给予合理补偿"),
        ("dignity", "工作人员一直玩手机不理我"),
        ("safety", "银行把我存的钱弄丢了"),
        ("information", "他们推销的时候只说收益不说风险"),
        ("choice", "被逼着买了保险"),
        ("fair_trade", "理赔款迟迟不到账"),
        ("fair_trade", "手机刚买三天就坏了"),
        ("knowledge", "这些专业名词我根本不懂"),
        ("knowledge", "我是农村的，不太会这些操作"),
        ("safety", "卡没离身，钱却在外地被刷走了"),
        ("information", "合同里的免责条款字特别小"),
        ("information", "宣传的年化收益率根本达不到"),
        ("choice", "套餐想降档不给降"),
        ("fair_trade", "扣了我两次款"),
        ("dignity", "被当成骗子对待"),
        ("dignity", "把我的欠款信息发到了家族群"),
        ("dignity", "我的个人信息到底是怎么泄露的"),  # word order: information first, leak later
        ("dignity", "我的信息是不是被你们员工卖了"),
        ("dignity", "你们把我手机号给了别的公司"),
        ("choice", "没经过我同意就把套餐改了"),
        ("supervision", "希望你们加强员工培训"),
    ],
)
def test_everyday_phrasings_of_each_right(key: str, text: str) -> None:
    assert key in _rights(text)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("fair_trade", "卡里有一万五是我女儿下周要交的学费"),
        ("fair_trade", "请问港股通的交易费用有哪些"),
        ("fair_trade", "年化收益6%，稳赚不赔"),
        ("fair_trade", "我也知道是合同里写的"),
        ("choice", "我问了三遍能不能退订"),
        ("safety", "现场无人受伤"),
        ("knowledge", "柜员说我听不懂人话"),
        ("fair_trade", "我没有任何投诉，只是想咨询一下信用卡年费"),
        ("information", "昨天帮我妈办社保卡特别耐心"),
        ("dignity", "柜员服务态度很好，非常耐心"),
        ("information", "建议你们手机银行增加大字版，现在的字太小了"),
    ],
)
def test_look_alikes_found_in_real_complaints_do_not_count(key: str, text: str) -> None:
    assert key not in _rights(text)


def test_rights_come_in_article_order_once_each() -> None:
    text = "我要举报！信用卡被盗刷，办卡时没告知年费，还乱扣费，要求赔偿，柜员态度恶劣。又没告知一次。"
    keys = [r.key for r in detect_rights(make_doc(Complaint(text=text)))]
    assert keys == sorted(set(keys), key=RIGHTS.index)
    assert {"safety", "information", "fair_trade", "compensation", "dignity", "supervision"} <= set(keys)


def test_evidence_is_the_clause_and_reason_quotes_the_words() -> None:
    right = _rights("我上个月去办业务，柜员态度恶劣，我很生气")["dignity"]
    assert right.evidence == "柜员态度恶劣"
    assert "「态度恶劣」" in right.reason


def test_long_clause_evidence_is_trimmed_around_the_hit() -> None:
    text = "我" + "一直在等" * 20 + "结果被乱收费" + "然后又等" * 20
    right = _rights(text)["fair_trade"]
    assert "乱收" in right.evidence and len(right.evidence) <= 40


@pytest.mark.parametrize(
    ("text", "industry", "key", "must", "must_not"),
    [
        (
            "柜员泄露了我的个人信息",
            "banking",
            "dignity",
            "商业银行法 第29条",
            "电信和互联网用户个人信息保护规定",
        ),
        ("柜员态度恶劣", "banking", "dignity", "消费者权益保护法 第27条", "个人信息保护法"),
        ("催收天天打电话给我父母", "banking", "dignity", "民法典 第1033条", "商业银行法 第29条"),
        ("征信记录有误", "banking", "dignity", "征信业管理条例 第25条", "消费者权益保护法 第27条"),
        ("银行卡被盗刷", "banking", "safety", "商业银行法 第6条", "食品安全法"),
        ("吃出了虫子", "general", "safety", "食品安全法 第148条", "商业银行法"),
        ("收到的是假货", "ecommerce", "fair_trade", "消费者权益保护法 第23条", "民法典 第497条"),
        ("营业厅泄露了我的个人信息", "telecom", "dignity", "电信和互联网用户个人信息保护规定", "商业银行法"),
        ("免责条款没人解释过", "insurance", "information", "保险法 第17条", "证券法"),
        ("这是霸王条款", "general", "fair_trade", "民法典 第497条", "商业银行法"),
        ("保险公司拒赔，要求赔偿", "insurance", "compensation", "保险法 第23条", "商业银行法"),
    ],
)
def test_related_provisions_follow_the_industry(
    text: str, industry: str, key: str, must: str, must_not: str
) -> None:
    related = _rights(text, industry=industry)[key].related
    assert any(must in r for r in related)
    assert not any(must_not in r for r in related)


def test_analysis_output_carries_reason_and_related_provisions() -> None:
    from kesu.analysis import analyze

    out = analyze(Complaint(text="柜员泄露了我的个人信息", industry="banking")).to_dict()
    (right,) = [r for r in out["rights"] if r["key"] == "dignity"]
    assert right["law"] == "消费者权益保护法" and right["article"] == 14
    assert "泄露" in right["reason"]
    assert right["related"] == related_provisions("dignity", "banking", "personal_info")


def test_every_right_has_data_and_triggers() -> None:
    rights = {row["key"]: row for row in entries("rights", "right")}
    assert set(rights) == set(RIGHTS)
    triggered = {row["right"] for row in entries("rights", "trigger")}
    assert triggered == set(RIGHTS)
    for key, row in rights.items():
        assert row["article"] == ARTICLES[key]
        for rel in row["related"]:
            assert set(rel.get("industries", [])) <= set(INDUSTRIES), rel


def test_every_trigger_pattern_has_literal_anchors() -> None:
    # A pattern without anchors would run on every complaint: slow, and a sign of a typo.
    for row in entries("rights", "trigger"):
        for pattern in row["patterns"]:
            assert required_literals(pattern.replace("{gap}", ".{0,6}")), pattern


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("(要求|要)?(你们)?(赔偿|赔钱)", "他让你们赔钱"),
        ("(资金|钱)(被|遭)(盗|转走)", "钱遭转走"),
        ("被?盗刷", "盗刷"),
        ("(看|听)不(太)?(懂|明白)", "听不太明白"),
    ],
)
def test_anchors_are_contained_in_every_match(pattern: str, text: str) -> None:
    anchors = required_literals(pattern)
    assert anchors and any(a in text for a in anchors)


def test_docs_list_every_right_with_its_article() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "industries.md").read_text(encoding="utf-8")
    for key, article in ARTICLES.items():
        assert f"| {key} |" in doc and f"| {article} |" in doc, key
