"""Intake checks (pure: no Django): required elements, attachments, and text similarity.

The required elements follow the banking and insurance complaint rules (docs regulations.md):
who complains and how to reach them, an agent's signed power of attorney, whom the complaint is
about, what is asked, and the main facts and grounds. Missing elements are flagged, never used to
refuse a complaint at the counter: the handler completes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

ATTACHMENT_KINDS: dict[str, str] = {
    "recording": "录音",
    "photo": "照片",
    "document": "书面材料",
    "signed_record": "签字记录",
    "power_of_attorney": "授权委托书",
    "other": "其他",
}
_DOCS = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"})
_AUDIO = frozenset(
    {"audio/mpeg", "audio/mp4", "audio/wav", "audio/x-wav", "audio/amr", "audio/ogg", "audio/aac"}
)
_TEXT = frozenset({"text/plain"})
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    "recording": _AUDIO,
    "photo": _IMAGES,
    "document": _DOCS | _IMAGES | _TEXT,
    "signed_record": _DOCS | _IMAGES,
    "power_of_attorney": _DOCS | _IMAGES,
    "other": _DOCS | _IMAGES | _AUDIO | _TEXT,
}


@dataclass(frozen=True)
class Elements:
    """What was recorded at intake (empty string: not recorded)."""

    channel: str = ""
    received_at: str = ""
    complainant_name: str = ""
    complainant_phone: str = ""
    on_behalf: bool = False
    agent_name: str = ""
    power_of_attorney: bool = False
    respondent: str = ""
    request: str = ""
    facts: str = ""
    grounds: str = ""


@dataclass(frozen=True)
class Missing:
    key: str
    message: str


def _blank(value: str) -> bool:
    return not value.strip()


def missing_elements(e: Elements) -> list[Missing]:
    """The legally required intake elements that are missing, each with a plain Chinese note."""
    checks = (
        ("channel", _blank(e.channel), "未记录投诉渠道（电话、柜面、网络、信函、监管转办等）"),
        ("received_at", _blank(e.received_at), "未记录收到投诉的时间，处理时限无法起算"),
        ("complainant_name", _blank(e.complainant_name), "缺少投诉人姓名或名称"),
        ("complainant_phone", _blank(e.complainant_phone), "缺少投诉人联系方式，无法告知处理结果"),
        ("agent_name", e.on_behalf and _blank(e.agent_name), "代为投诉：请记录代理人姓名"),
        (
            "power_of_attorney",
            e.on_behalf and not e.power_of_attorney,
            "代为投诉：须提供经投诉人签字的授权委托书，否则可不予受理",
        ),
        ("respondent", _blank(e.respondent), "未写明被投诉的机构或工作人员"),
        ("request", _blank(e.request), "未写明投诉请求（诉求）"),
        ("facts", _blank(e.facts), "未写明主要事实"),
        ("grounds", _blank(e.grounds), "未写明投诉理由"),
    )
    return [Missing(key, message) for key, missing, message in checks if missing]


def attachment_problem(kind: str, content_type: str, size: int, max_bytes: int) -> str | None:
    """Why this attachment cannot be accepted, in Chinese; None when it can."""
    if kind not in ATTACHMENT_KINDS:
        return f"未知附件类型「{kind}」，可选：{'、'.join(ATTACHMENT_KINDS.values())}"
    if size <= 0:
        return "附件为空文件"
    if size > max_bytes:
        return f"附件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB"
    if content_type.split(";")[0].strip().lower() not in ALLOWED_TYPES[kind]:
        return f"{ATTACHMENT_KINDS[kind]}不接受该文件格式（{content_type or '未知'}）"
    return None


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace() and c not in "，。！？、；：,.!?;:\"'“”‘’（）()"]
    return {a + b for a, b in pairwise(chars)}


def text_similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams (0–1): robust for Chinese without segmentation."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))
