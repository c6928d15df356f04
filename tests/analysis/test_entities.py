"""Entities: dates, organisations, staff, masked personal numbers, amounts and products."""

from __future__ import annotations

import json
import random
import re

import pytest

from kesu.analysis import Complaint, analyze
from kesu.analysis.amounts import find_amounts
from kesu.analysis.doc import make_doc
from kesu.analysis.entities import (
    _PIECE,
    _PIECE_KINDS,
    _PIECE_OPENING,
    _PIECE_START,
    _alternation,
    _org_words,
    _people_words,
    _terms,
    extract_entities,
)
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


def test_the_opening_check_of_time_pieces_loses_no_piece():
    """`_PIECE_OPENING` only saves work: pieces are found exactly as without it."""
    plain = re.compile(f"(?=[{_PIECE_START}])(?:{_PIECE_KINDS})")
    opening = re.compile(_PIECE_OPENING)
    texts = ["2023-05-01", "二〇二三年五月一日", "2023年了", "5.1号", "去年3月5号"]
    texts += ["上上个月3号", "10:30", "三天前"]
    rng = random.Random(3)
    alphabet = "0123456789٣:.-/ 一二三四五六七八九十两〇零去今前明上这本下周星礼大昨当后最近年月节春国凌早中傍晚夜半深几"
    alphabet += "个日号天期拜点时分初底末旬午次晨些段阵庆里多左右以之每费楼"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 8))) for _ in range(20_000)]
    kinds: set[str] = set()
    for text in texts:
        found = [(m.span(), m.groupdict()) for m in _PIECE.finditer(text)]
        assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)], text
        for i in range(len(text)):
            piece = plain.match(text, i)
            if piece:
                assert opening.match(text, i), text[i:]
                kinds |= {k for k, v in piece.groupdict().items() if v}
    assert kinds == set(_PIECE.groupindex)  # every kind of piece was tried


@pytest.mark.parametrize(("key", "kind"), [("org", "suffix"), ("org", "name"), ("role", "role")])
def test_word_lists_are_found_as_by_one_alternation(key, kind):
    """Organisation and staff words come from the shared scan, with what one alternation of the
    words (longest first) finds: leftmost, then longest, no overlaps."""
    words = _terms("entities", key, kind)
    plain = re.compile(_alternation(words))
    matcher = {"suffix": _org_words().suffix, "name": _org_words().names, "role": _people_words().roles}[kind]
    rng = random.Random(11)
    pieces = words + [w[: len(w) // 2] for w in words] + [w[len(w) // 2 :] for w in words] + ["的", "我", " "]
    for _ in range(3_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        found = [(m.start(), m.end()) for m in plain.finditer(text)]
        assert [(h.start, h.end) for h in matcher.finditer(text)] == found, text
