"""The five dimensions (seed 003): time, place, people, event and emotion."""

from __future__ import annotations

import pytest

from kesu.analysis import Complaint, analyze
from kesu.analysis.amounts import find_amounts
from kesu.analysis.dimensions import extract_dimensions, find_event
from kesu.analysis.doc import make_doc
from kesu.analysis.entities import extract_entities, find_times
from kesu.analysis.types import Dimensions, Emotion


def dims(text: str) -> Dimensions:
    doc = make_doc(Complaint(text=text))
    found = extract_entities(doc, find_amounts(doc), [])
    return extract_dimensions(doc, found, Emotion(label="anger", intensity=0.7, reasons=[]))


def event(text: str) -> str:
    return find_event(make_doc(Complaint(text=text)))


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("上周三我去网点办业务", ["上周三"]),
        ("昨天下午3点打的电话", ["昨天下午3点"]),
        ("2026年3月开始扣费", ["2026年3月"]),
        ("2026年3月5日和上个月10号各扣了一次", ["2026年3月5日", "上个月10号"]),
        ("前几天又被扣了", ["前几天"]),
        ("三天前打过客服", ["三天前"]),
        ("今天上午9点35分APP卡了", ["今天上午9点35分"]),
        ("上週三去的網點", ["上週三"]),  # Traditional: quoted as written
        ("请于15日内答复", []),  # a period, not a point in time
        ("近一月接到四十个推销电话", []),
        ("我一点都不满意", []),
        ("3号楼的网点", []),
    ],
)
def test_time_expressions_are_quoted_as_written(text, times):
    assert dims(text).time == times
    for t in find_times(make_doc(Complaint(text=text))):
        assert text[t.start : t.end] == t.text


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("在朝阳支行办的卡", ["朝阳支行"]),
        ("在手机银行APP上买的理财", ["手机银行APP"]),
        ("网银转账失败", ["网银"]),
        ("在柜台办理的", ["柜台"]),
        ("ATM吞了我的卡", ["ATM"]),
        ("去了你们营业厅，又打了客服", ["营业厅"]),
        ("根据《商业银行法》第三十三条", []),
    ],
)
def test_place(text, place):
    assert dims(text).place == place


def test_people_are_staff_not_transcript_speakers():
    text = "坐席：您好。\n客户：你们大堂经理和王经理都不管！"
    assert dims(text).people == ["大堂经理", "王经理"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你们乱扣我年费，要求退还", "乱扣年费"),
        ("我的信用卡被降额了，请尽快恢复", "信用卡被降额"),
        ("上周三我去朝阳支行，结果大堂经理态度很差", "大堂经理态度很差"),
        ("我妈被你们的理财经理忽悠买了保险", "理财经理忽悠买了保险"),
        ("理赔被拒，我要求赔付", "理赔被拒"),
        ("七天内申请退货，商家一直不给退货", "商家一直不给退货"),
        ("結果這個月扣了我300元年費", "扣了300元年費"),
        ("我的账户莫名其妙被冻结了", "账户莫名其妙被冻结"),
    ],
)
def test_event_is_the_problem_clause_trimmed(text, expected):
    assert event(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我邻居之前理赔被拒，我的情况不一样",  # somebody else's story
        "坐席：您好，我们马上为您处理被扣费的问题",  # the agent's line
        "根据《保险法》，拒赔要有依据",  # a quoted rule
    ],
)
def test_event_ignores_other_peoples_stories_agent_lines_and_laws(text):
    assert event(text) == ""


def test_event_is_short_and_reads_after_tousu_in_the_summary():
    text = "上周三我去朝阳支行，大堂经理说信用卡年费可以免，结果这个月扣了我300元年费，要求退还。"
    result = analyze(Complaint(text=text, product="信用卡")).to_dict()
    assert result["dimensions"]["event"] == "扣了300元年费"
    assert len(result["dimensions"]["event"]) <= 30
    assert result["summary"].startswith("客户就信用卡投诉扣了300元年费")


def test_emotion_is_passed_through_and_every_dimension_present():
    found = dims("昨天在营业厅被客服骂了")
    assert found.emotion == "anger"
    assert found.time == ["昨天"]
    assert found.place == ["营业厅"]
    assert found.people == ["客服"]
    assert "骂" in found.event
