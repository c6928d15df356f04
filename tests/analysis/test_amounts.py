"""Money amounts: every way customers write them, and the numbers that are not money."""

from __future__ import annotations

import random
import re

import pytest

from kesu.analysis.amounts import _APPROX, _ARABIC, _CN, _CN_UNITS, _RUN, find_amounts, parse_number
from kesu.analysis.doc import make_doc
from kesu.analysis.types import Complaint


def amounts(text: str) -> list[float]:
    return [a.value for a in find_amounts(make_doc(Complaint(text=text)))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("年费¥3,000被扣", 3000),
        ("收了我￥3000", 3000),
        ("被扣3000元", 3000),
        ("被扣3000块", 3000),
        ("被扣3000块钱", 3000),
        ("被扣三千元", 3000),
        ("被扣三千块", 3000),
        ("被扣了3k", 3000),
        ("花了3K", 3000),
        ("亏了3万", 30000),
        ("亏了3w", 30000),
        ("借了一万五", 15000),
        ("存了一万五千元", 15000),
        ("损失1.5万元", 15000),
        ("花了两千八", 2800),
        ("两千八百元的手机", 2800),
        ("十万元的理财", 100000),
        ("二十多万的保险", 200000),
        ("扣了五百", 500),
        ("扣了五佰元", 500),
        ("人民币壹万伍仟元整", 15000),
        ("RMB 300", 300),
        ("rmb300", 300),
        ("退还300.50元", 300.5),
        ("理财亏了12万8", 128000),
        ("扣了300", 300),
        ("退我300", 300),
        ("亏了三万", 30000),
        ("扣了300年费", 300),
        ("年费300元", 300),
        ("被扣３００元", 300),  # full-width digits
        ("十五元", 15),
        ("一万零五元", 10005),
        ("一亿两千万元", 120_000_000),
        ("兩千塊", 2000),  # Traditional
        ("两三千块", 2000),
        ("3000多元", 3000),
        ("50美元", 50),
        ("扣了我两次年费，每次300", 300),
        ("一直是58的套餐", 58),
        ("余额还有三块二毛", 3.2),
        ("退我3元5角", 3.5),
        ("扣了5毛钱", 0.5),
        ("借了1w2", 12000),
        ("月薪3k5", 3500),
        ("我要全额退，两万四一分都不能少", 24000),  # the 一 of 一分 is not part of the number
        ("钱不多，129块", 129),  # a number right after a comma
        ("十二万的装修款", 120000),
        ("赔付30万保险金", 300000),
        ("买的时候一千五。", 1500),
    ],
)
def test_money_in_every_form(text, expected):
    assert amounts(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "我的电话13800001234",
        "2026年3月5号去的",
        "3号去的网点",
        "下午3点到的",
        "打了三次电话",
        "等了3天",
        "拖了两个月",
        "我八十岁了",
        "我要打12378",
        "我要打12378投诉",
        "利率百分之三十",
        "涨了30%",
        "尾号1234的卡",
        "第3期账单",
        "我们一块去网点",
        "一分钱都不退",
        "一块钱都没退",
        "十万火急",
        "千万别买",
        "万一出事",
        "我们一共3个人",
        "扣了一大笔",
        "3kg的包裹",
        "3万人都知道",
        "排了2小时队",
        "订单号20261105",
        "卡号6222020012345678901",
        "打了8折",
        "地板烤焦了一块。",
        "一毛钱都不给",
        "我说了一千遍",
        "三千多人排队",
    ],
)
def test_numbers_that_are_not_money(text):
    assert amounts(text) == []


@pytest.mark.parametrize(
    ("raw", "value", "approx"),
    [
        ("一万五", 15000, False),
        ("12万8", 128000, False),
        ("两千八", 2800, False),
        ("三百五", 350, False),
        ("十万", 100000, False),
        ("二十多万", 200000, True),
        ("一两万", 10000, True),
        ("3万500", 30500, False),
        ("1,234.5", 1234.5, False),
        ("壹仟贰佰", 1200, False),
    ],
)
def test_parse_number(raw, value, approx):
    assert parse_number(raw) == (value, approx)


@pytest.mark.parametrize("raw", ["一一", "三四五"])
def test_parse_number_rejects_non_numbers(raw):
    assert parse_number(raw) is None


def test_several_amounts_in_order_with_offsets_into_the_original():
    text = "上月扣了我300元年費，又收了五十塊手續費，總共損失三百五十元"
    found = find_amounts(make_doc(Complaint(text=text)))
    assert [a.value for a in found] == [300, 50, 350]
    for a in found:
        assert text[a.start : a.end] == a.evidence


def test_approximate_amount_is_flagged():
    (found,) = find_amounts(make_doc(Complaint(text="亏了二十多万")))
    assert found.value == 200000
    assert found.approximate


def test_number_runs_match_the_straightforward_pattern():
    """`_RUN` is a faster spelling of the pattern in its comment: the same runs, always."""
    units = "".join(_CN_UNITS)
    plain = re.compile(
        rf"(?<![\d{_CN}{units}])(?<!\d[.,])(?:{_ARABIC}|[{_CN}十拾])(?:{_ARABIC}|[{_CN}{units}{_APPROX}])*"
        r"(?:\s?[kw](?![a-z])\d?)?"
    )
    rng = random.Random(7)
    alphabet = "0123456789,.  kwa一二两十百千万亿多余几零〇元块号٣"
    texts = ["1,000,000.5元", "3.1,200", "a1,200", "2,0003", "x,123,456.7", "0.5.5", "十拾", "٣٤"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    for text in texts:
        assert [m.span() for m in _RUN.finditer(text)] == [m.span() for m in plain.finditer(text)], text
