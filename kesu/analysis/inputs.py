"""Turning untrusted input (a JSON object) into a `Complaint`, with a clear Chinese error."""

from __future__ import annotations

import re
from typing import Any

from kesu.analysis.types import CHANNELS, INDUSTRIES, MAX_TEXT_CHARS, Complaint, CustomerInfo, InputError


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int):
        raise InputError(f"字段 {key} 应为字符串")
    return str(value)


def _int(data: dict[str, Any], key: str, default: int | None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"字段 customer.{key} 应为非负整数")
    return int(value)


def _customer(raw: Any) -> CustomerInfo:
    if raw is None:
        return CustomerInfo()
    if not isinstance(raw, dict):
        raise InputError("字段 customer 应为对象")
    vip = raw.get("vip", False)
    if not isinstance(vip, bool):
        raise InputError("字段 customer.vip 应为 true 或 false")
    return CustomerInfo(
        prior_complaints=_int(raw, "prior_complaints", 0) or 0,
        prior_malicious_confirmed=_int(raw, "prior_malicious_confirmed", 0) or 0,
        age=_int(raw, "age", None),
        vip=vip,
    )


def check_text(text: Any, *, what: str = "投诉内容") -> str:
    """The text itself, or an InputError saying what is wrong with it (`what`: 投诉内容 / 答复内容)."""
    if not isinstance(text, str):
        raise InputError(f"缺少{what}：字段 text 必填，且应为字符串")
    if not text.strip():
        raise InputError(f"{what}为空：请填写 text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{what}过长：{len(text)} 字，上限 {MAX_TEXT_CHARS} 字，请拆分后再处理")
    if "\x00" in text or _control_ratio(text) > 0.1:
        raise InputError(f"{what}含有大量不可见控制字符，疑似二进制数据，无法处理")
    return text


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def _control_ratio(text: str) -> float:
    """Share of control characters and U+FFFD (undecodable bytes): high for binary garbage."""
    return len(_CONTROL.findall(text)) / len(text)


def complaint_from_dict(data: Any) -> Complaint:
    """Validate one input object (contract.md) and build the Complaint."""
    if not isinstance(data, dict):
        raise InputError('每行应为一个 JSON 对象，例如 {"text": "……"}')
    text = check_text(data.get("text"))
    channel = _optional_str(data, "channel")
    if channel is not None and channel not in CHANNELS:
        raise InputError(f"未知渠道 channel={channel!r}，可选：{'、'.join(CHANNELS)}")
    industry = _optional_str(data, "industry")
    if industry is not None and industry not in INDUSTRIES:
        raise InputError(f"未知行业 industry={industry!r}，可选：{'、'.join(INDUSTRIES)}")
    return Complaint(
        text=text,
        id=_optional_str(data, "id"),
        title=_optional_str(data, "title"),
        channel=channel,
        industry=industry,
        received_at=_optional_str(data, "received_at"),
        customer=_customer(data.get("customer")),
        product=_optional_str(data, "product"),
    )
