"""Personal numbers: found in every common writing and masked; look-alikes are left alone."""

from __future__ import annotations

import json

import pytest

from kesu.analysis import Complaint, analyze
from kesu.analysis.pii import find_pii, mask_text


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
