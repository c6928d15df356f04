"""The case page's forms → service calls. Parsing only: every rule lives in the services.

Each handler takes the user, the case and the posted form, calls one service and returns the
success message. Bad input raises `InvalidInput` with a Chinese message, like the services do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases import services, services_comms, workflow
from kesu.cases.errors import InvalidInput
from kesu.cases.models import Case
from kesu.cases.selectors import transfer_candidates, visible_cases
from kesu.clocks import services as clock_services
from kesu.clocks.models import ExtensionRequest
from kesu.routing import services as routing_services
from kesu.routing.models import REVIEW_VERDICTS
from kesu.routing.selectors import level_label

Form = Mapping[str, Any]
Handler = Callable[[User, Case, Form], str]


def _s(form: Form, key: str) -> str:
    return str(form.get(key) or "").strip()


def _version(form: Form) -> int:
    try:
        return int(_s(form, "version"))
    except ValueError:
        raise InvalidInput("表单缺少版本号，请刷新页面后重试") from None


def _yes_no(form: Form, key: str) -> bool | None:
    return {"yes": True, "no": False}.get(_s(form, key))


def _amount(form: Form) -> Decimal | None:
    raw = _s(form, "payout_amount").replace(",", "").replace("，", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"支付金额「{raw}」不是有效的数字") from None
    if not value.is_finite() or value.as_tuple().exponent < -2 or abs(value) >= Decimal("1e10"):  # type: ignore[operator]
        raise InvalidInput("支付金额须为不超过两位小数的合理金额（元）")
    return value


def _when(form: Form, what: str = "沟通时间") -> datetime | None:
    raw = _s(form, "at")
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{what}格式不正确，应为 年-月-日 时:分") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _transfer(user: User, case: Case, form: Form) -> str:
    wanted = _s(form, "to")
    to = next((u for u in transfer_candidates(case) if str(u.pk) == wanted), None)
    if to is None:
        raise InvalidInput("请从列表中选择转办接收人")
    services.case_transfer(user=user, case=case, to=to, note=_s(form, "note"), version=_version(form))
    return f"已转办给{to.display_name}，对方接收前案件仍由您负责（首问负责制）"


def _notice(user: User, case: Case, form: Form) -> str:
    services.case_issue_notice(
        user=user,
        case=case,
        result=_s(form, "result"),
        reasons=_s(form, "reasons"),
        basis=_s(form, "basis"),
        redress=_s(form, "redress"),
        version=_version(form),
    )
    return "已出具处理决定告知"


def _callback(user: User, case: Case, form: Form) -> str:
    satisfaction, recurred = _s(form, "satisfaction"), _yes_no(form, "recurred")
    services.case_callback(
        user=user,
        case=case,
        satisfaction=satisfaction,
        recurred=recurred,
        note=_s(form, "note"),
        version=_version(form),
    )
    if satisfaction == "dissatisfied" or recurred:
        return "已记录回访。客户不满意或问题复发：请主管或消保专员「重新处理」本案，不要直接结案"
    return "已记录回访"


def _close(user: User, case: Case, form: Form) -> str:
    closure = workflow.Closure(
        root_cause=_s(form, "root_cause"),
        controllable=_yes_no(form, "controllable"),
        internal=_yes_no(form, "internal"),
        responsibility=_s(form, "responsibility"),
        payout_kind=_s(form, "payout_kind"),
        payout_amount=_amount(form),
        payout_basis=_s(form, "payout_basis"),
        lesson=_s(form, "lesson"),
    )
    services.case_close(user=user, case=case, closure=closure, version=_version(form))
    return "已结案"


def _merge(user: User, case: Case, form: Form) -> str:
    number = _s(form, "into")
    into = visible_cases(user).filter(number__iexact=number).first() if number else None
    if into is None:
        raise InvalidInput(f"找不到案件编号「{number}」（须为您可查看的案件）")
    services.case_merge(user=user, case=case, into=into, version=_version(form))
    return f"已合并至 {into.number}"


def _level(form: Form) -> int:
    try:
        return int(_s(form, "level"))
    except ValueError:
        raise InvalidInput("请选择层级") from None


def _escalate(user: User, case: Case, form: Form) -> str:
    level = _level(form)
    services_comms.case_escalate(
        user=user, case=case, level=level, reason=_s(form, "reason"), version=_version(form)
    )
    return f"已升级至{level_label(level)}"


def _deescalate(user: User, case: Case, form: Form) -> str:
    level = _level(form)
    routing_services.case_deescalate(
        user=user, case=case, level=level, reason=_s(form, "reason"), version=_version(form)
    )
    return f"已降级至{level_label(level)}"


def _review(user: User, case: Case, form: Form) -> str:
    wanted = _s(form, "escalation")
    if not case.escalations.filter(pk=int(wanted) if wanted.isdigit() else 0).exists():
        raise InvalidInput("所选的升级记录不存在")
    esc = routing_services.escalation_review(
        user=user, escalation_id=wanted, verdict=_s(form, "verdict"), note=_s(form, "note")
    )
    return f"已记录升级复核结论：{REVIEW_VERDICTS.get(esc.verdict, esc.verdict)}"


def _respondent(user: User, case: Case, form: Form) -> str:
    staff_id, unit_id = _s(form, "staff"), _s(form, "unit")
    staff = User.objects.filter(pk=int(staff_id), is_active=True).first() if staff_id.isdigit() else None
    if staff_id and staff is None:
        raise InvalidInput("所选人员不存在")
    if unit_id and not unit_id.isdigit():
        raise InvalidInput("所选机构不存在")
    row = routing_services.respondent_add(
        user=user, case=case, staff=staff, unit_id=int(unit_id) if unit_id else None, note=_s(form, "note")
    )
    who = row.user.display_name if row.user else row.unit.name if row.unit else ""
    return f"已登记被投诉对象：{who}。其本人及所在机构人员须回避本案"


def _reassign(user: User, case: Case, form: Form) -> str:
    wanted = _s(form, "to")
    to = User.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if to is None:
        raise InvalidInput("请从列表中选择改派对象")
    routing_services.case_reassign(
        user=user, case=case, to=to, reason=_s(form, "reason"), version=_version(form)
    )
    return f"已改派给{to.display_name}"


def _request(case: Case, form: Form) -> ExtensionRequest:
    wanted = _s(form, "request")
    found = (
        ExtensionRequest.objects.filter(pk=int(wanted), clock__case=case).first()
        if wanted.isdigit()
        else None
    )
    if found is None:
        raise InvalidInput("该延期申请不存在")
    return found


def _extension_request(user: User, case: Case, form: Form) -> str:
    req = clock_services.extension_request(
        user=user, case=case, clock_id=_s(form, "clock"), reason=_s(form, "reason")
    )
    return f"已提交{req.clock.name}的延期申请，等待审批"


def _extension_approve(user: User, case: Case, form: Form) -> str:
    req = clock_services.extension_decide(
        user=user,
        request=_request(case, form),
        approve=True,
        note=_s(form, "note"),
        notice_kind=_s(form, "notice_kind"),
        notice_summary=_s(form, "notice_summary"),
        notice_at=_when(form, "告知时间"),
    )
    due = req.clock.due_at
    tail = f"，新期限 {timezone.localtime(due):%Y-%m-%d %H:%M}" if due else ""
    return (
        f"已批准{req.clock.name}延期{tail}；延期告知已记入沟通记录" if req.notice_id else f"已批准延期{tail}"
    )


def _extension_reject(user: User, case: Case, form: Form) -> str:
    clock_services.extension_decide(
        user=user, request=_request(case, form), approve=False, note=_s(form, "note")
    )
    return "已驳回延期申请，申请人会在待办中看到理由"


def _pause(user: User, case: Case, form: Form) -> str:
    pauses = clock_services.clock_pause(
        user=user, case=case, reason=_s(form, "reason"), at=_when(form, "中止时间")
    )
    return f"已中止计算：{'、'.join(p.clock.name for p in pauses)}（鉴定、检测、评估期间不计入期限）"


def _resume(user: User, case: Case, form: Form) -> str:
    clock_services.clock_resume(user=user, case=case, at=_when(form, "恢复时间"), note=_s(form, "note"))
    return "已恢复计算，期限已顺延中止的天数"


def _restart(user: User, case: Case, form: Form) -> str:
    clocks = clock_services.clock_restart(
        user=user, case=case, reason=_s(form, "reason"), at=_when(form, "收到新材料的时间")
    )
    return f"已重新起算：{'、'.join(c.name for c in clocks)}"


def _promise(user: User, case: Case, form: Form) -> str:
    raw = _s(form, "day")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("请选择承诺答复日期（年-月-日）") from None
    clock_services.promise_set(user=user, case=case, day=day, note=_s(form, "note"))
    return f"已记录承诺答复日期 {day:%Y-%m-%d}；到期仍无结果时，系统会提醒您联系客户"


def _contact(user: User, case: Case, form: Form) -> str:
    services_comms.contact_add(
        user=user,
        case=case,
        kind=_s(form, "kind"),
        summary=_s(form, "summary"),
        at=_when(form),
        version=_version(form),
    )
    return "已添加沟通记录"


def _reply(user: User, case: Case, form: Form) -> str:
    sent = _s(form, "sent") == "yes"
    wanted = _s(form, "contact")
    contact = case.contacts.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if wanted and contact is None:
        raise InvalidInput("所选的沟通记录不存在")
    reply = services_comms.reply_save(
        user=user,
        case=case,
        text=str(form.get("reply_text") or ""),
        sent=sent,
        contact=contact,
        version=_version(form),
    )
    problems = len(reply.findings.get("findings", []))
    tail = f"，仍有 {problems} 处建议修改" if problems else "，检查未发现问题"
    return f"答复已保存（检查得分 {reply.score:g}{tail}）"


def _simple(call: Callable[..., Any], message: str, *, reason: bool = False) -> Handler:
    def handler(user: User, case: Case, form: Form) -> str:
        extra = {"reason": _s(form, "reason")} if reason else {}
        call(user=user, case=case, version=_version(form), **extra)
        return message

    return handler


def _flag(user: User, case: Case, form: Form) -> str:
    services_comms.complainant_flag(
        user=user, case=case, kind=_s(form, "kind"), note=_s(form, "note"), version=_version(form)
    )
    return "已记录经确认的投诉人标记"


ACTIONS: dict[str, Handler] = {
    "start": _simple(services.case_start, "已开始处理"),
    "transfer": _transfer,
    "accept": _simple(services.case_accept, "已接收，您现在是本案负责人"),
    "decline": _simple(services.case_decline, "已退回转办，案件仍由原负责人处理", reason=True),
    "issue_notice": _notice,
    "resolve": _simple(services.case_resolve, "已办结，请按时回访"),
    "callback": _callback,
    "close": _close,
    "reopen": _simple(services.case_reopen, "已重新处理", reason=True),
    "withdraw": _simple(services.case_withdraw, "已记录撤诉", reason=True),
    "merge": _merge,
    "escalate": _escalate,
    "deescalate": _deescalate,
    "escalation_review": _review,
    "respondent": _respondent,
    "reassign": _reassign,
    "extension_request": _extension_request,
    "extension_approve": _extension_approve,
    "extension_reject": _extension_reject,
    "clock_pause": _pause,
    "clock_resume": _resume,
    "clock_restart": _restart,
    "promise": _promise,
    "contact": _contact,
    "reply": _reply,
    "flag": _flag,
}
ANCHORS: dict[str, str] = {
    "contact": "comms",
    "reply": "reply",
    "issue_notice": "notice",
    "flag": "profile",
    **dict.fromkeys(("escalate", "deescalate", "escalation_review", "respondent", "reassign"), "routing"),
    **dict.fromkeys(
        (
            "extension_request",
            "extension_approve",
            "extension_reject",
            "clock_pause",
            "clock_resume",
            "clock_restart",
            "promise",
        ),
        "clocks",
    ),
}
"""Where the page scrolls to after each action (default: the workflow actions)."""
