"""Regulatory clocks in the database: configuration an admin changes, and the clocks on each case.

Configuration: rule sets (each figure with its source), the policy of a unit (which rule set, the
internal first-contact target, warning thresholds — inherited down the organisation tree), the
organisation's closures and the official holiday schedule of years `chinese-calendar` does not know.

Clocks: `CaseClock` keeps a snapshot of its rule (`spec`), so a later change to the configuration
never moves the deadline of a complaint already running; `due_at`, `state` and `next_check_at` are
derived by `kesu.clocks.compute` and written by the services and the worker only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from kesu.clocks.compute import STATES


class RuleSet(models.Model):
    """A named set of clocks (e.g. 银行业保险业), editable by admins; seeded from the built-in TOML."""

    key = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    definition = models.JSONField(
        "规则定义",
        help_text="各时限的天数、单位、起止事件、延期步骤及每个数字的出处（JSON，保存时校验）",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "时限规则集"
        verbose_name_plural = "时限规则集"
        ordering = ("key",)

    def __str__(self) -> str:
        return f"{self.name}（{self.key}）"

    def clean(self) -> None:
        from kesu.clocks.rules import RuleError, parse_rulesets

        try:
            parse_rulesets({"rulesets": {self.key: self.definition}})
        except RuleError as exc:
            raise ValidationError({"definition": str(exc)}) from None


class UnitPolicy(models.Model):
    """What a unit (and every unit below it that sets nothing itself) runs on. Blank = inherit."""

    unit = models.OneToOneField(
        "accounts.OrgUnit", verbose_name="机构", on_delete=models.CASCADE, related_name="clock_policy"
    )
    ruleset = models.ForeignKey(
        RuleSet,
        verbose_name="时限规则集",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="留空：沿用上级机构的设置；都未设置时按案件行业选择",
    )
    first_contact_hours = models.PositiveIntegerField(
        "首次联系时限（小时）", null=True, blank=True, help_text="内部目标；留空沿用上级，默认 24 小时"
    )
    thresholds = models.CharField(
        "预警阈值（%）",
        max_length=40,
        blank=True,
        help_text="用逗号分隔，如 50,80,100；留空沿用上级，默认 50,80,100",
    )

    class Meta:
        verbose_name = "机构时限设置"
        verbose_name_plural = "机构时限设置"

    def __str__(self) -> str:
        return f"{self.unit} 的时限设置"

    def clean(self) -> None:
        if self.thresholds:
            try:
                parse_thresholds(self.thresholds)
            except ValueError as exc:
                raise ValidationError({"thresholds": str(exc)}) from None


def parse_thresholds(text: str) -> tuple[int, ...]:
    """'50, 80,100' → (50, 80, 100); each between 1 and 100, ascending, 100 included."""
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    try:
        values = tuple(sorted({int(p) for p in parts}))
    except ValueError:
        raise ValueError("预警阈值须是 1–100 之间的整数，用逗号分隔，如 50,80,100") from None
    if not values or values[0] < 1 or values[-1] != 100:
        raise ValueError("预警阈值须在 1–100 之间，且须包含 100（到期）")
    return values


class Closure(models.Model):
    """Days an organisation (or one unit and those below it) does not work: they are not working days."""

    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name="机构",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="留空：全机构停业",
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "机构停业日"
        verbose_name_plural = "机构停业日"
        ordering = ("start",)

    def __str__(self) -> str:
        return f"{self.start}–{self.end} {self.reason}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "结束日期不能早于开始日期"})
        if self.start and self.end and (self.end - self.start).days > 366:
            raise ValidationError({"end": "一次停业不能超过一年，请分段录入"})


class OfficialYear(models.Model):
    """A year whose holiday schedule an admin entered from the State Council's notice."""

    year = models.PositiveIntegerField("年份", unique=True)
    source = models.CharField(
        "出处", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "官方节假日安排"
        verbose_name_plural = "官方节假日安排"
        ordering = ("year",)

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"


class OfficialDay(models.Model):
    """One day of an official schedule: a holiday, or a weekend day worked (调休上班)."""

    year = models.ForeignKey(OfficialYear, verbose_name="年份", on_delete=models.CASCADE, related_name="days")
    day = models.DateField("日期", unique=True)
    workday = models.BooleanField("上班", help_text="勾选：调休上班日；不勾选：放假")
    name = models.CharField("名称", max_length=40, help_text="如：春节、国庆节、调休上班")

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ("day",)

    def clean(self) -> None:
        if self.day and self.year_id and self.day.year != self.year.year:
            raise ValidationError({"day": f"日期不在 {self.year.year} 年内"})


CLOCK_STATES: dict[str, str] = dict(STATES)


class CaseClock(models.Model):
    """One clock running on a case (decision, acceptance, first contact, a promise to the customer)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="clocks"
    )
    key = models.CharField("时限", max_length=30)
    name = models.CharField("名称", max_length=100)
    spec = models.JSONField(
        "规则快照", help_text="创建时的规则（天数、单位、出处），配置修改不影响已起算的时限"
    )
    ruleset_key = models.CharField("规则集", max_length=40, blank=True)
    started_at = models.DateTimeField("起算时间", null=True, blank=True)
    extensions = models.PositiveSmallIntegerField("已批准延期次数", default=0)
    stopped_at = models.DateTimeField("完成时间", null=True, blank=True)
    ended = models.CharField(
        "终止原因", max_length=30, blank=True, help_text="closed/withdrawn/merged：案件结束，时限不再计算"
    )
    due_at = models.DateTimeField("到期时间", null=True, blank=True, db_index=True)
    state = models.CharField("状态", max_length=20, choices=list(CLOCK_STATES.items()), default="running")
    threshold = models.PositiveSmallIntegerField("已预警阈值（%）", default=0)
    uncertain_years = models.CharField("推算年份", max_length=40, blank=True)
    breached_at = models.DateTimeField("超期时间", null=True, blank=True)
    next_check_at = models.DateTimeField("下次检查", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件时限"
        verbose_name_plural = "案件时限"
        ordering = ("case", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["case", "key"], condition=models.Q(ended=""), name="one_live_clock_per_key"
            ),
        )
        indexes = (models.Index(fields=["next_check_at"], name="clock_due_work_idx"),)

    def __str__(self) -> str:
        return f"{self.name}（{self.case_id}）"

    @property
    def state_label(self) -> str:
        return CLOCK_STATES.get(self.state, self.state)


class ClockPause(models.Model):
    """An excluded interval (外部鉴定、检测、评估): the clock does not run between start and end."""

    clock = models.ForeignKey(CaseClock, verbose_name="时限", on_delete=models.CASCADE, related_name="pauses")
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束", null=True, blank=True)
    reason = models.CharField("原因", max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "时限中止"
        verbose_name_plural = "时限中止"
        ordering = ("start", "id")


class ClockMark(models.Model):
    """A threshold of a clock that has been acted on. Unique: no warning or breach is handled twice."""

    clock = models.ForeignKey(CaseClock, verbose_name="时限", on_delete=models.CASCADE, related_name="marks")
    threshold = models.PositiveSmallIntegerField("阈值（%）")
    at = models.DateTimeField("处理时间")
    worker = models.CharField("处理进程", max_length=60, blank=True)

    class Meta:
        verbose_name = "预警记录"
        verbose_name_plural = "预警记录"
        constraints = (models.UniqueConstraint(fields=["clock", "threshold"], name="one_mark_per_threshold"),)


EXTENSION_STATUSES = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回"}


class ExtensionRequest(models.Model):
    """A request to extend a clock by its next step: reason, approver of the required level, notice."""

    clock = models.ForeignKey(
        CaseClock, verbose_name="时限", on_delete=models.CASCADE, related_name="extension_requests"
    )
    step = models.PositiveSmallIntegerField("延期步骤")
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField(
        "状态", max_length=20, choices=list(EXTENSION_STATUSES.items()), default="pending", db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    notice = models.ForeignKey(
        "cases.Contact",
        verbose_name="告知投诉人记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ("-requested_at", "-id")

    @property
    def status_label(self) -> str:
        return EXTENSION_STATUSES.get(self.status, self.status)


ALERT_KINDS = {
    "clock_warning": "时限预警",
    "clock_breach": "时限超期",
    "promise_due": "承诺答复日已到",
    "extension_request": "延期待审批",
    "extension_decided": "延期审批结果",
    "escalation": "案件升级",
    "risk": "重大风险",
    "reassigned": "案件改派",
    "conflict": "回避提示",
}


class Alert(models.Model):
    """An entry of someone's task list: a warning, a breach, a request waiting for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="alerts"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="alerts"
    )
    clock = models.ForeignKey(CaseClock, verbose_name="时限", null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField("类型", max_length=30, choices=list(ALERT_KINDS.items()))
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间")
    done_at = models.DateTimeField("已处理", null=True, blank=True)

    class Meta:
        verbose_name = "待办提醒"
        verbose_name_plural = "待办提醒"
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["user", "done_at", "created_at"], name="alert_inbox_idx"),)

    @property
    def kind_label(self) -> str:
        return ALERT_KINDS.get(self.kind, self.kind)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "case": self.case_id}
