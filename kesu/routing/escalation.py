"""When a case must go up the ladder, why, and who must be told (domain.md step 4; seed 001, 004).

`propose(facts, ladder, policy)` applies five rules and returns the lowest level that satisfies
all of them, with every reason, or None when the case can stay where it is:

- risk: a threatened or done risk signal (self-harm, violence, petition, group, media, regulator,
  litigation …) raises the case at once to the level the policy sets and names who is notified;
  a mere mention never counts;
- authority: a demanded or proposed amount above the handler's compensation limit goes to the
  lowest tier whose limit covers it (at least one level up);
- identity: journalists, officials, lawyers, public figures and vulnerable customers go to the
  level the organisation sets (seed 004);
- time: a clock warning threshold (80 %, overdue …) raises the case to the policy's level;
- resources: a handler who says the case is beyond their resources goes one level up.

A pure skill problem (the handler does not yet know how to talk to this customer) is not a rule:
seed 001 says it is solved by coaching, scripts and the case library, never by escalation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from kesu.routing.ladder import (
    ROLE_LABELS,
    Ladder,
    Tier,
    level_code,
    parse_level,
    parse_roles,
    policy_table,
)

SIGNAL_LABELS: dict[str, str] = {
    "media_exposure": "媒体曝光",
    "online_exposure": "网络曝光",
    "regulator_complaint": "向监管部门投诉",
    "litigation": "诉讼/仲裁",
    "self_harm": "自伤自残",
    "violence": "暴力威胁",
    "group": "群体投诉",
    "petition": "聚集/拉横幅/堵门",
    "leader_demand": "要求见领导",
    "repeat": "重复投诉",
    "special_identity": "特殊身份",
    "vulnerable": "弱势客户",
    "professional_claimant": "职业索赔/代理维权",
    "excessive_demand": "索赔明显过高",
}
IDENTITIES: dict[str, str] = {
    "journalist": "记者/媒体",
    "official": "公职人员/人大代表/政协委员",
    "lawyer": "律师",
    "public_figure": "公众人物",
    "vulnerable": "弱势客户",
}
SIGNAL_STATUSES = ("threatened", "done", "mention")
RULES = ("risk", "authority", "identity", "time", "resources")  # order of reasons at the same level
MIN_REASON_CHARS = 4

# How a reason says what the customer did: (threatened, done).
_ACTS: dict[str, tuple[str, str]] = {
    "media_exposure": ("客户扬言向媒体曝光", "客户已向媒体曝光"),
    "online_exposure": ("客户扬言在网上曝光", "客户已在网上曝光"),
    "regulator_complaint": ("客户扬言向监管部门投诉", "客户已向监管部门投诉"),
    "litigation": ("客户扬言起诉或申请仲裁", "客户已起诉或申请仲裁"),
    "self_harm": ("客户扬言自伤自残", "客户已有自伤自残行为"),
    "violence": ("客户扬言对人员或网点施暴", "客户已有暴力行为"),
    "group": ("客户扬言组织群体投诉", "本案系群体投诉"),
    "petition": ("客户扬言到网点聚集、拉横幅", "客户已到网点聚集、拉横幅"),
    "leader_demand": ("客户坚持要见领导", "客户坚持要见领导"),
    "repeat": ("本案系重复投诉", "本案系重复投诉"),
    "special_identity": ("客户自称特殊身份", "客户自称特殊身份"),
    "vulnerable": ("客户属弱势客户", "客户属弱势客户"),
    "professional_claimant": ("疑似职业索赔或代理维权", "疑似职业索赔或代理维权"),
    "excessive_demand": ("客户索赔金额明显过高", "客户索赔金额明显过高"),
}
# identity_kinds: words in a special_identity signal's evidence → identity key. 自媒体 is a
# public figure's channel, not the press, so it is taken out before the press words are read.
_IDENTITY_WORDS: dict[str, tuple[str, ...]] = {
    "public_figure": ("明星", "网红", "大v", "博主", "主播", "up主", "自媒体", "粉丝", "名人", "公众人物"),
    "journalist": ("记者", "媒体", "电视台", "报社", "杂志社", "编辑", "主编", "新闻"),
    "lawyer": ("律师", "律所", "法律工作者"),
    "official": (
        "人大代表", "人民代表", "人大", "政协委员", "政协", "公务员", "干部", "官员", "政府",
        "处长", "局长", "科长", "厅长", "纪委", "法官", "检察官",
    ),
}  # fmt: skip
_EVIDENCE_CHARS = 30


DEFAULT_IMMEDIATE = frozenset(
    {"self_harm", "violence", "petition", "group", "media_exposure", "online_exposure", "regulator_complaint"}
)
"""Issue 4: self-harm, violence, petition or group, media or regulator threats escalate at once."""


class PolicyError(ValueError):
    """An invalid policy; `problems` lists every problem in Chinese."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("；".join(self.problems))


