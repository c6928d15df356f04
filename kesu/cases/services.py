"""The one write path for cases: intake, edits, workflow actions, attachments.

Every service is keyword-only, runs in one transaction, asks the workflow table before changing a
status, updates the row only if its `version` is still the one read (else `VersionConflict`), and
appends an audit event with each changed field's old → new in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from kesu.accounts.models import User
from kesu.analysis import InputError, analyze, complaint_from_dict
from kesu.cases import intake, search, search_index, workflow
from kesu.cases.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed, VersionConflict
from kesu.cases.masking import mask_text, masked_person
from kesu.cases.models import CHANNELS, INDUSTRIES, Attachment, Case, CaseEvent, Complainant, DecisionNotice
from kesu.cases.selectors import case_state, complainant_find, scope_covers, unit_in_scope, user_can_see
from kesu.clocks import hooks as clocks
from kesu.routing.conflicts import ensure_no_conflict

log = logging.getLogger(__name__)
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "text",
        "channel",
        "industry",
        "product",
        "respondent",
        "request",
        "facts",
        "grounds",
        "on_behalf",
        "agent_name",
        "power_of_attorney",
        "intake_ref",
    }
)
_TEXT_FIELDS = ("title", "text", "product", "respondent", "request", "facts", "grounds")


# Derived columns are recomputed from the fields the user changed; the trail records those fields.
_NOT_AUDITED = frozenset({"search_text", "analysis"})


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, models.Model):
        return getattr(value, "username", None) or str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _event(
    case: Case, user: User | None, action: str, changes: dict[str, tuple[Any, Any]], note: str = ""
) -> None:
    diff = {
        k: {"old": _json_value(old), "new": _json_value(new)}
        for k, (old, new) in changes.items()
        if k not in _NOT_AUDITED
    }
    CaseEvent.objects.create(case=case, actor=user, action=action, changes=diff, note=mask_text(note))


def _conflict(case: Case) -> VersionConflict:
    last = case.events.select_related("actor").order_by("-at", "-id").first()
    who = f"已被{last.actor.display_name if last and last.actor else '他人'}"
    when = f"于 {timezone.localtime(last.at):%H:%M:%S} " if last else ""
    return VersionConflict(
        f"案件 {case.number} {who}{when}修改，为避免覆盖他人的修改，本次操作未保存。请刷新后核对再提交。"
    )


def _write(
    case: Case, *, user: User, action: str, values: dict[str, Any], version: int | None, note: str = ""
) -> Case:
    """Conditionally update `case` (same version as read, or as the client saw) and log old → new."""
    if version is not None and version != case.version:
        raise _conflict(case)
    changes = {k: (getattr(case, k), v) for k, v in values.items() if getattr(case, k) != v}
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise _conflict(case)
    _event(case, user, action, changes, note)
    case.refresh_from_db()
    return case


def _verdict(case: Case, user: User, action: str) -> str | None:
    """Raise TransitionNotAllowed unless the table allows it; return the new status (None: same)."""
    if not user_can_see(user, case):
        raise NotFound("案件不存在或您无权查看")
    state = case_state(case)
    actor = workflow.Actor(user.role, case.owner_id == user.pk, case.transfer_to_id == user.pk)
    verdict = workflow.decide(action, state, actor)
    if not verdict.allowed:
        raise TransitionNotAllowed(verdict.reason)
    if action not in _CONFLICT_FREE:
        ensure_no_conflict(user, case, workflow.ACTION_LABELS.get(action, action))
    return verdict.target


_CONFLICT_FREE = frozenset({"transfer"})
"""The only thing someone complained about may still do to the case: hand it to a colleague (回避)."""


def _routing() -> Any:
    """The routing services (imported late: they build on this module)."""
    from kesu.routing import services as routing

    return routing


def _status(case: Case, target: str | None) -> dict[str, Any]:
    return {"status": target} if target else {}


def _analyse(case_fields: dict[str, Any], prior: int, malicious: int = 0) -> dict[str, Any]:
    data = {k: case_fields.get(k) or None for k in ("text", "title", "channel", "industry", "product")}
    received = case_fields.get("received_at")
    data["received_at"] = received.isoformat() if received else None
    data["customer"] = {"prior_complaints": prior, "prior_malicious_confirmed": malicious}
    try:
        return analyze(complaint_from_dict(data)).to_dict()
    except InputError as exc:
        raise InvalidInput(str(exc)) from None
    except Exception:  # the engine must never stop a complaint from being recorded
        log.exception("analysis failed")
        return {"error": "分析引擎出错，投诉已保存，请稍后重新分析"}


def _confirmed_malicious(who: Complainant) -> int:
    """Malicious claims a person confirmed earlier (ComplainantFlag), for the engine's history."""
    return who.flags.filter(kind="malicious_confirmed").count() if who.pk else 0


