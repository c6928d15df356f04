"""The case and what hangs off it: complainant, decision notice, attachments, audit events.

Every write goes through `kesu.cases.services`. `Case.version` is bumped by every write and
checked by a conditional update, so two people never silently overwrite each other.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from kesu.cases import intake, workflow

CHANNELS = {
    "phone": "电话",
    "counter": "柜面",
    "web": "网站",
    "app": "手机App",
    "email": "电子邮件",
    "letter": "信函",
    "wechat": "微信",
    "regulator_transfer": "监管转办",
    "media": "媒体",
    "social": "社交平台",
    "other": "其他",
}
INDUSTRIES = {
    "banking": "银行",
    "insurance": "保险",
    "securities": "证券",
    "telecom": "电信",
    "ecommerce": "电商",
    "general": "通用",
}
RISK_LEVELS = {"routine": "一般", "elevated": "关注", "major": "重大", "crisis": "危机"}


def _choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    return list(labels.items())


class Complainant(models.Model):
    """A person or organisation who complains; several cases of one complainant form their history."""

    name = models.CharField("姓名/名称", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True, db_index=True)
    id_number = models.CharField("证件号码", max_length=30, blank=True, db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "投诉人"
        verbose_name_plural = "投诉人"

    def __str__(self) -> str:
        from kesu.cases.masking import mask_name

        return mask_name(self.name) or "（未留名）"


class Case(models.Model):
    number = models.CharField("案件编号", max_length=32, unique=True)
    intake_ref = models.CharField(
        "来源编号", max_length=64, blank=True, db_index=True, help_text="监管转办单号等外部编号"
    )
    status = models.CharField("状态", max_length=20, choices=_choices(workflow.STATUSES), default="received")
    version = models.PositiveIntegerField("版本", default=1)
    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name="受理机构", on_delete=models.PROTECT, related_name="cases"
    )
    unit_path = models.CharField(
        max_length=255,
        db_index=True,
        editable=False,
        help_text="受理机构的路径副本：按「本机构及下级」筛选时只用一个索引",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="首问受理人",
        on_delete=models.PROTECT,
        related_name="cases_received",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="负责人", on_delete=models.PROTECT, related_name="cases_owned"
    )
    transfer_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="待接收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_offered",
    )
    complainant = models.ForeignKey(
        Complainant, verbose_name="投诉人", on_delete=models.PROTECT, related_name="cases"
    )
    on_behalf = models.BooleanField("代为投诉", default=False)
    agent_name = models.CharField("代理人", max_length=100, blank=True)
    power_of_attorney = models.BooleanField("已提供授权委托书", default=False)

    channel = models.CharField("渠道", max_length=30, choices=_choices(CHANNELS), blank=True)
    industry = models.CharField("行业", max_length=20, choices=_choices(INDUSTRIES), blank=True)
    received_at = models.DateTimeField("收到时间")
    title = models.CharField("标题", max_length=200, blank=True)
    text = models.TextField("投诉内容")
    product = models.CharField("产品", max_length=100, blank=True)
    respondent = models.CharField("被投诉机构或人员", max_length=200, blank=True)
    request = models.TextField("投诉请求", blank=True)
    facts = models.TextField("主要事实", blank=True)
    grounds = models.TextField("投诉理由", blank=True)

    analysis = models.JSONField("分析结果", default=dict, blank=True)
    risk_level = models.CharField("风险等级", max_length=20, choices=_choices(RISK_LEVELS), blank=True)
    customer_type = models.CharField("客户类型", max_length=20, blank=True)
    search_text = models.TextField(editable=False, default="", help_text="规范化后的检索文本，见 ADR 0004")
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )

    callback_satisfaction = models.CharField(
        "回访满意度", max_length=20, blank=True, choices=_choices(workflow.SATISFACTION)
    )
    callback_recurred = models.BooleanField("问题是否复发", null=True, blank=True)
    callback_note = models.TextField("回访记录", blank=True)

    root_cause = models.CharField(
        "根本原因", max_length=30, blank=True, choices=_choices(workflow.ROOT_CAUSES)
    )
    cause_controllable = models.BooleanField("原因可控", null=True, blank=True)
    cause_internal = models.BooleanField("内部原因", null=True, blank=True)
    responsibility = models.TextField("责任认定", blank=True)
    payout_kind = models.CharField(
        "支付性质", max_length=20, blank=True, choices=_choices(workflow.PAYOUT_KINDS)
    )
    payout_amount = models.DecimalField(
        "支付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    payout_basis = models.TextField("支付依据", blank=True)
    lesson = models.TextField("经验教训", blank=True)

    # Reply due date (a first, fixed rule by industry; the regulatory clocks replace it).
    due_at = models.DateTimeField("答复期限", null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField("升级层级", default=0)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    class Meta:
        verbose_name = "投诉案件"
        verbose_name_plural = "投诉案件"
        ordering = (
            "-received_at",
            "-id",
        )
        # No single-column indexes on status, received_at, risk_level, escalation_level (each leads an
        # index below) or customer_type (filtered inside case_list_idx, like channel): every index
        # costs each write of a case (saves, workflow actions, the worker's time escalations).
        indexes = (
            models.Index(fields=["unit_path", "status", "received_at"], name="case_scope_idx"),
            models.Index(fields=["status", "received_at"], name="case_status_time_idx"),
            models.Index(fields=["risk_level", "received_at"], name="case_level_time_idx"),
            models.Index(fields=["owner", "unit_path"], name="case_owner_scope_idx"),
            models.Index(fields=["transfer_to", "unit_path"], name="case_transfer_scope_idx"),
            models.Index(fields=["escalation_level", "status", "unit_path"], name="case_escalated_idx"),
            # Covers the list filters inside a scope without reading the wide rows (analysis JSON).
            models.Index(
                fields=["unit_path", "received_at", "channel", "risk_level", "status"],
                name="case_scope_cover_idx",
            ),
            # The due-soon and overdue tabs: counted from the index alone.
            models.Index(fields=["status", "unit_path", "due_at"], name="case_due_scope_idx"),
            # A page of any list, newest first: read backwards, filtered in the index, no sort.
            models.Index(
                fields=[
                    *("received_at", "id", "unit_path", "status", "owner", "transfer_to", "risk_level"),
                    *("channel", "customer_type", "escalation_level", "due_at"),
                ],
                name="case_list_idx",
            ),
            # A search for a case number or source reference (ADR 0004), case-insensitive.
            models.Index(Upper("number"), name="case_number_upper_idx"),
            models.Index(Upper("intake_ref"), name="case_ref_upper_idx"),
        )

    def __str__(self) -> str:
        return self.number

    @property
    def status_label(self) -> str:
        return workflow.STATUSES.get(self.status, self.status)

    def intake_elements(self) -> intake.Elements:
        return intake.Elements(
            channel=self.channel,
            received_at=self.received_at.isoformat() if self.received_at else "",
            complainant_name=self.complainant.name,
            complainant_phone=self.complainant.phone,
            on_behalf=self.on_behalf,
            agent_name=self.agent_name,
            power_of_attorney=self.power_of_attorney,
            respondent=self.respondent,
            request=self.request,
            facts=self.facts or self.text,
            grounds=self.grounds,
        )


class CaseSearch(models.Model):
    """A case's search copy (ADR 0004): the index text and its bigram words, with the case's unit
    path and receipt time, in a narrow table so a search never reads the wide case rows. Kept in
    step by the services (`search_index.sync`)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="search_row")
    search_text = models.TextField(default="")
    grams = models.TextField(default="")
    # Copies of the case's (never changing) scope and receipt time: a plain search is answered,
    # scoped and ordered from this table alone.
    unit_path = models.CharField(max_length=255, default="")
    received_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"


