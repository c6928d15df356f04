"""The escalation ladder: the organisation's tiers from the front desk upwards (domain.md step 4).

Levels are integers from 0: level 0 is the front desk, shown "L1"; `Case.escalation_level` stores
the same integer. Each tier says who handles there (roles), where it sits in the organisation and
how much a handler there may grant without asking a higher tier. Seed 001: a complaint is handled
at the lowest level that can resolve it.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from kesu.cases import workflow

# The roles of kesu.accounts.models.Role, from the pure workflow table (no Django here).
ROLE_LABELS: dict[str, str] = dict(workflow.ROLE_LABELS)
# Mirrors kesu.accounts.models.UnitLevel.
UNIT_LEVEL_LABELS: dict[str, str] = {"sub_branch": "支行/网点", "branch": "分行", "head_office": "总行"}

_ROW_KEYS = frozenset({"level", "code", "name", "roles", "unit_level", "compensation_limit", "description"})
_CODE = re.compile(r"^[Ll](\d+)$")
_SEPARATORS = re.compile(r"[,，、;；\s]+")
_lock = threading.Lock()


class LadderError(ValueError):
    """An invalid ladder; `problems` lists every problem in Chinese."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("；".join(self.problems))


def level_code(level: int) -> str:
    """0 → "L1"."""
    return f"L{level + 1}"


def parse_level(value: Any) -> int:
    """A level written as an integer from 0 (as stored) or as a code "L1", "L2" … → the integer.

    Raises ValueError with a Chinese message.
    """
    if isinstance(value, bool):
        raise ValueError(f"层级“{value}”无效，应写作 L1、L2……")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"层级不能为负数（收到 {value}）")
        return value
    match = _CODE.match(str(value).strip())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"层级“{value}”无效，应写作 L1、L2……")
    return int(match.group(1)) - 1