def _list_columns(analysis: dict[str, Any]) -> tuple[str, str]:
    """Risk level and customer type copied out of the analysis into indexed columns for lists."""
    level = (analysis.get("risk") or {}).get("level", "")
    kind = (analysis.get("customer_type") or {}).get("label", "")
    return str(level), str(kind)


def _check_intake(user: User, text: str, name: str, phone: str, channel: str, industry: str) -> None:
    if user.role not in workflow.HANDLING:
        raise Forbidden("您的角色不能受理投诉（受理须由坐席、投诉专员、主管或消保专员办理）")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("缺少投诉内容：请填写 text")
    if not (name.strip() or phone.strip()):
        raise InvalidInput("请至少记录投诉人姓名或联系电话之一")
    if channel and channel not in CHANNELS:
        raise InvalidInput(f"未知渠道「{channel}」，可选：{'、'.join(CHANNELS)}")
    if industry and industry not in INDUSTRIES:
        raise InvalidInput(f"未知行业「{industry}」，可选：{'、'.join(INDUSTRIES)}")


def _complainant(name: str, phone: str, id_number: str) -> tuple[Complainant, bool]:
    """The known complainant (with what was missing filled in) or a new one; and whether new."""
    digits = "".join(c for c in phone if c.isdigit())
    found = complainant_find(phone=digits, id_number=id_number)
    if found is None:
        created = Complainant.objects.create(
            name=name.strip(), phone=digits, id_number=id_number.strip().upper()
        )
        return created, True
    fill = {"name": name.strip(), "phone": digits, "id_number": id_number.strip().upper()}
    missing = [key for key, value in fill.items() if value and not getattr(found, key)]
    for key in missing:
        setattr(found, key, fill[key])
    if missing:
        found.save(update_fields=missing)
    return found, False


def _history(who: Complainant, created: bool) -> tuple[int, list[tuple[str, str]]]:
    """How many cases the complainant brought before, and their confirmed flags (kind, note)."""
    if created:
        return 0, []
    return who.cases.count(), list(who.flags.values_list("kind", "note"))


@transaction.atomic
def case_open(
    *,
    user: User,
    text: str,
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_id_number: str = "",
    channel: str = "",
    industry: str = "",
    received_at: datetime | None = None,
    unit_id: int | None = None,
    **fields: Any,
) -> Case:
    """Record a complaint (受理). The receiver owns it until a named colleague accepts it (首问负责制).

    `fields` may hold any of EDITABLE_FIELDS. The engine analyses the text at once.
    """
    _check_intake(user, text, complainant_name, complainant_phone, channel, industry)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"不认识的字段：{'、'.join(sorted(unknown))}")
    unit = user.unit if unit_id is None else unit_in_scope(user, unit_id)
    if unit is None:
        raise Forbidden("您的账号未分配机构，不能受理投诉")
    who, created = _complainant(complainant_name, complainant_phone, complainant_id_number)
    prior, flags = _history(who, created)
    values = {
        "text": text,
        "channel": channel,
        "industry": industry,
        "received_at": received_at or timezone.now(),
        **fields,
    }
    malicious = sum(1 for kind, _ in flags if kind == "malicious_confirmed")
    analysis = _analyse(values, prior=prior, malicious=malicious)
    risk_level, customer_type = _list_columns(analysis)
    case = Case.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:24]}",  # replaced below, once the id is known
        unit=unit,
        unit_path=unit.path,
        received_by=user,
        owner=user,
        complainant=who,
        analysis=analysis,
        risk_level=risk_level,
        customer_type=customer_type,
        search_text=search.index_text(*(str(values.get(k) or "") for k in _TEXT_FIELDS)),
        **values,
    )
    case.number = f"KS{timezone.localtime(case.received_at):%Y%m%d}{case.pk:06d}"
    clocks.clocks_open(case, new_case=True)  # sets case.due_at, saved with the number
    case.save(update_fields=["number", "due_at"])
    search_index.sync(case, created=True)
    _event(
        case,
        user,
        "open",
        {"status": (None, "received"), "owner": (None, user)},
        "投诉人：" + masked_person(who.name, who.phone, who.id_number),
    )
    if _routing().apply_rules(case, flags=flags) is None:  # an escalation re-read the case already
        case.refresh_from_db()
    return case