@dataclass(frozen=True)
class Signal:
    type: str
    status: str
    evidence: str = ""

    @property
    def counts(self) -> bool:
        """Threatened or done; a mention (or an unknown status from an old analysis) never escalates."""
        return self.status in ("threatened", "done")


@dataclass(frozen=True)
class Policy:
    risk_levels: Mapping[str, int]
    risk_notify: Mapping[str, frozenset[str]]
    identity_levels: Mapping[str, int]
    time_levels: Mapping[int, int]
    risk_immediate: frozenset[str] = frozenset()
    """Signal types that escalate at once, without waiting for a person (the others are proposed)."""

    def __post_init__(self) -> None:
        """Freeze the mappings and check keys, roles and levels (the ladder: `validate_policy`)."""
        object.__setattr__(self, "risk_levels", MappingProxyType(dict(self.risk_levels)))
        notify = {key: frozenset(roles) for key, roles in self.risk_notify.items()}
        object.__setattr__(self, "risk_notify", MappingProxyType(notify))
        object.__setattr__(self, "identity_levels", MappingProxyType(dict(self.identity_levels)))
        object.__setattr__(self, "time_levels", MappingProxyType(dict(self.time_levels)))
        object.__setattr__(self, "risk_immediate", frozenset(self.risk_immediate))
        unknown = sorted(self.risk_immediate - set(self.risk_levels))
        if unknown:
            raise PolicyError(f"risk_immediate：{'、'.join(unknown)} 未在 risk_levels 中设定升级层级")
        problems = _policy_problems(
            self.risk_levels, self.risk_notify, self.identity_levels, self.time_levels
        )
        if problems:
            raise PolicyError(problems)


@dataclass(frozen=True)
class Facts:
    level: int
    signals: tuple[Signal, ...] = ()
    demanded_amount: Decimal | None = None
    owner_limit: Decimal | None = None
    clock_threshold: int = 0
    identities: frozenset[str] = frozenset()
    resources: str = ""

    def __post_init__(self) -> None:
        if self.level < 0:
            raise ValueError("当前层级不能为负数")
        unknown = sorted(set(self.identities) - IDENTITIES.keys())
        if unknown:
            raise ValueError(f"未知的客户身份 {'、'.join(unknown)}")


@dataclass(frozen=True)
class Reason:
    rule: str
    level: int
    text: str
    immediate: bool


@dataclass(frozen=True)
class Proposal:
    to_level: int
    reasons: tuple[Reason, ...]
    immediate: bool
    notify_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def immediate_level(self) -> int | None:
        """The highest level an immediate (risk) reason asks for: where to go without waiting."""
        return max((r.level for r in self.reasons if r.immediate), default=None)


# ---------------------------------------------------------------------------- policy


def _policy_problems(
    risk_levels: Mapping[str, int],
    risk_notify: Mapping[str, frozenset[str]],
    identity_levels: Mapping[str, int],
    time_levels: Mapping[int, int],
) -> list[str]:
    problems: list[str] = []
    for section, table, vocabulary in (
        ("risk_levels", risk_levels, SIGNAL_LABELS),
        ("risk_notify", risk_notify, SIGNAL_LABELS),
        ("identity_levels", identity_levels, IDENTITIES),
    ):
        for key in table:
            if key not in vocabulary:
                problems.append(f"{section}.{key}：未知的{_KIND[section]}（可用：{'、'.join(vocabulary)}）")
    for section, levels in (("risk_levels", risk_levels), ("identity_levels", identity_levels)):
        problems += [
            f"{section}.{key}：层级须是不小于 0 的整数"
            for key, level in levels.items()
            if not _is_level(level)
        ]
    for key, roles in risk_notify.items():
        unknown = sorted(roles - ROLE_LABELS.keys())
        if unknown:
            problems.append(
                f"risk_notify.{key}：未知的角色 {'、'.join(unknown)}（可用：{'、'.join(ROLE_LABELS)}）"
            )
    for threshold, level in time_levels.items():
        if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= 100:
            problems.append(f"time_levels.{threshold}：时限阈值须是 1–100 之间的整数（百分比）")
        if not _is_level(level):
            problems.append(f"time_levels.{threshold}：层级须是不小于 0 的整数")
    return problems