def parse_amount(value: Any) -> Decimal | None:
    """An authority limit: None or "" → None (no limit); a number ≥ 0 → Decimal. ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"金额“{value}”无效")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"金额“{value}”不是有效数字") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"金额“{value}”须是不小于 0 的数")
    return amount


def parse_roles(value: Any) -> frozenset[str]:
    """Roles as a list or as one string separated by commas ("cpo,legal") → a set of role keys.

    Raises ValueError (Chinese) for anything else.
    """
    if value is None:
        return frozenset()
    if isinstance(value, str):
        items: Iterable[Any] = _SEPARATORS.split(value)
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        raise ValueError(f"角色应写成列表或用逗号分隔，如 cpo,legal（收到“{value}”）")
    return frozenset(str(item).strip() for item in items if str(item).strip())


@dataclass(frozen=True)
class Tier:
    level: int
    name: str
    roles: frozenset[str]
    unit_level: str
    compensation_limit: Decimal | None

    def __post_init__(self) -> None:
        problems = _tier_problems(self.name, self.roles, self.unit_level, self.compensation_limit)
        if self.level < 0:
            problems.insert(0, "层级不能为负数")
        if problems:
            raise LadderError([f"{level_code(self.level)}：{p}" for p in problems])

    @property
    def code(self) -> str:
        """ "L1" for level 0."""
        return level_code(self.level)

    @property
    def label(self) -> str:
        """ "L3 分行消保部门"."""
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class Ladder:
    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        problems = _ladder_problems(self.tiers)
        if problems:
            raise LadderError(problems)

    def tier(self, level: int) -> Tier:
        if not 0 <= level < len(self.tiers):
            raise LadderError(f"本机构没有层级 {level_code(level)}（共设 L1–{level_code(self.top())}）")
        return self.tiers[level]

    def top(self) -> int:
        return len(self.tiers) - 1

    def level_for_amount(self, amount: Decimal) -> int:
        """The lowest tier whose limit covers `amount`; the top tier when none does."""
        for tier in self.tiers:
            if tier.compensation_limit is None or amount <= tier.compensation_limit:
                return tier.level
        return self.top()

    def level_of_role(self, role: str) -> int | None:
        """The lowest tier where `role` handles cases, or None."""
        return next((t.level for t in self.tiers if role in t.roles), None)


def _tier_problems(name: str, roles: frozenset[str], unit_level: str, limit: Decimal | None) -> list[str]:
    problems: list[str] = []
    if not name.strip():
        problems.append("请填写层级名称")
    if not roles:
        problems.append("请至少指定一个办理角色")
    unknown = sorted(roles - ROLE_LABELS.keys())
    if unknown:
        problems.append(f"未知的角色 {'、'.join(unknown)}（可用：{_choices(ROLE_LABELS)}）")
    if unit_level not in UNIT_LEVEL_LABELS:
        problems.append(f"所在机构层级“{unit_level}”无效（可用：{_choices(UNIT_LEVEL_LABELS)}）")
    if limit is not None and (not limit.is_finite() or limit < 0):
        problems.append("补偿授权上限须是不小于 0 的金额")
    return problems


def _ladder_problems(tiers: Sequence[Tier]) -> list[str]:
    if not tiers:
        return ["升级层级至少要有一级（L1 前台）"]
    problems: list[str] = []
    for index, tier in enumerate(tiers):
        if tier.level != index:
            problems.append(
                f"第{index + 1}级应为 {level_code(index)}，却是 {tier.code}：各级须从 L1 起连续排列"
            )
    for lower, upper in pairwise(tiers):
        if lower.compensation_limit is None and upper.compensation_limit is not None:
            problems.append(f"{lower.label} 不设补偿上限，更高的 {upper.label} 却设了上限")
        elif (
            lower.compensation_limit is not None
            and upper.compensation_limit is not None
            and upper.compensation_limit < lower.compensation_limit
        ):
            problems.append(
                f"{upper.label} 的补偿授权上限（{upper.compensation_limit}元）"
                f"低于下一级 {lower.label}（{lower.compensation_limit}元）"
            )
    return problems


def _choices(labels: Mapping[str, str]) -> str:
    return "、".join(f"{key} {label}" for key, label in labels.items())


def parse_ladder(rows: Sequence[Mapping[str, Any]]) -> Ladder:
    """Rows (from policy.toml `[[tier]]` or the admin's table) → a validated Ladder.

    Each row: `name`, `roles` (list or "cpo,legal"), `unit_level`, optional `compensation_limit`
    (absent/empty = no limit) and optional `level` (0-based or "L2"; it must match the row's
    place). Raises LadderError listing every problem, each naming its row.
    """
    problems: list[str] = []
    tiers: list[Tier] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            problems.append(f"第{index + 1}行：应是“字段 = 值”的表")
            continue
        row_problems, tier = _parse_row(index, row)
        where = f"第{index + 1}行（{str(row.get('name', '')).strip() or '未命名'}）"
        problems += [f"{where}：{p}" for p in row_problems]
        if tier is not None:
            tiers.append(tier)
    if not rows:
        problems.append("升级层级至少要有一级（L1 前台）")
    if problems:
        raise LadderError(problems)
    return Ladder(tuple(tiers))


def _parse_row(index: int, row: Mapping[str, Any]) -> tuple[list[str], Tier | None]:
    problems = [f"未知字段 {key}" for key in sorted(set(row) - _ROW_KEYS)]
    for key in ("level", "code"):
        if row.get(key) not in (None, ""):
            try:
                if parse_level(row[key]) != index:
                    problems.append(f"层级应为 {level_code(index)}（各级须从 L1 起连续排列）")
            except ValueError as exc:
                problems.append(str(exc))
    name = str(row.get("name") or "").strip()
    roles: frozenset[str] = frozenset()
    try:
        roles = parse_roles(row.get("roles"))
    except ValueError as exc:
        problems.append(str(exc))
    unit_level = str(row.get("unit_level") or "").strip()
    limit: Decimal | None = None
    try:
        limit = parse_amount(row.get("compensation_limit"))
    except ValueError as exc:
        problems.append(f"补偿授权上限：{exc}")
    problems += _tier_problems(name, roles, unit_level, limit)
    if problems:
        return problems, None
    return [], Tier(index, name, roles, unit_level, limit)


@cache
def policy_table() -> dict[str, Any]:
    """kesu/routing/data/policy.toml, parsed once per process."""
    with _lock:
        ref = resources.files("kesu.routing").joinpath("data", "policy.toml")
        with ref.open("rb") as fh:
            return tomllib.load(fh)


@cache
def default_ladder() -> Ladder:
    """The default ladder of policy.toml (an organisation replaces it with its own)."""
    return parse_ladder(policy_table()["tier"])