@transaction.atomic
def case_update(*, user: User, case: Case, version: int | None, **fields: Any) -> Case:
    """Edit intake fields (owner or a lead, while the case is open). Changing the text re-analyses it."""
    if not user_can_see(user, case):
        raise NotFound("案件不存在或您无权查看")
    if not (case.owner_id == user.pk or user.role in workflow.LEADS):
        raise Forbidden("只有案件负责人或主管、消保专员可以修改受理信息")
    if case.status in workflow.FINISHED_STATUSES:
        raise TransitionNotAllowed(f"案件已{case.status_label}，不能修改受理信息")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"不认识的字段：{'、'.join(sorted(unknown))}")
    values = dict(fields)
    merged = {
        k: values.get(k, getattr(case, k)) for k in (*_TEXT_FIELDS, "channel", "industry", "received_at")
    }
    _check_intake(
        user,
        merged["text"],
        case.complainant.name,
        case.complainant.phone,
        merged["channel"],
        merged["industry"],
    )
    if set(values) & set(_TEXT_FIELDS):
        values["search_text"] = search.index_text(*(str(merged[k] or "") for k in _TEXT_FIELDS))
    if "text" in values and values["text"] != case.text:
        values["analysis"] = _analyse(
            merged,
            prior=case.complainant.cases.exclude(pk=case.pk).count(),
            malicious=_confirmed_malicious(case.complainant),
        )
        values["risk_level"], values["customer_type"] = _list_columns(values["analysis"])
    case = _write(case, user=user, action="update", values=values, version=version)
    if "search_text" in values:
        search_index.sync(case)
    if "industry" in values:
        clocks.clocks_reselect(case)
    if "analysis" in values:
        _routing().apply_rules(case)
        case.refresh_from_db()
    return case


@transaction.atomic
def attachment_add(
    *, user: User, case: Case, kind: str, name: str, content_type: str, size: int
) -> Attachment:
    """Record an attachment after checking its kind, format and size."""
    if not user_can_see(user, case) or user.role not in workflow.HANDLING:
        raise NotFound("案件不存在或您无权查看")
    problem = intake.attachment_problem(kind, content_type, size, settings.KESU_ATTACHMENT_MAX_BYTES)
    if problem:
        raise InvalidInput(problem)
    att = Attachment.objects.create(
        case=case, kind=kind, name=name[:200], content_type=content_type, size=size, added_by=user
    )
    _event(case, user, "attach", {"attachment": (None, f"{intake.ATTACHMENT_KINDS[kind]}：{att.name}")})
    return att


# --- Workflow actions (each checked against workflow.TABLE) --------------------------------------


@transaction.atomic
def case_start(*, user: User, case: Case, version: int | None = None) -> Case:
    """The owner starts handling a case they received themselves."""
    target = _verdict(case, user, "start")
    case = _write(case, user=user, action="start", values=_status(case, target), version=version)
    clocks.clocks_event(case, "accepted")
    return case


@transaction.atomic
def case_transfer(*, user: User, case: Case, to: User, note: str = "", version: int | None = None) -> Case:
    """Offer the case to a named colleague; the current owner stays responsible until they accept."""
    target = _verdict(case, user, "transfer")
    if to.pk == case.owner_id:
        raise InvalidInput("不能转办给案件当前负责人")
    if not to.is_active or to.role not in workflow.HANDLING or not scope_covers(to, case):
        raise InvalidInput(f"{to.display_name} 不能接收此案件（须为可办理投诉的角色，且所在机构管辖该案件）")
    ensure_no_conflict(to, case, "接收")
    values = {"transfer_to": to, **_status(case, target)}
    return _write(case, user=user, action="transfer", values=values, version=version, note=note)


@transaction.atomic
def case_accept(*, user: User, case: Case, version: int | None = None) -> Case:
    """The named colleague accepts: from now on they own the case."""
    target = _verdict(case, user, "accept")
    values = {"owner": user, "transfer_to": None, **_status(case, target)}
    case = _write(case, user=user, action="accept", values=values, version=version)
    clocks.clocks_event(case, "accepted")
    return case


@transaction.atomic
def case_decline(*, user: User, case: Case, reason: str, version: int | None = None) -> Case:
    """The named colleague declines, with a reason; the case stays with its owner."""
    _verdict(case, user, "decline")
    if not reason.strip():
        raise InvalidInput("退回转办须说明理由")
    return _write(
        case, user=user, action="decline", values={"transfer_to": None}, version=version, note=reason
    )


