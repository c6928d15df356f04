"""Plain builder functions with fixed defaults: they make the demo data and the tests' personas.

Everything here goes through the services, so demo cases carry a real audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kesu.accounts.models import OrgUnit, User
from kesu.accounts.services import unit_ensure, user_ensure
from kesu.cases import services, workflow
from kesu.cases.models import Case

DEMO_PASSWORD = "kesu-demo"
DEFAULT_TEXT = "我上个月办的信用卡，没人告诉我有300元年费，现在直接从卡里扣了。请退还年费并给个说法。"


@dataclass(frozen=True)
class Org:
    head: OrgUnit
    east: OrgUnit
    east_pudong: OrgUnit
    east_xihu: OrgUnit
    north: OrgUnit
    north_chaoyang: OrgUnit


def build_org() -> Org:
    """总行 → 华东分行 (浦东支行, 西湖支行) and 华北分行 (朝阳支行)."""
    head = unit_ensure(code="hq", name="总行", level="head_office")
    east = unit_ensure(code="east", name="华东分行", level="branch", parent=head)
    north = unit_ensure(code="north", name="华北分行", level="branch", parent=head)
    return Org(
        head=head,
        east=east,
        east_pudong=unit_ensure(code="east-pudong", name="浦东支行", level="sub_branch", parent=east),
        east_xihu=unit_ensure(code="east-xihu", name="西湖支行", level="sub_branch", parent=east),
        north=north,
        north_chaoyang=unit_ensure(code="north-chaoyang", name="朝阳支行", level="sub_branch", parent=north),
    )


# username → (role, unit attribute of Org, display name). `outsider` is a handler in the other branch.
PERSONAS: dict[str, tuple[str, str, str]] = {
    "handler": ("handler", "east_pudong", "韩坐席"),
    "specialist": ("specialist", "east", "司专员"),
    "supervisor": ("supervisor", "east", "苏主管"),
    "cpo": ("cpo", "head", "齐消保"),
    "legal": ("legal", "head", "黎法务"),
    "trainer": ("trainer", "head", "谭培训"),
    "admin": ("admin", "head", "管理员"),
    "outsider": ("handler", "north_chaoyang", "欧坐席"),
}


def build_user(
    username: str, role: str, unit: OrgUnit | None, *, name: str = "", password: str = DEMO_PASSWORD
) -> User:
    return user_ensure(
        username=username, role=role, unit=unit, password=password, display_name=name or username
    )


def build_personas(org: Org | None = None) -> dict[str, User]:
    """The eight demo users, all with password `kesu-demo`."""
    org = org or build_org()
    return {
        username: build_user(username, role, getattr(org, unit), name=name)
        for username, (role, unit, name) in PERSONAS.items()
    }


def build_case(user: User, text: str = DEFAULT_TEXT, **fields: Any) -> Case:
    """A case opened by `user`, with a fixed fictitious complainant unless given."""
    fields.setdefault("complainant_name", "张测试")
    fields.setdefault("complainant_phone", "13800001234")
    fields.setdefault("channel", "phone")
    fields.setdefault("industry", "banking")
    return services.case_open(user=user, text=text, **fields)


FULL_NOTICE = {
    "result": "经核实，年费收取前未充分告知，同意退还本年度年费300元。",
    "reasons": "办卡时未向客户说明年费收取规则。",
    "basis": "《消费者权益保护法》第八条；信用卡领用合约第五条。",
    "redress": "如对处理结果有异议，可在收到本告知之日起30日内向上级机构申请核查，或向金融监管部门投诉、申请调解或依法起诉。",
}
FULL_CLOSURE = workflow.Closure(
    root_cause="communication",
    controllable=True,
    internal=True,
    responsibility="办卡网点客户经理未履行告知义务",
    payout_kind="goodwill",
    payout_amount=Decimal("300.00"),
    payout_basis="内部客户补偿办法",
    lesson="办卡时须逐项告知年费规则并请客户签字确认。",
)


def drive(case: Case, to_status: str, people: dict[str, User]) -> Case:
    """Move a freshly opened case to `to_status` through the services, as real people would.

    `people` needs `owner` (who received it), `reviewer` (may close) and, for transfers, `colleague`.
    """
    owner, reviewer = people["owner"], people["reviewer"]
    if to_status == "transfer_pending":
        return services.case_transfer(user=owner, case=case, to=people["colleague"], note="转专员处理")
    if to_status == "withdrawn":
        return services.case_withdraw(
            user=owner, case=case, reason="客户来电表示问题已自行解决，撤回投诉（有录音）"
        )
    if to_status == "received":
        return case
    case = services.case_start(user=owner, case=case)
    if to_status == "in_progress":
        return case
    services.case_issue_notice(user=owner, case=case, **FULL_NOTICE)
    case = services.case_resolve(user=owner, case=Case.objects.get(pk=case.pk))
    if to_status == "resolved":
        return case
    case = services.case_callback(
        user=owner, case=case, satisfaction="satisfied", recurred=False, note="客户表示认可"
    )
    if to_status == "callback_done":
        return case
    return services.case_close(user=reviewer, case=case, closure=FULL_CLOSURE)
