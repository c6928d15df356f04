"""Escalation and routing in the database: the organisation's ladder and policy, people's skills and
authority, who is complained about (回避), and every escalation with its later review."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

UNIT_LEVELS = {"sub_branch": "支行/网点", "branch": "分行", "head_office": "总行"}


class TierConfig(models.Model):
    """One level of the organisation's escalation ladder (L1 front desk → … → L4 head office)."""

    level = models.PositiveSmallIntegerField("层级", unique=True, help_text="0 = L1 前台，1 = L2，依此类推")
    name = models.CharField("名称", max_length=60)
    roles = models.CharField(
        "办理角色", max_length=100, help_text="逗号分隔的角色代码，如 specialist 或 cpo,legal"
    )
    unit_level = models.CharField("所在机构层级", max_length=20, choices=list(UNIT_LEVELS.items()))
    compensation_limit = models.DecimalField(
        "补偿授权上限（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="留空：不设上限",
    )

    class Meta:
        verbose_name = "升级层级"
        verbose_name_plural = "升级层级"
        ordering = ("level",)

    def __str__(self) -> str:
        return f"L{self.level + 1} {self.name}"

    def as_row(self) -> dict[str, object]:
        return {
            "level": self.level,
            "name": self.name,
            "roles": self.roles,
            "unit_level": self.unit_level,
            "compensation_limit": self.compensation_limit,
        }

    def clean(self) -> None:
        """The ladder with this row saved must still be valid (contiguous levels, known roles)."""
        from kesu.routing.ladder import LadderError, parse_ladder

        rows = [t.as_row() for t in TierConfig.objects.exclude(pk=self.pk).exclude(level=self.level)]
        rows = sorted([*rows, self.as_row()], key=lambda r: int(str(r["level"])))
        try:
            parse_ladder(rows)
        except LadderError as exc:
            raise ValidationError(str(exc)) from None


class PolicyConfig(models.Model):
    """The organisation's escalation policy (risk, identity, time rules) as validated JSON; one row."""

    data = models.JSONField(
        "升级策略",
        help_text="risk_levels / risk_notify / identity_levels / time_levels，保存时按升级层级校验",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "升级策略"
        verbose_name_plural = "升级策略"

    def __str__(self) -> str:
        return "升级策略"

    def clean(self) -> None:
        from kesu.routing.escalation import PolicyError, parse_policy, validate_policy
        from kesu.routing.selectors import ladder

        try:
            problems = validate_policy(parse_policy(self.data), ladder())
        except PolicyError as exc:
            problems = [str(exc)]
        if problems:
            raise ValidationError({"data": problems})


class StaffProfile(models.Model):
    """What routing needs to know of a person: tier, skills, authority and how much they can hold."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="staff_profile"
    )
    level = models.PositiveSmallIntegerField(
        "层级", null=True, blank=True, help_text="留空：按角色对应的层级"
    )
    skills = models.CharField(
        "擅长", max_length=300, blank=True, help_text="逗号分隔：行业代码、产品、类别，如 banking,信用卡"
    )
    capacity = models.PositiveSmallIntegerField("在办上限", default=30)
    compensation_limit = models.DecimalField(
        "个人补偿授权（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="留空：按层级上限",
    )

    class Meta:
        verbose_name = "人员分派设置"
        verbose_name_plural = "人员分派设置"

    def __str__(self) -> str:
        return f"{self.user} 的分派设置"

    def skill_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.skills.replace("，", ",").split(",") if s.strip())


class Respondent(models.Model):
    """A person or unit the complaint is about: they must withdraw (回避) from handling and approving."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="respondents"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被投诉人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name="被投诉机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "被投诉对象（回避）"
        verbose_name_plural = "被投诉对象（回避）"
        constraints = (
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(unit__isnull=False),
                name="respondent_names_someone",
            ),
        )

    def clean(self) -> None:
        if not self.user_id and not self.unit_id:
            raise ValidationError("请选择被投诉的人员或机构")


REVIEW_VERDICTS = {"reasonable": "合理", "unreasonable": "不合理"}


class Escalation(models.Model):
    """One escalation or de-escalation, with its reasons; reviewed for rationality later."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.CASCADE, related_name="escalations"
    )
    from_level = models.PositiveSmallIntegerField("原层级")
    to_level = models.PositiveSmallIntegerField("新层级")
    rules = models.CharField(
        "依据规则", max_length=100, blank=True, help_text="risk/authority/time/identity/resources/manual"
    )
    reason = models.TextField("理由")
    automatic = models.BooleanField("系统自动", default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    verdict = models.CharField("复核结论", max_length=20, blank=True, choices=list(REVIEW_VERDICTS.items()))
    review_note = models.TextField("复核意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "升级记录"
        verbose_name_plural = "升级记录"
        ordering = ("-at", "-id")

    @property
    def upward(self) -> bool:
        return self.to_level > self.from_level
