"""Request and response shapes of the JSON API (contract.md, JSON API). They feed the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class ComplainantIn(Schema):
    name: str | None = Field(None, max_length=100, description="投诉人姓名或名称")
    phone: str | None = Field(None, max_length=30, description="联系电话")
    id_number: str | None = Field(None, max_length=30, description="证件号码")


class CaseIn(Schema):
    text: str = Field(..., description="投诉内容（必填）")
    channel: str | None = Field(None, description="渠道：phone、counter、web、app、email、letter、wechat……")
    industry: str | None = Field(
        None, description="行业：banking、insurance、securities、telecom、ecommerce、general"
    )
    received_at: datetime | None = Field(None, description="收到时间（ISO 8601）；缺省为现在")
    product: str | None = Field(None, max_length=100)
    request: str | None = Field(None, description="投诉请求（诉求）")
    unit: int | str | None = Field(None, description="受理机构的 id 或机构代码；缺省为本人所属机构")
    complainant: ComplainantIn = Field(..., description="投诉人（姓名或电话至少一项）")
    title: str | None = Field(None, max_length=200)
    facts: str | None = None
    grounds: str | None = None
    respondent: str | None = Field(None, max_length=200, description="被投诉机构或人员")
    on_behalf: bool = Field(False, description="是否代为投诉")
    agent_name: str | None = Field(None, max_length=100)
    power_of_attorney: bool = Field(False, description="已提供经签字的授权委托书")
    intake_ref: str | None = Field(None, max_length=64, description="来源编号，如监管转办单号")


class TransitionIn(Schema):
    action: str = Field(
        ...,
        description=(
            "start、transfer、accept、decline、issue_notice、resolve、callback、close、reopen、withdraw、merge；"
            "以及时限与升级：escalate、deescalate、reassign、request_extension、pause_clock、resume_clock、"
            "restart_clock、promise"
        ),
    )
    version: int | None = Field(None, description="您看到的案件版本；不一致时返回 409，避免覆盖他人的修改")
    to: str | None = Field(None, description="transfer：接收人的用户名")
    into: int | None = Field(None, description="merge：合并到的案件 id")
    reason: str | None = Field(None, description="decline、reopen、withdraw：理由")
    note: str | None = None
    result: str | None = Field(None, description="issue_notice：处理结果")
    reasons: str | None = Field(None, description="issue_notice：理由")
    basis: str | None = Field(None, description="issue_notice：依据")
    redress: str | None = Field(None, description="issue_notice：救济途径")
    satisfaction: str | None = Field(
        None, description="callback：very_satisfied、satisfied、neutral、dissatisfied、unreachable"
    )
    recurred: bool | None = Field(None, description="callback：问题是否复发")
    root_cause: str | None = Field(
        None, description="close：product_technical、communication、attitude、customer_own"
    )
    controllable: bool | None = None
    internal: bool | None = None
    responsibility: str | None = None
    payout_kind: str | None = Field(None, description="close：none、goodwill（补偿）、damages（赔偿）")
    payout_amount: Decimal | None = None
    payout_basis: str | None = None
    lesson: str | None = None
    level: int | None = Field(None, description="escalate、deescalate：目标层级（0 = L1 前台，1 = L2 …）")
    clock: int | None = Field(None, description="request_extension：时限 id（见案件的 clocks）")
    day: date | None = Field(None, description="promise：承诺答复日期（YYYY-MM-DD）")


class TextIn(Schema):
    text: str
    id: str | None = None


class ClockOut(Schema):
    name: str
    due_at: str | None  # None while the clock waits for its start event (e.g. mediation before acceptance)
    state: str
    key: str
    state_label: str
    remaining: str
    percent: int
    source: str
    extensions: int
    uncertain: str


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    version: int
    owner: dict[str, Any]
    transfer_to: dict[str, Any] | None
    unit: dict[str, Any]
    complainant: dict[str, Any]
    channel: str
    industry: str
    received_at: str
    title: str
    text: str
    product: str
    respondent: str
    request: str
    risk_level: str
    analysis: dict[str, Any]
    clocks: list[ClockOut]
    missing_elements: list[dict[str, str]]
    duplicates: list[dict[str, Any]]
    actions: list[dict[str, str]]
    notices: list[dict[str, Any]]
    closure: dict[str, Any] | None
    events: list[dict[str, Any]]


class CaseSummaryOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    risk_level: str
    channel: str
    received_at: str
    owner: dict[str, Any]
    unit: dict[str, Any]
    complainant: dict[str, Any]
    excerpt: str


class CaseListOut(Schema):
    items: list[CaseSummaryOut]
    count: int


class ErrorOut(Schema):
    error: dict[str, Any]