_KIND = {"risk_levels": "风险信号类型", "risk_notify": "风险信号类型", "identity_levels": "客户身份"}


def _is_level(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_policy(data: Mapping[str, Any]) -> Policy:
    """A policy from policy.toml or the admin's JSON → Policy. Raises PolicyError (every problem).

    Sections: `risk_levels` (signal type → level), `risk_notify` (signal type → roles, a list or
    "supervisor,cpo"), `identity_levels` (identity → level), `time_levels` (clock threshold
    percent → level). A level is an integer from 0 or a code "L1", "L2" …; a missing section is
    empty. `tier` (the ladder) and `description` may sit beside them and are ignored here.
    """
    if not isinstance(data, Mapping):
        raise PolicyError("升级策略应是含 risk_levels、risk_notify、identity_levels、time_levels 的表")
    problems = [
        f"未知的配置项 {key}（可用：risk_levels、risk_notify、identity_levels、time_levels）"
        for key in sorted(
            set(data)
            - {
                "risk_levels",
                "risk_notify",
                "identity_levels",
                "time_levels",
                "risk_immediate",
                "tier",
                "description",
            }
        )
    ]
    sections: dict[str, Mapping[Any, Any]] = {}
    for name in ("risk_levels", "risk_notify", "identity_levels", "time_levels"):
        value = data.get(name) or {}
        if isinstance(value, Mapping):
            sections[name] = value
        else:
            problems.append(f"{name}：应是“键 = 值”的表")
            sections[name] = {}
    risk_levels = _levels("risk_levels", sections["risk_levels"], problems)
    identity_levels = _levels("identity_levels", sections["identity_levels"], problems)
    notify: dict[str, frozenset[str]] = {}
    for key, roles in sections["risk_notify"].items():
        try:
            notify[str(key)] = parse_roles(roles)
        except ValueError as exc:
            problems.append(f"risk_notify.{key}：{exc}")
    time_levels: dict[int, int] = {}
    for key, level in _levels("time_levels", sections["time_levels"], problems).items():
        try:
            time_levels[int(key)] = level
        except ValueError:
            problems.append(f"time_levels.{key}：时限阈值须是 1–100 之间的整数（百分比）")
    problems += _policy_problems(risk_levels, notify, identity_levels, time_levels)
    raw_now = data.get("risk_immediate")
    if raw_now is None:
        immediate = DEFAULT_IMMEDIATE & set(risk_levels)
    elif isinstance(raw_now, (list, tuple)) and all(isinstance(x, str) for x in raw_now):
        immediate = frozenset(raw_now)
    else:
        problems.append('risk_immediate：应是信号类型的列表，如 ["self_harm", "violence"]')
        immediate = frozenset()
    if problems:
        raise PolicyError(problems)
    return Policy(risk_levels, notify, identity_levels, time_levels, immediate)


def _levels(section: str, table: Mapping[Any, Any], problems: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in table.items():
        try:
            out[str(key)] = parse_level(value)
        except ValueError as exc:
            problems.append(f"{section}.{key}：{exc}")
    return out


def policy_to_data(policy: Policy) -> dict[str, Any]:
    """The policy as JSON-ready data that `parse_policy` reads back (levels as codes "L3")."""
    return {
        "risk_levels": {key: level_code(v) for key, v in policy.risk_levels.items()},
        "risk_notify": {key: sorted(v) for key, v in policy.risk_notify.items()},
        "identity_levels": {key: level_code(v) for key, v in policy.identity_levels.items()},
        "time_levels": {str(t): level_code(v) for t, v in sorted(policy.time_levels.items())},
        "risk_immediate": sorted(policy.risk_immediate),
    }


@cache
def default_policy() -> Policy:
    """The default policy of policy.toml (an organisation replaces it with its own)."""
    return parse_policy(policy_table())


def validate_policy(policy: Policy, ladder: Ladder) -> list[str]:
    """Problems (Chinese) of `policy` on this organisation's `ladder`; empty when it fits."""
    top = ladder.top()
    where = f"本机构最高只到 {ladder.tier(top).label}"
    problems: list[str] = []
    for key, level in policy.risk_levels.items():
        if level > top:
            problems.append(
                f"risk_levels.{key}（{SIGNAL_LABELS[key]}）：要求升至 {level_code(level)}，但{where}"
            )
    for key, level in policy.identity_levels.items():
        if level > top:
            problems.append(
                f"identity_levels.{key}（{IDENTITIES[key]}）：要求升至 {level_code(level)}，但{where}"
            )
    steps = sorted(policy.time_levels.items())
    for threshold, level in steps:
        if level > top:
            problems.append(f"time_levels.{threshold}：要求升至 {level_code(level)}，但{where}")
    for (t1, l1), (t2, l2) in pairwise(steps):
        if l2 < l1:
            problems.append(
                f"time_levels：时限用得越多，层级不应越低（{t1}% → {level_code(l1)}，{t2}% → {level_code(l2)}）"
            )
    return problems


# ---------------------------------------------------------------------------- identities


def identity_kinds(evidence: str, signal_type: str = "special_identity") -> frozenset[str]:
    """Identity keys read from a signal's evidence ("我是记者" → journalist).

    A `vulnerable` signal is the vulnerable identity whatever its evidence (it may come from the
    customer's age, with no text).
    """
    if signal_type == "vulnerable":
        return frozenset({"vulnerable"})
    text = evidence.casefold()
    found = {key for key, words in _IDENTITY_WORDS.items() if any(w in text for w in words)}
    if "journalist" in found and not any(
        w in text.replace("自媒体", "") for w in _IDENTITY_WORDS["journalist"]
    ):
        found.discard("journalist")
    return frozenset(found)


def identities_from_signals(signals: Iterable[Signal]) -> frozenset[str]:
    """Identities claimed by counting special_identity and vulnerable signals (mentions ignored)."""
    out: set[str] = set()
    for signal in signals:
        if signal.counts and signal.type in ("special_identity", "vulnerable"):
            out |= identity_kinds(signal.evidence, signal.type)
    return frozenset(out)


def notify_roles_for(signals: Iterable[Signal], policy: Policy) -> frozenset[str]:
    """Roles to tell about these signals (mentions ignored), even when the case need not move."""
    roles: set[str] = set()
    for signal in signals:
        if signal.counts:
            roles |= policy.risk_notify.get(signal.type, frozenset())
    return frozenset(roles)


# ---------------------------------------------------------------------------- the rules


def propose(facts: Facts, ladder: Ladder, policy: Policy) -> Proposal | None:
    """The escalation these facts call for, or None when the case can stay at its level.

    Every reason whose level is above the current level is listed (highest first); the case goes
    to the highest of them, capped at the ladder's top. Risk reasons are immediate. A mention
    never counts, and a pure skill problem is no reason to escalate (see the module docstring).
    `notify_roles` covers every counting risk signal, including one whose level is already met.
    """
    reasons = [
        *_risk(facts, ladder, policy),
        *_authority(facts, ladder),
        *_identity(facts, ladder, policy),
        *_time(facts, ladder, policy),
        *_resources(facts, ladder),
    ]
    reasons = [r for r in reasons if r.level > facts.level]
    if not reasons:
        return None
    reasons.sort(key=lambda r: (-r.level, RULES.index(r.rule), r.text))
    return Proposal(
        to_level=reasons[0].level,
        reasons=tuple(reasons),
        immediate=any(r.immediate for r in reasons),
        notify_roles=notify_roles_for(facts.signals, policy),
    )


def _capped(level: int, ladder: Ladder) -> Tier:
    return ladder.tier(min(level, ladder.top()))


def _risk(facts: Facts, ladder: Ladder, policy: Policy) -> list[Reason]:
    chosen: dict[str, Signal] = {}
    for signal in facts.signals:
        if not signal.counts or signal.type not in policy.risk_levels:
            continue
        if signal.type not in chosen or (signal.status == "done" and chosen[signal.type].status != "done"):
            chosen[signal.type] = signal
    out: list[Reason] = []
    for kind, signal in chosen.items():
        tier = _capped(policy.risk_levels[kind], ladder)
        threatened, done = _ACTS[kind]
        text = f"{done if signal.status == 'done' else threatened}{_quote(signal.evidence)}"
        text += f"，须立即升级至 {tier.label}"
        roles = policy.risk_notify.get(kind, frozenset())
        if roles:
            text += f"，并通知{_role_words(roles)}"
        if kind not in policy.risk_immediate:
            text = text.replace("须立即升级", "建议升级")
        out.append(Reason("risk", tier.level, text, immediate=kind in policy.risk_immediate))
    return out


def _quote(evidence: str) -> str:
    evidence = " ".join(evidence.split())
    if not evidence:
        return ""
    if len(evidence) > _EVIDENCE_CHARS:
        evidence = evidence[:_EVIDENCE_CHARS] + "…"
    return f"（“{evidence}”）"


def _role_words(roles: Iterable[str]) -> str:
    order = list(ROLE_LABELS)
    return "、".join(ROLE_LABELS[r] for r in sorted(roles, key=order.index))


def _authority(facts: Facts, ladder: Ladder) -> list[Reason]:
    if facts.demanded_amount is None:
        return []
    amount = Decimal(str(facts.demanded_amount))
    current = _capped(facts.level, ladder)
    own = facts.owner_limit is not None
    limit = Decimal(str(facts.owner_limit)) if own else current.compensation_limit
    # A case already escalated is decided with its tier's authority, whoever still holds the file.
    if own and facts.level > 0:
        tier_limit = current.compensation_limit
        limit = None if tier_limit is None else max(limit or Decimal(0), tier_limit)
        own = limit != tier_limit
    if amount <= 0 or limit is None or amount <= limit:
        return []
    tier = _capped(max(ladder.level_for_amount(amount), facts.level + 1), ladder)
    who = "当前处理人" if own else f" {current.label} "
    text = f"客户诉求金额 {_yuan(amount)}，超出{who}的补偿授权（{_yuan(limit)}），须升级至 {tier.label}审批"
    return [Reason("authority", tier.level, text, immediate=False)]


def _yuan(amount: Decimal) -> str:
    if amount == amount.to_integral_value():
        return f"{int(amount):,}元"
    return f"{amount:,.2f}元"


def _identity(facts: Facts, ladder: Ladder, policy: Policy) -> list[Reason]:
    out: list[Reason] = []
    for key in sorted(facts.identities | identities_from_signals(facts.signals)):
        if key not in policy.identity_levels:
            continue
        tier = _capped(policy.identity_levels[key], ladder)
        how = "优先处理" if key == "vulnerable" else "接待处理，统一口径"
        text = f"客户身份为{IDENTITIES[key]}，按本机构规定由 {tier.label}{how}"
        out.append(Reason("identity", tier.level, text, immediate=False))
    return out


def _time(facts: Facts, ladder: Ladder, policy: Policy) -> list[Reason]:
    reached = [(t, level) for t, level in policy.time_levels.items() if facts.clock_threshold >= t]
    if not reached:
        return []
    tier = _capped(max(level for _, level in reached), ladder)
    threshold = max(t for t, _ in reached)
    when = "已到处理时限" if threshold >= 100 else f"处理时限已用去 {threshold}%"
    return [Reason("time", tier.level, f"{when}，须升级至 {tier.label}督办", immediate=False)]


def _resources(facts: Facts, ladder: Ladder) -> list[Reason]:
    why = " ".join(facts.resources.split())
    if not why:
        return []
    tier = _capped(facts.level + 1, ladder)
    text = f"处理人反馈超出本级资源：{why}，须升级至 {tier.label}"
    return [Reason("resources", tier.level, text, immediate=False)]


# ---------------------------------------------------------------------------- manual moves


def escalation_problem(current: int, target: int, reason: str, ladder: Ladder) -> str | None:
    """Why a person may not escalate from `current` to `target` with this reason, or None."""
    top = ladder.top()
    if target > top:
        return f"本机构最高只到 {ladder.tier(top).label}，不能升级至 {level_code(target)}"
    if target <= current:
        return f"升级须升到当前层级 {level_code(current)} 以上"
    if not reason.strip():
        return "请写明升级理由：超出授权、超出资源、时限还是风险，具体是什么"
    return None


def deescalation_problem(current: int, target: int, reason: str) -> str | None:
    """Why a person may not bring a case down from `current` to `target`, or None."""
    if target < 0:
        return "降级目标层级无效，最低为 L1"
    if target >= current:
        return f"降级须降到当前层级 {level_code(current)} 以下"
    if len("".join(reason.split())) < MIN_REASON_CHARS:
        return f"请写明降级理由（至少 {MIN_REASON_CHARS} 个字），说明为什么较低层级即可解决"
    return None
