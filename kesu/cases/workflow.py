"""The case workflow as a declarative table (pure: no Django, no database).

`decide(action, state, actor)` answers "may this person do this to this case now?" with a verdict
and a reason in plain Chinese. The services ask it before every state change; pages ask
`allowed_actions` to show only the buttons that will work. What each action must carry (a closure
record, a decision notice, a callback result) is checked by the `*_missing` functions below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

STATUSES: dict[str, str] = {
    "received": "已受理",
    "in_progress": "处理中",
    "resolved": "已办结待回访",
    "callback_done": "已回访",
    "closed": "已结案",
    "withdrawn": "已撤诉",
    "merged": "已合并",
}
FINISHED_STATUSES = frozenset({"closed", "withdrawn", "merged"})
"""A case in one of these is no longer open (duplicates are looked for among the others)."""

ROLE_LABELS: dict[str, str] = {
    "handler": "坐席",
    "specialist": "投诉专员",
    "supervisor": "主管",
    "cpo": "消保专员",
    "legal": "法务",
    "trainer": "培训师",
    "admin": "系统管理员",
}
HANDLING = frozenset({"handler", "specialist", "supervisor", "cpo"})
REVIEWING = frozenset({"specialist", "supervisor", "cpo"})
LEADS = frozenset({"supervisor", "cpo"})

# Who, beyond having the role, may act: anyone with the role in scope, the case owner, the owner or
# a lead (supervisor, cpo), or the colleague a pending transfer names.
ANYONE, OWNER, OWNER_OR_LEAD, TRANSFER_TARGET = "anyone", "owner", "owner_or_lead", "transfer_target"
NO_PENDING_TRANSFER, PENDING_TRANSFER, NOTICE_ISSUED = (
    "no_pending_transfer",
    "pending_transfer",
    "notice_issued",
)


@dataclass(frozen=True)
class Rule:
    action: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    roles: frozenset[str]
    who: str = ANYONE
    needs: tuple[str, ...] = ()


OPEN = frozenset({"received", "in_progress"})
TABLE: tuple[Rule, ...] = (
    Rule(
        "start", "开始处理", frozenset({"received"}), "in_progress", HANDLING, OWNER, (NO_PENDING_TRANSFER,)
    ),
    Rule("transfer", "转办", OPEN, None, HANDLING, OWNER_OR_LEAD, (NO_PENDING_TRANSFER,)),
    Rule("accept", "接收转办", OPEN, "in_progress", HANDLING, TRANSFER_TARGET, (PENDING_TRANSFER,)),
    Rule("decline", "退回转办", OPEN, None, HANDLING, TRANSFER_TARGET, (PENDING_TRANSFER,)),
    Rule(
        "issue_notice",
        "出具处理决定告知",
        frozenset({"in_progress"}),
        None,
        HANDLING,
        OWNER_OR_LEAD,
        (NO_PENDING_TRANSFER,),
    ),
    Rule(
        "resolve",
        "办结",
        frozenset({"in_progress"}),
        "resolved",
        HANDLING,
        OWNER_OR_LEAD,
        (NO_PENDING_TRANSFER, NOTICE_ISSUED),
    ),
    Rule("callback", "回访", frozenset({"resolved"}), "callback_done", HANDLING),
    Rule("close", "结案", frozenset({"resolved", "callback_done"}), "closed", REVIEWING),
    Rule("reopen", "重新处理", frozenset({"resolved", "callback_done", "closed"}), "in_progress", LEADS),
    Rule("withdraw", "撤诉", OPEN, "withdrawn", HANDLING, OWNER_OR_LEAD),
    Rule("merge", "合并至其他案件", OPEN, "merged", REVIEWING),
)
RULES: dict[str, Rule] = {r.action: r for r in TABLE}
ACTION_LABELS: dict[str, str] = {r.action: r.label for r in TABLE}
EVENT_LABELS: dict[str, str] = {
    "open": "受理",
    "update": "修改受理信息",
    "attach": "添加附件",
    "merged_in": "并入案件",
    **ACTION_LABELS,
}
"""Labels of every action an audit event can record (workflow actions and the others)."""


@dataclass(frozen=True)
class CaseState:
    status: str
    has_pending_transfer: bool = False
    notice_issued: bool = False


@dataclass(frozen=True)
class Actor:
    role: str
    is_owner: bool = False
    is_transfer_target: bool = False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    target: str | None = None  # the status after the action (None: unchanged)


def _names(keys: frozenset[str], labels: dict[str, str]) -> str:
    return "、".join(labels[k] for k in labels if k in keys)


def _who_refusal(rule: Rule, actor: Actor) -> str | None:
    if rule.who == OWNER and not actor.is_owner:
        return f"只有案件负责人可以{rule.label}"
    if rule.who == OWNER_OR_LEAD and not (actor.is_owner or actor.role in LEADS):
        return f"只有案件负责人或主管、消保专员可以{rule.label}"
    if rule.who == TRANSFER_TARGET and not actor.is_transfer_target:
        return f"只有被指定接收的同事本人可以{rule.label}"
    return None


def _needs_refusal(rule: Rule, state: CaseState) -> str | None:
    if NO_PENDING_TRANSFER in rule.needs and state.has_pending_transfer:
        return f"案件正等待同事接收转办，接收或退回之前不能{rule.label}"
    if PENDING_TRANSFER in rule.needs and not state.has_pending_transfer:
        return "案件没有待接收的转办"
    if NOTICE_ISSUED in rule.needs and not state.notice_issued:
        return "尚未出具处理决定告知（处理结果、理由、依据、救济途径），不能办结"
    return None


def decide(action: str, state: CaseState, actor: Actor) -> Verdict:
    """May `actor` perform `action` on a case in `state`? The reason is shown to the user as is."""
    rule = RULES.get(action)
    if rule is None:
        return Verdict(False, f"未知操作「{action}」，可选：{'、'.join(RULES)}")
    if state.status not in rule.sources:
        now = STATUSES.get(state.status, state.status)
        return Verdict(
            False, f"案件当前为「{now}」，不能{rule.label}（仅限{_names(rule.sources, STATUSES)}的案件）"
        )
    if actor.role not in rule.roles:
        mine = ROLE_LABELS.get(actor.role, actor.role)
        return Verdict(False, f"{rule.label}须由{_names(rule.roles, ROLE_LABELS)}执行，您的角色是{mine}")
    refusal = _who_refusal(rule, actor) or _needs_refusal(rule, state)
    if refusal:
        return Verdict(False, refusal)
    after = STATUSES[rule.target] if rule.target else STATUSES[state.status]
    return Verdict(True, f"可以{rule.label}：{STATUSES[state.status]} → {after}", rule.target)


def allowed_actions(state: CaseState, actor: Actor) -> list[str]:
    """The actions `actor` may take now, in table order (for showing buttons)."""
    return [r.action for r in TABLE if decide(r.action, state, actor).allowed]


# --- What an action must carry -------------------------------------------------------------------

ROOT_CAUSES: dict[str, str] = {
    "product_technical": "产品/技术",
    "communication": "沟通",
    "attitude": "服务态度",
    "customer_own": "客户自身",
}
PAYOUT_KINDS: dict[str, str] = {"none": "未支付", "goodwill": "补偿", "damages": "赔偿"}
SATISFACTION: dict[str, str] = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "neutral": "一般",
    "dissatisfied": "不满意",
    "unreachable": "未联系上",
}


@dataclass(frozen=True)
class Closure:
    root_cause: str = ""
    controllable: bool | None = None
    internal: bool | None = None
    responsibility: str = ""
    payout_kind: str = ""
    payout_amount: Decimal | None = None
    payout_basis: str = ""
    lesson: str = ""


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _payout_missing(c: Closure) -> list[str]:
    if c.payout_kind not in PAYOUT_KINDS:
        return ["请说明支付情况：未支付、补偿（无责任的善意补偿）或赔偿（依法承担责任）"]
    if c.payout_amount is not None and c.payout_amount < 0:
        return ["支付金额不能为负数"]
    if c.payout_kind == "none":
        return ["选择「未支付」时金额应为空或 0"] if c.payout_amount else []
    problems = [] if c.payout_amount else [f"请填写{PAYOUT_KINDS[c.payout_kind]}金额"]
    if c.payout_kind == "damages" and _blank(c.payout_basis):
        problems.append("赔偿须写明法律依据（如：消费者权益保护法第五十五条、合同条款）")
    return problems


def closure_missing(c: Closure) -> list[str]:
    """What a closure record still lacks, in plain Chinese; empty when the case may be closed."""
    problems: list[str] = []
    if c.root_cause not in ROOT_CAUSES:
        problems.append(f"请选择根本原因：{'、'.join(ROOT_CAUSES.values())}")
    if c.controllable is None:
        problems.append("请说明原因是否可控")
    if c.internal is None:
        problems.append("请说明属于内部原因还是外部原因")
    if _blank(c.responsibility):
        problems.append("请填写责任认定（如：无责、网点柜员、合作机构）")
    problems += _payout_missing(c)
    if _blank(c.lesson):
        problems.append("请填写经验教训或整改建议")
    return problems


@dataclass(frozen=True)
class Notice:
    result: str = ""
    reasons: str = ""
    basis: str = ""
    redress: str = ""


def notice_missing(n: Notice) -> list[str]:
    """What a decision notice still lacks; a notice is issued only with all four elements."""
    names = (
        (n.result, "处理结果"),
        (n.reasons, "理由"),
        (n.basis, "依据（法规、合同条款或内部制度）"),
        (n.redress, "救济途径（如：向上级机构申请核查、向金融监管部门投诉、申请调解、诉讼）"),
    )
    return [f"处理决定告知缺少{label}" for value, label in names if _blank(value)]


def callback_missing(satisfaction: str, recurred: bool | None) -> list[str]:
    """A callback records satisfaction and, when the customer was reached, whether it recurred."""
    if satisfaction not in SATISFACTION:
        return [f"请选择回访满意度：{'、'.join(SATISFACTION.values())}"]
    if satisfaction != "unreachable" and recurred is None:
        return ["请记录问题是否再次发生"]
    return []
