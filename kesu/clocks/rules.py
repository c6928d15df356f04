"""Rule sets (时限规则集): which clocks a complaint runs under, by industry, each figure with its source.

Pure: no Django. The built-in rule sets live in `data/rulesets.toml`, reviewed like code; figures
from secondary sources carry `verify = true`. `parse_rulesets` validates a whole document and
names the rule set, clock and field at fault in Chinese.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kesu.cases import workflow

UNITS = {"calendar_days": "自然日", "working_days": "工作日", "hours": "小时"}
STARTS = {"received": "收到投诉", "accepted": "决定受理"}
STOPS = {
    "notice_issued": "出具处理决定并告知",
    "accepted": "作出受理决定",
    "first_contact": "首次联系客户",
    "promise_kept": "按承诺联系客户",
    "callback_done": "完成回访",
}
APPROVER_SCOPES = {
    "same": "本机构负责人",
    "higher": "上级机构负责人",
    "head_office": "总行（总公司）负责人",
}
ROLES = frozenset(workflow.ROLE_LABELS)
"""The roles of kesu.accounts, from the pure workflow table (this module imports no Django)."""

INDUSTRIES = {"banking", "insurance", "securities", "telecom", "ecommerce", "general"}
"""The industries of the analysis contract."""

INDUSTRY_RULESETS = {
    "banking": "banking_insurance",
    "insurance": "banking_insurance",
    "telecom": "telecom",
    "ecommerce": "market_12315",
}
DEFAULT_RULESET = "general"


class RuleError(ValueError):
    """Invalid rule data or a clock operation the rule does not allow; the message is Chinese."""


@dataclass(frozen=True)
class ExtensionStep:
    days: int
    label: str
    approver_roles: frozenset[str]
    approver_scope: str
    notice_required: bool = True
    source: str = ""


@dataclass(frozen=True)
class ClockSpec:
    key: str
    name: str
    amount: int
    unit: str
    starts_on: str
    stops_on: str
    source: str
    verify: bool = False
    roll_to_workday: bool = True
    pausable: bool = True
    restartable: bool = True
    extensions: tuple[ExtensionStep, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    key: str
    name: str
    industries: frozenset[str]
    specs: tuple[ClockSpec, ...]
    source: str

    def spec(self, key: str) -> ClockSpec | None:
        """The clock `key` of this rule set, if it has one."""
        return next((s for s in self.specs if s.key == key), None)


# --- validation helpers: `where` names the place, e.g. 规则集「telecom」的时限「reply」 ---


def _choices(options: Mapping[str, str]) -> str:
    return "、".join(f"{k}（{v}）" for k, v in options.items())


def _only_fields(row: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(row) - allowed)
    if unknown:
        raise RuleError(
            f"{where}：不认识的字段 {', '.join(unknown)}，可用字段为 {', '.join(sorted(allowed))}"
        )


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleError(f"{where}：应为一个表（键值对），收到 {type(value).__name__}")
    return value


def _text(row: Mapping[str, Any], name: str, where: str, required: bool = True) -> str:
    value = row.get(name, "")
    if not isinstance(value, str):
        raise RuleError(f"{where}：字段 {name} 应为文字")
    if required and not value.strip():
        raise RuleError(f"{where}：缺少字段 {name}（必须填写）")
    return value.strip()


def _flag(row: Mapping[str, Any], name: str, default: bool, where: str) -> bool:
    value = row.get(name, default)
    if not isinstance(value, bool):
        raise RuleError(f"{where}：字段 {name} 应为 true 或 false")
    return value


def _positive(row: Mapping[str, Any], name: str, where: str) -> int:
    if name not in row:
        raise RuleError(f"{where}：缺少字段 {name}（必须填写）")
    value = row[name]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuleError(f"{where}：字段 {name} 应为正整数，收到 {value!r}")
    return value


def _choice(row: Mapping[str, Any], name: str, options: Mapping[str, str], where: str) -> str:
    value = _text(row, name, where)
    if value not in options:
        raise RuleError(f"{where}：字段 {name} 的值「{value}」无效，应为 {_choices(options)} 之一")
    return value


def _strings(row: Mapping[str, Any], name: str, where: str) -> frozenset[str]:
    value = row.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{where}：字段 {name} 应为非空的文字列表")
    return frozenset(v.strip() for v in value)


def _list(row: Mapping[str, Any], name: str, where: str) -> list[Any]:
    value = row.get(name, [])
    if not isinstance(value, list):
        raise RuleError(f"{where}：字段 {name} 应为列表")
    return value


_STEP_FIELDS = {"days", "label", "approver_roles", "approver_scope", "notice_required", "source"}
_SPEC_FIELDS = {
    "key",
    "name",
    "amount",
    "unit",
    "starts_on",
    "stops_on",
    "source",
    "verify",
    "roll_to_workday",
    "pausable",
    "restartable",
    "extensions",
}
_RULESET_FIELDS = {"name", "industries", "source", "clocks"}


def _parse_step(raw: Any, where: str) -> ExtensionStep:
    row = _table(raw, where)
    _only_fields(row, _STEP_FIELDS, where)
    roles = _strings(row, "approver_roles", where)
    unknown = sorted(roles - ROLES)
    if unknown:
        raise RuleError(
            f"{where}：审批角色 {', '.join(unknown)} 不存在，可用角色为 {', '.join(sorted(ROLES))}"
        )
    return ExtensionStep(
        days=_positive(row, "days", where),
        label=_text(row, "label", where),
        approver_roles=roles,
        approver_scope=_choice(row, "approver_scope", APPROVER_SCOPES, where),
        notice_required=_flag(row, "notice_required", True, where),
        source=_text(row, "source", where),
    )


def _parse_spec(raw: Any, ruleset_where: str, index: int) -> ClockSpec:
    row = _table(raw, f"{ruleset_where}的第 {index} 个时限")
    key = _text(row, "key", f"{ruleset_where}的第 {index} 个时限")
    where = f"{ruleset_where}的时限「{key}」"
    _only_fields(row, _SPEC_FIELDS, where)
    steps = tuple(
        _parse_step(step, f"{where}的第 {i} 级延期")
        for i, step in enumerate(_list(row, "extensions", where), 1)
    )
    return ClockSpec(
        key=key,
        name=_text(row, "name", where),
        amount=_positive(row, "amount", where),
        unit=_choice(row, "unit", UNITS, where),
        starts_on=_choice(row, "starts_on", STARTS, where),
        stops_on=_choice(row, "stops_on", STOPS, where),
        source=_text(row, "source", where),
        verify=_flag(row, "verify", False, where),
        roll_to_workday=_flag(row, "roll_to_workday", True, where),
        pausable=_flag(row, "pausable", True, where),
        restartable=_flag(row, "restartable", True, where),
        extensions=steps,
    )


def _parse_ruleset(key: str, raw: Any) -> RuleSet:
    where = f"规则集「{key}」"
    row = _table(raw, where)
    _only_fields(row, _RULESET_FIELDS, where)
    clocks = _list(row, "clocks", where)
    if not clocks:
        raise RuleError(f"{where}：至少需要一个时限（[[rulesets.{key}.clocks]]）")
    specs = tuple(_parse_spec(c, where, i) for i, c in enumerate(clocks, 1))
    seen: set[str] = set()
    for spec in specs:
        if spec.key in seen:
            raise RuleError(f"{where}：时限「{spec.key}」重复出现")
        seen.add(spec.key)
    industries = _strings(row, "industries", where)
    unknown = sorted(industries - INDUSTRIES)
    if unknown:
        raise RuleError(
            f"{where}：行业 {', '.join(unknown)} 不存在，可用行业为 {', '.join(sorted(INDUSTRIES))}"
        )
    return RuleSet(
        key=key,
        name=_text(row, "name", where),
        industries=industries,
        specs=specs,
        source=_text(row, "source", where),
    )


def parse_rulesets(data: Mapping[str, Any]) -> dict[str, RuleSet]:
    """Validate a parsed TOML document `{"rulesets": {key: {...}}}` and build its rule sets.

    Raises RuleError (Chinese message naming the rule set, clock and field) on any fault.
    """
    _only_fields(_table(data, "规则文件"), {"rulesets"}, "规则文件")
    if "rulesets" not in data:
        raise RuleError("规则文件：缺少 [rulesets] 表")
    tables = _table(data["rulesets"], "规则文件的 [rulesets]")
    if not tables:
        raise RuleError("规则文件：没有任何规则集（[rulesets.…]）")
    result: dict[str, RuleSet] = {}
    for key, raw in tables.items():
        if not str(key).replace("_", "").isalnum() or not str(key).isascii():
            raise RuleError(f"规则集「{key}」：键名只能用英文字母、数字和下划线")
        result[str(key)] = _parse_ruleset(str(key), raw)
    return result


@cache
def _builtin() -> dict[str, RuleSet]:
    ref = resources.files("kesu.clocks").joinpath("data", "rulesets.toml")
    with ref.open("rb") as fh:
        return parse_rulesets(tomllib.load(fh))


def builtin_rulesets() -> dict[str, RuleSet]:
    """The built-in rule sets of `data/rulesets.toml` (parsed once per process)."""
    return dict(_builtin())


def ruleset_for_industry(industry: str) -> str:
    """The key of the built-in rule set for an industry of the contract (unknown → general)."""
    return INDUSTRY_RULESETS.get(industry or "", DEFAULT_RULESET)


def internal_first_contact(hours: int) -> ClockSpec:
    """The organisation's own target: first contact with the customer within `hours` of receipt."""
    if isinstance(hours, bool) or not isinstance(hours, int) or hours <= 0:
        raise RuleError(f"首次联系客户时限应为正整数小时，收到 {hours!r}")
    return ClockSpec(
        key="first_contact",
        name="首次联系客户",
        amount=hours,
        unit="hours",
        starts_on="received",
        stops_on="first_contact",
        source="内部目标：首次联系客户时限",
        roll_to_workday=False,
        pausable=False,
        restartable=False,
    )
