"""Writes around the handling of a case: the communications log, reply drafts, escalation.

Same rules as `kesu.cases.services`: keyword-only, typed, one transaction, the case's `version`
checked by a conditional update (so a stale page cannot write), and an audit event appended in the
same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import User
from kesu.analysis import check_reply
from kesu.cases import workflow
from kesu.cases.errors import Forbidden, InvalidInput, NotFound
from kesu.cases.masking import mask_text
from kesu.cases.models import CONTACT_KINDS, FLAG_KINDS, Case, ComplainantFlag, Contact, ReplyDraft
from kesu.cases.selectors import user_can_see
from kesu.cases.services import _write
from kesu.clocks import hooks as clock_hooks
from kesu.routing.conflicts import ensure_no_conflict

ESCALATION_LEVELS: dict[int, str] = {
    1: "投诉专员/专家坐席",
    2: "分支机构消保部门",
    3: "总行消保部门",
}
"""Seed 001's ladder above the front desk (level 0): expert → branch → head office."""
EVENT_LABELS: dict[str, str] = {
    "contact": "沟通记录",
    "reply": "保存答复",
    "escalate": "升级",
    "flag": "确认投诉人标记",
    "deescalate": "降级",
    "escalation_review": "升级合理性复核",
    "respondent": "登记被投诉对象",
    "reassign": "改派",
    "extension_request": "申请延期",
    "extension_approved": "批准延期",
    "extension_rejected": "驳回延期",
    "clock_pause": "时限中止",
    "clock_resume": "时限恢复",
    "clock_restart": "时限重新起算",
    "clocks_reselect": "时限规则变更",
    "promise": "承诺答复日期",
    "clock_warning": "时限预警",
    "clock_breach": "时限超期",
    "promise_due": "承诺答复日已到",
}
"""Audit actions written here (the workflow's own labels are in `workflow.EVENT_LABELS`)."""
_FUTURE_SLACK = timedelta(minutes=10)


def _may_handle(user: User, case: Case) -> None:
    if not user_can_see(user, case):
        raise NotFound("案件不存在或您无权查看")
    if user.role not in workflow.HANDLING:
        raise Forbidden("您的角色只能查看案件，不能办理（办理须由坐席、投诉专员、主管或消保专员）")
    ensure_no_conflict(user, case, "办理")


@transaction.atomic
def contact_add(
    *,
    user: User,
    case: Case,
    kind: str,
    summary: str,
    at: datetime | None = None,
    version: int | None = None,
) -> Contact:
    """Log one contact with the customer (a call, message, letter or visit)."""
    _may_handle(user, case)
    if kind not in CONTACT_KINDS:
        raise InvalidInput(f"请选择沟通方式：{'、'.join(CONTACT_KINDS.values())}")
    if not summary.strip():
        raise InvalidInput("请填写沟通内容摘要（说了什么、客户的回应、约定的下一步）")
    when = at or timezone.now()
    if when > timezone.now() + _FUTURE_SLACK:
        raise InvalidInput("沟通时间不能晚于当前时间")
    note = f"{CONTACT_KINDS[kind]} {timezone.localtime(when):%Y-%m-%d %H:%M}：{summary.strip()}"
    _write(case, user=user, action="contact", values={}, version=version, note=note[:500])
    contact = Contact.objects.create(case=case, kind=kind, summary=summary.strip(), at=when, by=user)
    clock_hooks.contact_logged(case, when)
    return contact


@transaction.atomic
def reply_save(
    *,
    user: User,
    case: Case,
    text: str,
    sent: bool = False,
    contact: Contact | None = None,
    version: int | None = None,
) -> ReplyDraft:
    """Save a reply with the reply check's result at this moment; optionally mark it sent.

    `contact` (an entry of this case's communications log) says through which contact the reply
    went out; it is kept in `findings["sent_via"]` because a reply has no column for it.
    """
    _may_handle(user, case)
    if not text.strip():
        raise InvalidInput("答复内容为空")
    if contact is not None and (contact.case_id != case.pk or not sent):
        raise InvalidInput("发送渠道须是本案件的一条沟通记录，且答复须标记为已发送")
    check: dict[str, Any] = check_reply(text).to_dict()
    if contact is not None:
        check["sent_via"] = {
            "contact_id": contact.pk,
            "kind": contact.kind,
            "at": timezone.localtime(contact.at).isoformat(),
        }
    rules = "、".join(dict.fromkeys(f["rule"] for f in check["findings"])) or "无"
    note = f"{'已发送' if sent else '草稿'}，检查得分 {check['score']:g}，问题：{rules}"
    _write(case, user=user, action="reply", values={}, version=version, note=note)
    return ReplyDraft.objects.create(
        case=case, text=text, findings=check, score=float(check["score"]), sent=sent, by=user
    )


def case_escalate(*, user: User, case: Case, level: int, reason: str, version: int | None = None) -> Case:
    """Escalate to a higher tier with a reason (kept here for callers; `kesu.routing.services` does it)."""
    from kesu.routing.services import case_escalate as escalate

    return escalate(user=user, case=case, level=level, reason=reason, version=version)


@transaction.atomic
def complainant_flag(
    *, user: User, case: Case, kind: str, note: str, version: int | None = None
) -> ComplainantFlag:
    """Record a fact about the complainant that a person confirmed (with its basis) on `case`.

    Only specialists, supervisors and consumer-protection officers confirm: the seeds' rule is to
    judge the facts first and presume good faith, so a handler's impression is not enough."""
    _may_handle(user, case)
    if user.role not in workflow.REVIEWING:
        raise Forbidden("投诉人标记须由投诉专员、主管或消保专员确认")
    if kind not in FLAG_KINDS:
        raise InvalidInput(f"请选择标记类型：{'、'.join(FLAG_KINDS.values())}")
    if len(note.strip()) < 4:
        raise InvalidInput("请写明确认依据（事实、证据、核实过程），不少于 4 个字")
    text = mask_text(note.strip())
    _write(case, user=user, action="flag", values={}, version=version, note=f"{FLAG_KINDS[kind]}：{text}")
    return ComplainantFlag.objects.create(
        complainant=case.complainant, case=case, kind=kind, note=text, by=user
    )