class DecisionNotice(models.Model):
    """处理决定告知: what the complainant is told. Issued only with all four elements."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="notices")
    result = models.TextField("处理结果")
    reasons = models.TextField("理由")
    basis = models.TextField("依据")
    redress = models.TextField("救济途径")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="出具人", on_delete=models.PROTECT)
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)

    class Meta:
        verbose_name = "处理决定告知"
        verbose_name_plural = "处理决定告知"
        ordering = (
            "-issued_at",
            "-id",
        )


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Never the customer's file name on disk: it may hold personal data or path tricks.
    return f"attachments/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """An attachment: kind, type and size are checked at entry; the file is stored under MEDIA_ROOT."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类型", max_length=30, choices=_choices(intake.ATTACHMENT_KINDS))
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件格式", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    file = models.FileField("文件", upload_to=_attachment_path, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    added_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"


CONTACT_KINDS = {
    "call_in": "来电",
    "call_out": "去电",
    "sms": "短信",
    "letter": "信函",
    "visit": "面谈",
    "email": "邮件",
    "wechat": "微信",
}


FLAG_KINDS = {
    "malicious_confirmed": "经核实的恶意投诉",
    "professional_claimant": "职业索赔/代理维权",
    "vulnerable": "需特殊关照（弱势）",
    "special_identity": "特殊身份",
    "other": "其他",
}


class ComplainantFlag(models.Model):
    """A fact about a complainant that a person confirmed on a case (never set by the engine)."""

    complainant = models.ForeignKey(
        Complainant, verbose_name="投诉人", on_delete=models.CASCADE, related_name="flags"
    )
    case = models.ForeignKey(
        "Case", verbose_name="确认时所在案件", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("标记", max_length=30, choices=_choices(FLAG_KINDS))
    note = models.TextField("依据")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = "投诉人标记"
        verbose_name_plural = "投诉人标记"
        ordering = ("-at", "-id")


class Contact(models.Model):
    """One entry of the communications log with the customer (calls, messages, letters, visits)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField("方式", max_length=20, choices=_choices(CONTACT_KINDS))
    summary = models.TextField("内容摘要")
    at = models.DateTimeField("时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "沟通记录"
        verbose_name_plural = "沟通记录"
        ordering = ("at", "id")


class ReplyDraft(models.Model):
    """A reply to the customer, with the reply check's result at the time it was saved."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="replies")
    text = models.TextField("答复内容")
    findings = models.JSONField("答复检查结果", default=dict)
    score = models.FloatField("检查得分", default=100.0)
    sent = models.BooleanField("已发送", default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("撰写时间", auto_now_add=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ("created_at", "id")


class AppendOnlyError(Exception):
    pass


class CaseEvent(models.Model):
    """One line of the audit trail: who did what, when, and each changed field's old → new.

    Append-only: saving an existing event or deleting one raises. `changes` is
    `{"field": {"old": ..., "new": ...}}`; personal data is stored masked.
    """

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=30)
    changes = models.JSONField("变更", default=dict)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = (
            "at",
            "id",
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("操作记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("操作记录只能追加，不能删除")
