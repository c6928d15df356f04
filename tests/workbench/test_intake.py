"""Intake checks (pure): required elements in plain Chinese, attachments, similarity, masking."""

from __future__ import annotations

import pytest

from kesu.cases.intake import Elements, attachment_problem, missing_elements, text_similarity
from kesu.cases.masking import mask_id_number, mask_name, mask_phone

COMPLETE = Elements(
    channel="phone", received_at="2026-11-20T10:00:00+08:00", complainant_name="张测试",
    complainant_phone="13800001234", respondent="浦东支行", request="退还年费", facts="被扣年费", grounds="未告知",
)  # fmt: skip


def test_complete_intake_has_nothing_missing() -> None:
    assert missing_elements(COMPLETE) == []


@pytest.mark.parametrize(
    ("field", "value", "key", "words"),
    [
        ("complainant_phone", "", "complainant_phone", "联系方式"),
        ("complainant_name", "", "complainant_name", "姓名"),
        ("respondent", "", "respondent", "被投诉的机构或工作人员"),
        ("request", " ", "request", "投诉请求"),
        ("facts", "", "facts", "主要事实"),
        ("grounds", "", "grounds", "投诉理由"),
        ("channel", "", "channel", "渠道"),
        ("received_at", "", "received_at", "时限"),
    ],
)
def test_each_missing_element_is_flagged(field: str, value: str, key: str, words: str) -> None:
    from dataclasses import replace

    missing = missing_elements(replace(COMPLETE, **{field: value}))
    assert [m.key for m in missing] == [key]
    assert words in missing[0].message


def test_agent_needs_name_and_signed_power_of_attorney() -> None:
    from dataclasses import replace

    keys = [m.key for m in missing_elements(replace(COMPLETE, on_behalf=True))]
    assert keys == ["agent_name", "power_of_attorney"]
    ok = replace(COMPLETE, on_behalf=True, agent_name="李代理", power_of_attorney=True)
    assert missing_elements(ok) == []


@pytest.mark.parametrize(
    ("kind", "content_type", "size", "problem"),
    [
        ("recording", "audio/mpeg", 1000, None),
        ("photo", "image/jpeg; charset=binary", 1000, None),
        ("power_of_attorney", "application/pdf", 1000, None),
        ("recording", "application/x-msdownload", 1000, "不接受该文件格式"),
        ("photo", "image/png", 0, "空文件"),
        ("photo", "image/png", 11 * 1024 * 1024, "附件过大"),
        ("video", "video/mp4", 100, "未知附件类型"),
    ],
)
def test_attachment_type_and_size(kind: str, content_type: str, size: int, problem: str | None) -> None:
    found = attachment_problem(kind, content_type, size, max_bytes=10 * 1024 * 1024)
    assert found == problem if problem is None else problem in (found or "")


def test_similar_complaints_score_high_and_different_ones_low() -> None:
    a = "信用卡被扣了300元年费，办卡时没人告诉我要收年费，请退还。"
    b = "我的信用卡被扣了300元年费，办卡时没有人告诉我，要求退还年费。"
    c = "宽带搬家注销要交违约金，营业厅没说有合约期。"
    assert text_similarity(a, b) > 0.5
    assert text_similarity(a, c) < 0.2
    assert text_similarity("", a) == 0.0


@pytest.mark.parametrize(
    ("func", "raw", "shown"),
    [
        (mask_name, "张三", "张*"),
        (mask_name, "王小明", "王*明"),
        (mask_name, "欧阳明华", "欧**华"),
        (mask_name, "", ""),
        (mask_phone, "13800001234", "138****1234"),
        (mask_phone, "138-0000-1234", "138****1234"),
        (mask_id_number, "110101199001011234", "110***********1234"),
        (mask_id_number, "", ""),
    ],
)
def test_masking(func: object, raw: str, shown: str) -> None:
    assert func(raw) == shown  # type: ignore[operator]
