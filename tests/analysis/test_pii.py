"""Personal numbers: found in every common writing and masked; look-alikes are left alone."""

from __future__ import annotations

import json
import random
import re

import pytest

from kesu.analysis import Complaint, analyze
from kesu.analysis.pii import _PATTERNS, find_pii, mask_text


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        ("手机13800001234", "phone", "138****1234"),
        ("手机138-0000-1234", "phone", "138****1234"),
        ("手机138 0000 1234", "phone", "138****1234"),
        ("手机+86 138 0000 1234", "phone", "138****1234"),
        ("手机１３８００００１２３４", "phone", "138****1234"),  # full-width digits
        ("座机010-12345678", "phone", "010****5678"),
        ("座机(010)12345678", "phone", "010****5678"),
        ("座机0755 12345678", "phone", "075*****5678"),
        ("身份证110101199003071234", "id_number", "110***********1234"),
        ("身份证11010119900307123X", "id_number", "110***********123X"),
        ("老身份证110101900307123", "id_number", "110********7123"),
        ("卡号6222020012345678901", "card", "6222***********8901"),
        ("卡号6222 0200 1234 5678 901", "card", "6222***********8901"),
        ("卡号4367-4200-1234-5678", "card", "4367********5678"),
    ],
)
def test_numbers_are_found_and_masked(text, kind, masked):
    (found,) = find_pii(text)
    assert (found.kind, found.masked) == (kind, masked)
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits not in mask_text(text).replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    "text",
    ["订单号123456789012345", "扣了3000元", "打12378投诉", "2026年3月5日", "尾号1234的卡", "95588客服"],
)
def test_look_alikes_are_not_personal_numbers(text):
    assert find_pii(text) == []


def test_no_field_of_the_analysis_quotes_a_raw_number_from_my_parts():
    text = "我的电话13800001234被停机了，卡号6222020012345678901也被冻结，要求退款，联系13800001234"
    result = analyze(Complaint(text=text)).to_dict()
    mine = json.dumps({k: result[k] for k in ("demands", "dimensions", "entities")}, ensure_ascii=False)
    assert "13800001234" not in mine
    assert "6222020012345678901" not in mine
    assert result["entities"]["phones"] == ["138****1234"]
    assert result["entities"]["cards"] == ["6222***********8901"]


def test_patterns_match_as_their_look_behind_first_forms():
    """Each pattern of `_PATTERNS` is a faster spelling of the plain form here: same matches."""
    sep = r"[ \-]?"
    plain = [
        re.compile(
            r"(?<![0-9a-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9x](?![0-9a-z])",
            re.I,
        ),
        re.compile(r"(?<!\d)(?:[3-6]\d{3}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{1,3})?)(?!\d)"),
        re.compile(rf"(?<!\d)(?:\+?86{sep})?1[3-9]\d{sep}\d{{4}}{sep}\d{{4}}(?!\d)"),
        re.compile(r"(?<!\d)(?:0\d{2,3}[- ]|[(（]0\d{2,3}[)）]\s?)\d{7,8}(?!\d)"),
        re.compile(r"(?<!\d)[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)"),
    ]
    pieces = [" ", "\n", "-", "+86", "86", "8", "138", "1", "0", "010", "(010)", "（0755）", "1234"]
    pieces += ["5678", "19", "20", "6222", "x", "X", "a", "B", "٣", "电话", "110101", "19900101", "123"]
    pieces += ["11010119900101123", "0101", "1231"]
    rng = random.Random(5)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(30_000)]
    matched = [0] * len(plain)
    for text in texts:
        for i, ((_, fast), slow) in enumerate(zip(_PATTERNS, plain, strict=True)):
            found = [m.span() for m in slow.finditer(text)]
            assert [m.span() for m in fast.finditer(text)] == found, (text, slow.pattern)
            matched[i] += bool(found)
    assert min(matched) > 50  # every pattern was put to the test
