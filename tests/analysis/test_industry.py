"""Industry and product detection: what a handler sees in the 行业 and 产品 fields."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.analysis.doc import Doc, make_doc
from kesu.analysis.industry import canonical_product, detect_industry, detect_products
from kesu.analysis.lexicon import entries
from kesu.analysis.types import INDUSTRIES, Complaint


def _doc(text: str, **fields: Any) -> Doc:
    doc = make_doc(Complaint(text=text, **fields))
    doc.industry, _ = detect_industry(doc)
    return doc


def _industry(text: str, **fields: Any) -> str:
    return detect_industry(make_doc(Complaint(text=text, **fields)))[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # banking
        ("我的信用卡被收了300元年费，办卡时根本没说", "banking"),
        ("房贷想提前还款，支行说要收违约金", "banking"),
        ("手机银行转账失败，钱还被冻结了", "banking"),
        ("催收天天打电话，说我逾期要上征信", "banking"),
        ("信用卡突然降额，申请停息挂账也不批", "banking"),
        ("我的信用卡被收取年費，銀行從來沒有告知", "banking"),
        # insurance
        ("保险公司拒赔我的重疾险，说我没有如实告知", "insurance"),
        ("退保只退了一点现金价值，代理人当初说随时能全额退", "insurance"),
        ("车险出险后定损太低，理赔拖了两个月", "insurance"),
        ("保單在猶豫期內退保被拒", "insurance"),
        # securities
        ("券商的交易系统卡顿，委托卖出一直失败", "securities"),
        ("两融账户被强平，营业部也没提前通知", "securities"),
        ("投顾天天在群里荐股，跟着买股票亏了一半", "securities"),
        ("我买的基金亏了一半，当初说稳赚", "securities"),
        # telecom
        ("套餐里的流量根本不够用，话费还乱扣", "telecom"),
        ("宽带装机拖了一个星期还没人来", "telecom"),
        ("想携号转网，营业厅百般阻挠", "telecom"),
        ("打了好几次１００８６都没人解决", "telecom"),
        ("寬頻斷網三天，話費照扣", "telecom"),
        ("電信業者的資費方案綁約兩年，手機門號還不能轉", "telecom"),
        # ecommerce
        ("淘宝买的鞋子是假货，商家不给退货", "ecommerce"),
        ("快递丢件了，物流信息一直不更新，店铺客服不回", "ecommerce"),
        ("直播间下单的商品货不对板，七天无理由退货也被拒", "ecommerce"),
        ("美团外卖送晚了一个小时，骑手态度还很差", "ecommerce"),
        # general
        ("这个东西不好用，太让人失望了", "general"),
        ("餐厅的套餐里吃出了头发，服务员还不承认", "general"),
        ("健身房老板跑路了，私教课还没上完", "general"),
        ("我花了10000元买的课程，机构不给退", "general"),
    ],
)
def test_industry_is_detected_from_the_text(text: str, expected: str) -> None:
    assert _industry(text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        ("在银行柜台让理财经理推荐买了基金，亏了三成", "banking", "银行代销的基金，投诉对象是银行"),
        ("在证券公司开户买的基金，赎回一直不到账", "securities", "券商渠道的基金属证券"),
        ("去银行营业厅办业务排了两个小时", "banking", "银行营业厅"),
        ("去移动营业厅办业务排了两个小时", "telecom", "运营商营业厅"),
        ("营业厅的人一直推销新套餐", "telecom", "营业厅默认指运营商"),
        ("接到电信诈骗电话被骗了五万，银行不给止付", "banking", "电信诈骗不是电信投诉"),
        ("接到电信诈骗电话，差点被骗", "general", "只有电信诈骗一词，不归电信"),
        ("银行理财经理把保险说成是存款，让我买了", "banking", "银保代销：投诉银行的销售行为"),
        ("我要发抖音曝光你们", "general", "发抖音是曝光渠道，不是电商购物"),
        ("转账10000元后对方说没收到", "banking", "10000 元不是 10000 号"),
        ("移动硬盘买回来就坏了", "general", "移动硬盘不是中国移动"),
        ("商场客流量太大，排队两小时", "general", "客流量不是手机流量"),
        ("视频会员年费自动扣了", "general", "会员年费不是信用卡年费"),
        ("物业不公示维修基金使用情况", "general", "维修基金不是证券基金"),
        ("京东白条逾期上征信了", "banking", "京东白条是消费信贷：征信、逾期胜过平台名"),
        ("保险柜的锁坏了", "general", "保险柜不是保险"),
    ],
)
def test_ambiguous_words_follow_their_context(text: str, expected: str, why: str) -> None:
    assert _industry(text) == expected, why


@pytest.mark.parametrize(
    ("declared", "text"),
    [
        ("insurance", "信用卡年费乱收，银行不给退"),
        ("banking", "这个东西不好用"),
        ("general", "套餐流量话费全乱扣"),
        ("telecom", "淘宝商家不给退货"),
    ],
)
def test_declared_industry_is_kept_and_said(declared: str, text: str) -> None:
    industry, reasons = detect_industry(make_doc(Complaint(text=text, industry=declared)))
    assert industry == declared
    assert "已标注" in reasons[0]


def test_declared_industry_that_disagrees_with_the_words_gets_a_hint() -> None:
    _, reasons = detect_industry(make_doc(Complaint(text="信用卡年费乱收，支行不给退", industry="insurance")))
    assert any("银行" in r and "信用卡" in r for r in reasons)


def test_reasons_name_the_deciding_words_and_the_runner_up() -> None:
    industry, reasons = detect_industry(make_doc(Complaint(text="信用卡还款日被扣了保险费，保单我从没签过")))
    assert industry in {"banking", "insurance"}
    assert "「" in reasons[0] and "得分" in reasons[0]
    assert any(r.startswith("也涉及") for r in reasons)


def test_reassignment_is_explained() -> None:
    _, reasons = detect_industry(make_doc(Complaint(text="在银行买的基金亏了")))
    assert any("「基金」与「银行」同句" in r for r in reasons)


def test_general_says_why() -> None:
    industry, reasons = detect_industry(make_doc(Complaint(text="东西不好用")))
    assert industry == "general"
    assert reasons and "通用消费" in reasons[0]


def test_title_counts_for_the_industry() -> None:
    assert _industry("你们的人一直不给解决", title="宽带断网投诉") == "telecom"


# ------------------------------------------------------------------------------------ products


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        ("我的白金卡被收了年费", {}, ["信用卡"]),
        ("理财经理推荐的理财产品亏了", {}, ["理财产品"]),
        ("房贷还没还完，信用卡又逾期了", {}, ["房贷", "信用卡"]),
        ("我的贷款就是那笔房贷", {}, ["房贷"]),
        ("这份保险就是去年买的重疾险", {}, ["重疾险"]),
        ("餐厅的套餐有问题", {}, []),
        ("移动的5G套餐太贵，流量包也乱扣", {}, ["套餐", "流量包"]),
        ("寬頻斷網三天，話費照扣", {}, ["宽带"]),
        ("我在银行买的基金和大额存单", {}, ["基金", "大额存单"]),
        ("基金经理换了人", {}, []),
        ("医疗险不赔", {"product": "重疾险"}, ["重疾险", "医疗险"]),
        ("年费乱收", {"product": "白金卡"}, ["信用卡"]),
        ("年费乱收", {"product": "某某联名白金信用卡"}, ["某某联名白金信用卡"]),
        ("信用卡年费乱收", {"product": "信用卡"}, ["信用卡"]),
        ("信用卡副卡被收年费", {}, ["信用卡"]),
        ("我的副卡停机了，话费还在扣", {}, ["手机号码"]),
        ("美容院的次卡不给退", {}, ["预付卡"]),
        ("我家的存折被冻结了", {}, ["存款"]),
        ("业务员推销的养老储蓄险", {}, ["年金险"]),
    ],
)
def test_products_are_canonical_deduplicated_and_in_order(
    text: str, fields: dict[str, Any], expected: list[str]
) -> None:
    assert detect_products(_doc(text, **fields)) == expected


def test_alias_table_maps_customer_words_to_one_name() -> None:
    assert canonical_product("白金卡") == "信用卡"
    assert canonical_product("储蓄卡") == "借记卡"
    assert canonical_product("不认识的产品") == "不认识的产品"


def test_vocabulary_data_is_consistent() -> None:
    for row in entries("industries", "term"):
        assert row["industry"] in INDUSTRIES, row
        assert row["weight"] > 0, row
    for row in entries("industries", "product"):
        assert row["industry"] in INDUSTRIES, row
        assert set(row.get("only_in", [])) <= set(INDUSTRIES), row
    for row in entries("industries", "reassign"):
        assert row["to"] in INDUSTRIES, row


def test_docs_describe_every_industry_and_the_threshold() -> None:
    from pathlib import Path

    from kesu.analysis.lexicon import load_table

    doc = (Path(__file__).resolve().parents[2] / "docs" / "industries.md").read_text(encoding="utf-8")
    for key in INDUSTRIES:
        assert f"| {key} " in doc, key
    assert f"reaches **{load_table('industries')['settings']['min_score']:g}**" in doc
    for row in entries("industries", "reassign"):
        assert row["term"] in doc, row["term"]
