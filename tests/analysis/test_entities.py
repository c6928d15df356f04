"""Entities: dates, organisations, staff, masked personal numbers, amounts and products."""

from __future__ import annotations

import json

import pytest

from kesu.analysis import Complaint, analyze
from kesu.analysis.amounts import find_amounts
from kesu.analysis.doc import make_doc
from kesu.analysis.entities import extract_entities
from kesu.analysis.types import Entities

RECEIVED = "2026-11-20T10:00:00+08:00"  # a Friday


def entities(text: str, received_at: str | None = RECEIVED, products: list[str] | None = None) -> Entities:
    doc = make_doc(Complaint(text=text, received_at=received_at))
    return extract_entities(doc, find_amounts(doc), products or [])


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026年3月5日去的网点", "2026-03-05"),
        ("3月5号去的网点", "2026-03-05"),
        ("2026-03-05去的网点", "2026-03-05"),
        ("2026/3/5去的网点", "2026-03-05"),
        ("3.5号去的网点", "2026-03-05"),
        ("二〇二六年三月五日去的网点", "2026-03-05"),
        ("昨天去的网点", "2026-11-19"),
        ("前天去的网点", "2026-11-18"),
        ("大前天去的网点", "2026-11-17"),
        ("上周三去的网点", "2026-11-11"),
        ("上星期五去的网点", "2026-11-13"),
        ("这周一去的网点", "2026-11-16"),
        ("周三去的网点", "2026-11-18"),
        ("上个月10号扣的费", "2026-10-10"),
        ("本月3号扣的费", "2026-11-03"),
        ("3号扣的费", "2026-11-03"),
        ("25号扣的费", "2026-10-25"),  # later than the day received: last month
        ("去年12月30日办的卡", "2025-12-30"),
        ("三天前扣的费", "2026-11-17"),
        ("12月30日办的卡", "2025-12-30"),  # after the day received: last year
        ("今天上午又被扣了", "2026-11-20"),
    ],
)
def test_dates_are_resolved_to_iso(text, date):
    assert entities(text).dates == [date]


@pytest.mark.parametrize("text", ["昨天去的网点", "上周三去的网点", "3号扣的费", "3月5号去的网点"])
def test_relative_dates_need_the_received_time(text):
    assert entities(text, received_at=None).dates == []


@pytest.mark.parametrize(
    "text",
    ["2026年3月被扣费", "最近老是扣费", "3号楼的网点", "等了3天", "我一点都不满意", "每月3000元的工资"],
)
def test_no_date_when_no_single_day(text):
    assert entities(text).dates == []


@pytest.mark.parametrize(
    ("text", "orgs"),
    [
        ("我在工商银行朝阳支行办业务", ["工商银行朝阳支行"]),
        ("我去了你们营业厅", ["营业厅"]),
        ("中国移动营业厅的客服", ["中国移动营业厅"]),
        ("人保财险北京分公司拒赔", ["人保财险北京分公司"]),
        ("打了信用卡中心的电话", ["信用卡中心"]),
        ("在京东买的", ["京东"]),
        ("投诉朝阳支行的大堂经理", ["朝阳支行"]),
        ("在朝陽支行辦業務", ["朝陽支行"]),  # Traditional: the original wording is kept
        ("我在手机银行APP上买的", []),  # an app is a channel (dimensions.place), not an organisation
        ("你们公司太差了", []),
    ],
)
def test_organisations(text, orgs):
    assert entities(text).orgs == orgs


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("大堂经理态度很差", ["大堂经理"]),
        ("朝阳支行王经理说可以免年费", ["王经理"]),
        ("找李行长反映过", ["李行长"]),
        ("业务员和快递员都不管", ["业务员", "快递员"]),
        ("工号8023的客服挂我电话", ["工号8023", "客服"]),
        ("理财经理忽悠我买的", ["理财经理"]),
        ("我向经理反映过", ["经理"]),  # 向 is a preposition here, not a surname
        ("保险代理人上门推销", ["保险代理人"]),
    ],
)
def test_people(text, people):
    assert entities(text).people == people


def test_personal_numbers_are_masked_and_never_leak():
    text = "我的电话13800001234，身份证110101199003071234，卡号6222020012345678901，扣了300元"
    found = entities(text)
    assert found.phones == ["138****1234"]
    assert found.id_numbers == ["110***********1234"]
    assert found.cards == ["6222***********8901"]
    assert found.amounts == [300.0]
    out = json.dumps(analyze(Complaint(text=text)).to_dict(), ensure_ascii=False)
    for raw in ("13800001234", "110101199003071234", "6222020012345678901"):
        assert raw not in out


def test_amounts_are_distinct_values_in_order():
    assert entities("扣了300元，又扣了50元，还是300元").amounts == [300.0, 50.0]


def test_products_merge_the_industry_module_and_the_declared_product():
    doc = make_doc(Complaint(text="信用卡年费", product="信用卡"))
    assert extract_entities(doc, [], ["信用卡", "分期"]).products == ["信用卡", "分期"]