@transaction.atomic
def case_issue_notice(
    *, user: User, case: Case, result: str, reasons: str, basis: str, redress: str, version: int | None = None
) -> DecisionNotice:
    """Issue the decision notice (处理决定告知): result, reasons, basis and routes of redress, all four."""
    _verdict(case, user, "issue_notice")
    missing = workflow.notice_missing(workflow.Notice(result, reasons, basis, redress))
    if missing:
        raise InvalidInput("；".join(missing), details=missing)
    _write(case, user=user, action="issue_notice", values={}, version=version, note=result[:200])
    notice = DecisionNotice.objects.create(
        case=case, result=result, reasons=reasons, basis=basis, redress=redress, issued_by=user
    )
    clocks.notice_issued(case)
    return notice


@transaction.atomic
def case_resolve(*, user: User, case: Case, version: int | None = None) -> Case:
    """Mark the case resolved (办结) once a decision notice has been issued; callback follows."""
    target = _verdict(case, user, "resolve")
    case = _write(case, user=user, action="resolve", values=_status(case, target), version=version)
    clocks.callback_clock(case)
    return case


@transaction.atomic
def case_callback(
    *,
    user: User,
    case: Case,
    satisfaction: str,
    recurred: bool | None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Record the callback (回访): satisfaction and whether the problem came back."""
    target = _verdict(case, user, "callback")
    missing = workflow.callback_missing(satisfaction, recurred)
    if missing:
        raise InvalidInput("；".join(missing), details=missing)
    values = {
        "callback_satisfaction": satisfaction,
        "callback_recurred": recurred,
        "callback_note": note,
        **_status(case, target),
    }
    case = _write(case, user=user, action="callback", values=values, version=version)
    clocks.clocks_event(case, "callback_done")
    return case


@transaction.atomic
def case_close(*, user: User, case: Case, closure: workflow.Closure, version: int | None = None) -> Case:
    """Close (结案) with root cause, responsibility, what was paid and on what basis, and the lesson."""
    target = _verdict(case, user, "close")
    missing = workflow.closure_missing(closure)
    if missing:
        raise InvalidInput("不能结案：" + "；".join(missing), details=missing)
    over = _routing().authority_problem(user, case, closure.payout_amount)
    if over:
        raise InvalidInput(over)
    values = {
        "root_cause": closure.root_cause,
        "cause_controllable": closure.controllable,
        "cause_internal": closure.internal,
        "responsibility": closure.responsibility,
        "payout_kind": closure.payout_kind,
        "payout_amount": closure.payout_amount,
        "payout_basis": closure.payout_basis,
        "lesson": closure.lesson,
        "closed_at": timezone.now(),
        **_status(case, target),
    }
    case = _write(case, user=user, action="close", values=values, version=version)
    clocks.clocks_end(case, "closed")
    return case


@transaction.atomic
def case_reopen(*, user: User, case: Case, reason: str, version: int | None = None) -> Case:
    """Reopen a resolved or closed case (e.g. the problem recurred), with a reason."""
    target = _verdict(case, user, "reopen")
    if not reason.strip():
        raise InvalidInput("重新处理须说明理由")
    values = {"closed_at": None, **_status(case, target)}
    case = _write(case, user=user, action="reopen", values=values, version=version, note=reason)
    clocks.clocks_reopen(case)
    return case


@transaction.atomic
def case_withdraw(*, user: User, case: Case, reason: str, version: int | None = None) -> Case:
    """The complainant withdraws (撤诉); record how that was confirmed."""
    target = _verdict(case, user, "withdraw")
    if not reason.strip():
        raise InvalidInput("撤诉须记录投诉人撤回的方式和时间（如：电话录音、书面撤诉申请）")
    values = {"transfer_to": None, **_status(case, target)}
    case = _write(case, user=user, action="withdraw", values=values, version=version, note=reason)
    clocks.clocks_end(case, "withdrawn")
    return case


@transaction.atomic
def case_merge(*, user: User, case: Case, into: Case, version: int | None = None) -> Case:
    """Merge a repeated complaint into an open case on the same matter; both cases log it."""
    target = _verdict(case, user, "merge")
    if into.pk == case.pk:
        raise InvalidInput("不能把案件合并到它自己")
    if not user_can_see(user, into):
        raise NotFound("要合并到的案件不存在或您无权查看")
    if into.status in workflow.FINISHED_STATUSES:
        raise InvalidInput(f"目标案件 {into.number} 已{into.status_label}，只能合并到未结束的案件")
    values = {"merged_into": into, "transfer_to": None, **_status(case, target)}
    merged = _write(case, user=user, action="merge", values=values, version=version)
    kept = clocks.clocks_merge(merged, into)
    _event(into, user, "merged_in", {"merged_cases": (None, case.number)}, "；".join(kept))
    return merged
