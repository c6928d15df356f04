"""What people do to a case's clocks: extend (with approval and a notice to the complainant), pause
for an external appraisal, restart on new facts, promise a reply date; and their task list.

Same rules as the case services: keyword-only, one transaction, refusals in Chinese, an audit
event on the case for every change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases import workflow
from kesu.cases.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from kesu.cases.models import Case
from kesu.cases.selectors import user_can_see
from kesu.cases.services_comms import contact_add
from kesu.clocks import compute, hooks
from kesu.clocks.models import Alert, CaseClock, ClockPause, ExtensionRequest
from kesu.clocks.selectors import clock_input
from kesu.clocks.specs import spec_from_dict
from kesu.clocks.workdays import SHANGHAI
from kesu.routing.conflicts import ensure_no_conflict

_SCOPES = {"same": "本机构或上级机构", "higher": "上级机构", "head_office": "总行（总公司）"}


def _may_handle(user: User, case: Case) -> None:
    if not user_can_see(user, case):
        raise NotFound("案件不存在或您无权查看")
    if user.role not in workflow.HANDLING:
        raise Forbidden("您的角色只能查看案件，不能办理")
    if case.status in workflow.FINISHED_STATUSES:
        raise TransitionNotAllowed(f"案件已{case.status_label}，时限不再计算")
    ensure_no_conflict(user, case, "办理")


def _live_clock(case: Case, clock_id: int | str) -> CaseClock:
    try:
        return case.clocks.get(pk=int(clock_id), ended="")
    except (CaseClock.DoesNotExist, TypeError, ValueError):
        raise NotFound("该时限不存在或已终止") from None


def _local(dt: datetime | None) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M}" if dt else "—"


def approver_problem(user: User, case: Case, step_roles: frozenset[str], scope: str) -> str | None:
    """Why `user` may not approve an extension step of `case` (role, level of unit), or None."""
    if user.role not in step_roles:
        names = "、".join(workflow.ROLE_LABELS.get(r, r) for r in sorted(step_roles))
        return f"此次延期须由{names}审批"
    unit = user.unit
    if unit is None or not case.unit.path.startswith(unit.path):
        return "审批人须在管辖本案件的机构任职"
    if scope == "higher" and unit.path == case.unit.path:
        return "此次延期须由上级机构审批（本机构不能自批）"
    if scope == "head_office" and unit.level != "head_office":
        return "此次延期须由总行（总公司）审批"
    return None


def _approvers(case: Case, step_roles: frozenset[str], scope: str) -> list[User]:
    ids = case.unit.ancestor_ids()
    people = User.objects.filter(is_active=True, role__in=step_roles, unit_id__in=ids).select_related("unit")
    return [u for u in people if approver_problem(u, case, step_roles, scope) is None]


@transaction.atomic
def extension_request(*, user: User, case: Case, clock_id: int | str, reason: str) -> ExtensionRequest:
    """Ask to extend a clock by its next step; the approvers of that step see it in their task list."""
    _may_handle(user, case)
    clock = _live_clock(case, clock_id)
    inp = clock_input(clock)
    if inp is None or clock.stopped_at is not None:
        raise InvalidInput(f"{clock.name}未在计时，不能延期")
    step = compute.extension_allowed(inp)
    if step is None:
        raise InvalidInput(f"{clock.name}已没有可用的延期（规则：{spec_from_dict(clock.spec).source}）")
    if clock.extension_requests.filter(status="pending").exists():
        raise InvalidInput("已有一份延期申请在等待审批")
    if len(reason.strip()) < 6:
        raise InvalidInput("请写明延期理由（为什么情况复杂、还需要做什么），不少于 6 个字")
    req = ExtensionRequest.objects.create(
        clock=clock, step=clock.extensions + 1, reason=reason.strip(), requested_by=user
    )
    hooks.event(case, user, "extension_request", f"申请{clock.name}延期（{step.label}）：{reason.strip()}")
    now = timezone.now()
    for approver in _approvers(case, step.approver_roles, step.approver_scope):
        if approver.pk != user.pk:
            Alert.objects.create(
                user=approver,
                case=case,
                clock=clock,
                kind="extension_request",
                message=f"{case.number} 申请{clock.name}延期：{step.label}",
                created_at=now,
            )
    return req


@transaction.atomic
def extension_decide(
    *,
    user: User,
    request: ExtensionRequest,
    approve: bool,
    note: str = "",
    notice_kind: str = "",
    notice_summary: str = "",
    notice_at: datetime | None = None,
) -> ExtensionRequest:
    """Approve (with the notice to the complainant recorded) or reject (with a reason) a request."""
    clock = request.clock
    case = clock.case
    if not user_can_see(user, case):
        raise NotFound("案件不存在或您无权查看")
    if request.status != "pending":
        raise InvalidInput(f"该延期申请已{request.status_label}")
    step = spec_from_dict(clock.spec).extensions[request.step - 1]
    problem = approver_problem(user, case, step.approver_roles, step.approver_scope)
    if problem:
        raise Forbidden(problem)
    if user.pk == request.requested_by_id:
        raise Forbidden("不能审批自己提出的延期申请")
    ensure_no_conflict(user, case, "审批")
    if clock.ended or clock.stopped_at is not None or clock.extensions + 1 != request.step:
        raise InvalidInput("该时限已变化（已完成、已延期或已终止），请刷新后再审批")
    now = timezone.now()
    if not approve:
        if len(note.strip()) < 2:
            raise InvalidInput("驳回须写明理由")
        request.status, request.decided_by, request.decided_at = "rejected", user, now
        request.decision_note = note.strip()
        request.save()
        hooks.event(case, user, "extension_rejected", f"驳回{clock.name}延期：{note.strip()}")
        _tell(request.requested_by, case, clock, f"{case.number} {clock.name}延期被驳回：{note.strip()}")
        _done(case, "extension_request", clock)
        return request
    contact = None
    if step.notice_required:
        if not notice_kind or len(notice_summary.strip()) < 6:
            raise InvalidInput("延期须告知投诉人：请记录告知方式和告知内容（延期理由、新的答复期限）")
        contact = contact_add(
            user=user,
            case=case,
            kind=notice_kind,
            summary=f"【延期告知】{notice_summary.strip()}",
            at=notice_at,
        )
    old_due = clock.due_at
    clock.extensions = request.step
    clock.save(update_fields=["extensions"])
    hooks.refresh_case(case, now)
    clock.refresh_from_db()
    request.status, request.decided_by, request.decided_at = "approved", user, now
    request.decision_note, request.notice = note.strip(), contact
    request.save()
    hooks.event(
        case,
        user,
        "extension_approved",
        f"批准{clock.name}延期（{step.label}），申请人 {request.requested_by.display_name}，理由：{request.reason}",
        {"due_at": {"old": _local(old_due), "new": _local(clock.due_at)}},
    )
    _tell(
        request.requested_by,
        case,
        clock,
        f"{case.number} {clock.name}延期已批准，新期限 {_local(clock.due_at)}",
    )
    _done(case, "extension_request", clock)
    return request


def _tell(user: User, case: Case, clock: CaseClock | None, message: str) -> None:
    Alert.objects.create(
        user=user,
        case=case,
        clock=clock,
        kind="extension_decided",
        message=message[:300],
        created_at=timezone.now(),
    )


def _done(case: Case, kind: str, clock: CaseClock | None = None) -> None:
    qs = Alert.objects.filter(case=case, kind=kind, done_at__isnull=True)
    if clock is not None:
        qs = qs.filter(clock=clock)
    qs.update(done_at=timezone.now())


def _pausable(case: Case) -> list[CaseClock]:
    return [
        c
        for c in case.clocks.filter(ended="", stopped_at__isnull=True, started_at__isnull=False)
        if spec_from_dict(c.spec).pausable and c.spec.get("unit") != "hours"
    ]


@transaction.atomic
def clock_pause(*, user: User, case: Case, reason: str, at: datetime | None = None) -> list[ClockPause]:
    """Stop the regulatory clocks while an external appraisal, test or assessment runs (不计入期限)."""
    _may_handle(user, case)
    at = at or timezone.now()
    if at > timezone.now() + timedelta(minutes=10):
        raise InvalidInput("中止时间不能晚于当前时间")
    if len(reason.strip()) < 4:
        raise InvalidInput("请写明中止理由（如：委托第三方鉴定、检测或评估），不少于 4 个字")
    clocks = [c for c in _pausable(case) if not c.pauses.filter(end__isnull=True).exists()]
    if not clocks:
        raise InvalidInput("没有可以中止的时限（已完成、已中止或内部时限不中止）")
    pauses = [ClockPause.objects.create(clock=c, start=at, reason=reason.strip(), by=user) for c in clocks]
    hooks.refresh_case(case)
    names = "、".join(c.name for c in clocks)
    hooks.event(case, user, "clock_pause", f"{names}自 {_local(at)} 中止计算：{reason.strip()}")
    return pauses


@transaction.atomic
def clock_resume(*, user: User, case: Case, at: datetime | None = None, note: str = "") -> list[ClockPause]:
    """The appraisal is over: the clocks run again, their due dates moved by the excluded days."""
    _may_handle(user, case)
    at = at or timezone.now()
    open_pauses = list(ClockPause.objects.filter(clock__case=case, clock__ended="", end__isnull=True))
    if not open_pauses:
        raise InvalidInput("没有中止中的时限")
    for p in open_pauses:
        if at < p.start:
            raise InvalidInput(f"恢复时间不能早于中止时间 {_local(p.start)}")
        p.end = at
        p.save(update_fields=["end"])
    hooks.refresh_case(case)
    due = "；".join(
        f"{c.name} 新期限 {_local(c.due_at)}"
        for c in case.clocks.filter(ended="", key__in=hooks.DECISION_KEYS)
    )
    hooks.event(case, user, "clock_resume", f"自 {_local(at)} 恢复计算。{note.strip()} {due}".strip())
    return open_pauses


@transaction.atomic
def clock_restart(*, user: User, case: Case, reason: str, at: datetime | None = None) -> list[CaseClock]:
    """New facts or reasons: the regulatory clocks start again from receipt of the new material."""
    _may_handle(user, case)
    at = at or timezone.now()
    if len(reason.strip()) < 6:
        raise InvalidInput("请写明新的事实或理由（收到了什么新材料），不少于 6 个字")
    new: list[CaseClock] = []
    for old in case.clocks.filter(ended="", started_at__isnull=False):
        spec = spec_from_dict(old.spec)
        if not spec.restartable or spec.starts_on != "received" or spec.unit == "hours":
            continue
        old.ended, old.next_check_at = "restarted", None
        old.save(update_fields=["ended", "next_check_at"])
        new.append(
            CaseClock.objects.create(
                case=case,
                key=old.key,
                name=old.name,
                spec=old.spec,
                ruleset_key=old.ruleset_key,
                started_at=at,
            )
        )
    if not new:
        raise InvalidInput("没有可以重新起算的时限")
    hooks.refresh_case(case)
    lines = "；".join(
        f"{c.name} 自 {_local(at)} 重新起算，新期限 {_local(CaseClock.objects.get(pk=c.pk).due_at)}"
        for c in new
    )
    hooks.event(case, user, "clock_restart", f"新事实、新理由：{reason.strip()}。{lines}")
    for clock in new:
        clock.refresh_from_db()
    return new


@transaction.atomic
def promise_set(*, user: User, case: Case, day: date, note: str = "") -> CaseClock:
    """Record the reply date promised to the customer; if it arrives without a result, the worker
    asks the owner to contact the customer anyway (seed 004)."""
    _may_handle(user, case)
    now = timezone.now()
    if day < timezone.localdate(now):
        raise InvalidInput("承诺答复日期不能早于今天")
    if day > timezone.localdate(now) + timedelta(days=366):
        raise InvalidInput("承诺答复日期过远，请核对")
    clock = hooks.promise_clock(case, datetime.combine(day, time(12), tzinfo=SHANGHAI), now)
    hooks.event(case, user, "promise", f"向客户承诺 {day:%Y-%m-%d} 前答复。{note.strip()}".strip())
    return clock


@transaction.atomic
def alert_done(*, user: User, alert_id: int | str) -> Alert:
    """Tick off an entry of one's own task list."""
    try:
        alert = Alert.objects.get(pk=int(alert_id), user=user)
    except (Alert.DoesNotExist, TypeError, ValueError):
        raise NotFound("该待办不存在") from None
    if alert.done_at is None:
        alert.done_at = timezone.now()
        alert.save(update_fields=["done_at"])
    return alert
