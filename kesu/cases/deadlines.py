"""Reply deadlines (答复期限): when the complainant must have the organisation's decision.

Pure: no Django, no database, no clock — the time of receipt is a parameter. This is a first,
fixed rule by industry, counted in calendar days from receipt; the regulatory clocks (configurable
rule sets, working-day calendars, extensions with approval, pauses) will replace it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

REPLY_DAYS: dict[str, int] = {
    "banking": 15,
    "insurance": 15,
    "securities": 15,
    "telecom": 30,
    "ecommerce": 15,
    "general": 15,
}
"""Calendar days from receipt to the reply target, by industry.

Sources (the rule each number follows):
- banking, insurance: 《银行保险机构消费投诉处理管理办法》(银保监会令 2020 年第 3 号) 第十八条 —
  a decision within 15 days of receiving the complete complaint (extensions for complex cases,
  with approval, are not modelled here).
- securities: the same 15-day target as banking and insurance, as a working assumption — the
  securities rules in force are to be confirmed by the regulatory clocks issue.
- telecom: 《电信用户申诉处理办法》(工业和信息化部令第 35 号) — a reply within 30 days.
- ecommerce, general: 《市场监督管理投诉举报处理暂行办法》 counts 7 working days for the 12315
  acceptance decision; as a reply target we use 15 calendar days until working days are modelled.
"""
DEFAULT_REPLY_DAYS = 15
"""For a case whose industry is not recorded (or unknown): the general target."""


def reply_days(industry: str) -> int:
    """The number of calendar days allowed for the reply in `industry`."""
    return REPLY_DAYS.get(industry or "", DEFAULT_REPLY_DAYS)


def default_due(industry: str, received_at: datetime) -> datetime:
    """The reply deadline of a complaint of `industry` received at `received_at`.

    Calendar days after the moment of receipt, in the same time zone as `received_at`.
    """
    return received_at + timedelta(days=reply_days(industry))
