"""Writes for escalation and routing: escalate and de-escalate with a reason (by people, by the risk
and identity rules at intake, by the clocks), review escalations, record who is complained about
(回避), reassign. Every change leaves an audit event on the case; people to notify get a task.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kesu.accounts.models import OrgUnit, User
from kesu.cases import workflow
from kesu.cases.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from kesu.cases.masking import mask_text
from kesu.cases.models import Case, CaseEvent
from kesu.cases.selectors import scope_covers, user_can_see
from kesu.cases.services import _write
from kesu.clocks.bulk import EVENT_COLUMNS, insert_rows
from kesu.clocks.config_cache import cached
from kesu.clocks.models import Alert
from kesu.routing import escalation
from kesu.routing.conflicts import conflict_for, ensure_no_conflict
from kesu.routing.models import Escalation, Respondent
from kesu.routing.selectors import authority_limit, facts, ladder, level_label, nearest_people, policy


def _may_handle(user: User, case: Case) -> None:
    if not user_can_see(user, case):
        raise NotFound("案件不存在或您无权查看")
    if user.role not in workflow.HANDLING:
        raise Forbidden("您的角色只能查看案件，不能办理（办理须由坐席、投诉专员、主管或消保专员）")
    if case.status in workflow.FINISHED_STATUSES:
        raise TransitionNotAllowed(f"案件已{case.status_label}，不能办理")


def _notify(case: Case, roles: frozenset[str], kind: str, message: str, now: datetime) -> list[Alert]:
    people = [u for u in nearest_people(case.unit, roles) if conflict_for(u, case) is None]
    return Alert.objects.bulk_create(
        [Alert(user=u, case=case, kind=kind, message=message[:300], created_at=now) for u in people]
    )


def _record(
    case: Case,
    *,
    user: User | None,
    to: int,
    reason: str,
    rules: str,
    automatic: bool,
    version: int | None,
    now: datetime,
) -> Escalation:
    start = case.escalation_level
    values = {"escalation_level": to, "escalated_at": now if to > start else case.escalated_at}
    action = "escalate" if to > start else "deescalate"
    arrow = f"{level_label(start)} → {level_label(to)}"
    _write(
        case, user=user, action=action, values=values, version=version, note=f"{arrow}：{mask_text(reason)}"
    )  # type: ignore[arg-type]
    return Escalation.objects.create(
        case=case,
        from_level=start,
        to_level=to,
        rules=rules,
        reason=mask_text(reason),
        automatic=automatic,
        by=user,
        at=now,
    )


def _tier_roles(level: int) -> frozenset[str]:
    return ladder().tier(level).roles


@transaction.atomic
def case_escalate(*, user: User, case: Case, level: int, reason: str, version: int | None = None) -> Case:
    """Escalate an open case to a higher tier, with the reason (reviewed later for rationality)."""
    _may_handle(user, case)
    ensure_no_conflict(user, case, "升级")
    problem = escalation.escalation_problem(case.escalation_level, level, reason, ladder())
    if problem:
        raise InvalidInput(problem)
    now = timezone.now()
    _record(
        case,
        user=user,
        to=level,
        reason=reason.strip(),
        rules="manual",
        automatic=False,
        version=version,
        now=now,
    )
    _notify(
        case,
        _tier_roles(level),
        "escalation",
        f"{case.number} 升级至{level_label(level)}：{reason.strip()}",
        now,
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def case_deescalate(*, user: User, case: Case, level: int, reason: str, version: int | None = None) -> Case:
    """Bring a case back down (e.g. the risk has passed); leads only, with the reason."""
    _may_handle(user, case)
    if user.role not in workflow.LEADS:
        raise Forbidden("降级须由主管或消保专员决定")
    ensure_no_conflict(user, case, "降级")
    problem = escalation.deescalation_problem(case.escalation_level, level, reason)
    if problem:
        raise InvalidInput(problem)
    _record(
        case,
        user=user,
        to=level,
        reason=reason.strip(),
        rules="manual",
        automatic=False,
        version=version,
        now=timezone.now(),
    )
    case.refresh_from_db()
    return case


def apply_rules(
    case: Case, *, now: datetime | None = None, flags: Iterable[tuple[str, str]] | None = None
) -> Escalation | None:
    """At intake (and when the text changes): risk and identity rules act at once, without a person.
    `flags`: the complainant's confirmed (kind, note) pairs, if the caller has read them already.

    Authority and resources need a person's judgement: the case page proposes them."""
    if case.status in workflow.FINISHED_STATUSES:
        return None
    known = facts(case, with_authority=False, flags=flags)
    if not known.identities and not any(s.counts for s in known.signals):
        return None  # no risk signal that counts and no identity: neither rule can act
    prop = escalation.propose(known, ladder(), policy())
    if prop is None:
        return None
    reasons = [r for r in prop.reasons if r.immediate or r.rule == "identity"]
    level = max((r.level for r in reasons), default=case.escalation_level)
    if level <= case.escalation_level:
        return None
    now = now or timezone.now()
    text = "；".join(r.text for r in reasons)
    rules = ",".join(sorted({r.rule for r in reasons}))
    esc = _record(case, user=None, to=level, reason=text, rules=rules, automatic=True, version=None, now=now)
    kind = "risk" if any(r.immediate for r in reasons) else "escalation"
    _notify(
        case,
        prop.notify_roles | _tier_roles(level),
        kind,
        f"{case.number} 已自动升级至{level_label(level)}：{text}",
        now,
    )
    return esc  # `_record` re-read the case after writing it


@transaction.atomic
def escalate_on_time(items: dict[Case, int], *, now: datetime) -> int:
    """The worker's time rule: cases whose reply clock reached a threshold go up as the policy says.
    Returns how many cases went up.

    In bulk (the worker hands over a batch): the cases are locked in id order and their level read
    again, so a case moved meanwhile by someone else is not moved twice or down."""
    lad, pol = ladder(), policy()
    wanted: dict[int, tuple[int, str]] = {}
    for case, threshold in items.items():
        if case.status in workflow.FINISHED_STATUSES:
            continue
        prop = escalation.propose(
            escalation.Facts(level=case.escalation_level, clock_threshold=threshold), lad, pol
        )
        reasons = [r for r in prop.reasons if r.rule == "time"] if prop else []
        if reasons:
            wanted[case.pk] = (max(r.level for r in reasons), "；".join(r.text for r in reasons))
    if not wanted:
        return 0
    current = Case.objects.select_for_update().filter(pk__in=list(wanted)).order_by("pk")
    moves: dict[tuple[int, int], list[int]] = {}
    for pk, level in current.values_list("pk", "escalation_level"):
        if level < wanted[pk][0]:
            moves.setdefault((level, wanted[pk][0]), []).append(pk)
    events: list[tuple[object, ...]] = []
    done: list[tuple[object, ...]] = []
    alerts: list[tuple[object, ...]] = []
    by_pk = {case.pk: case for case in items}
    people: dict[tuple[int, int], list[int]] = {}  # (unit, level) → who takes cases at that tier there
    stamp = timezone.now()
    for (old, new), ids in moves.items():
        Case.objects.filter(pk__in=ids).update(
            escalation_level=new, escalated_at=now, version=F("version") + 1, updated_at=now
        )
        arrow = f"{level_label(old, lad)} → {level_label(new, lad)}"
        for pk in ids:
            text = wanted[pk][1]
            change = {"escalation_level": {"old": old, "new": new}}
            events.append((pk, None, "escalate", change, f"{arrow}：{text}"[:500], stamp))
            done.append((pk, old, new, "time", text, True, now, "", ""))
            case = by_pk[pk]
            key = (case.unit_id, new)
            if key not in people:
                roles = lad.tier(new).roles
                people[key] = cached(
                    ("nearest", case.unit_id, roles),
                    lambda case=case, roles=roles: [u.pk for u in nearest_people(case.unit, roles)],  # type: ignore[misc]
                )
            message = f"{case.number} 按时限升级至{level_label(new, lad)}：{text}"[:300]
            alerts += [(uid, pk, None, "escalation", message, now) for uid in people[key]]
    insert_rows(CaseEvent, EVENT_COLUMNS, events)
    insert_rows(Alert, ("user_id", "case_id", "clock_id", "kind", "message", "created_at"), alerts)
    columns = (
        "case_id",
        "from_level",
        "to_level",
        "rules",
        "reason",
        "automatic",
        "at",
        "verdict",
        "review_note",
    )
    insert_rows(Escalation, columns, done)
    return len(done)


@transaction.atomic
def escalation_review(*, user: User, escalation_id: int | str, verdict: str, note: str) -> Escalation:
    """A lead judges afterwards whether an escalation was reasonable (seed 001: escalate for a reason)."""
    try:
        esc = Escalation.objects.select_related("case").get(pk=int(escalation_id))
    except (Escalation.DoesNotExist, TypeError, ValueError):
        raise NotFound("升级记录不存在") from None
    if not user_can_see(user, esc.case):
        raise NotFound("升级记录不存在")
    if user.role not in workflow.LEADS:
        raise Forbidden("升级合理性复核须由主管或消保专员进行")
    if esc.by_id == user.pk:
        raise Forbidden("不能复核自己作出的升级")
    if esc.verdict:
        raise InvalidInput("该升级已复核")
    if verdict not in ("reasonable", "unreasonable"):
        raise InvalidInput("请选择复核结论：合理或不合理")
    if verdict == "unreasonable" and len(note.strip()) < 4:
        raise InvalidInput("认定不合理须写明理由（如：属于技能问题，应由本级解决）")
    esc.verdict, esc.review_note, esc.reviewed_by, esc.reviewed_at = (
        verdict,
        note.strip(),
        user,
        timezone.now(),
    )
    esc.save()
    label = "合理" if verdict == "reasonable" else "不合理"
    CaseEvent.objects.create(
        case=esc.case,
        actor=user,
        action="escalation_review",
        note=mask_text(f"升级复核：{label}。{note.strip()}")[:500],
    )
    return esc


@transaction.atomic
def respondent_add(
    *, user: User, case: Case, staff: User | None = None, unit_id: int | None = None, note: str = ""
) -> Respondent:
    """Record a person or unit the complaint is about; they withdraw from the case (回避)."""
    _may_handle(user, case)
    if (staff is None) == (unit_id is None):
        raise InvalidInput("请选择一名被投诉人员或一个被投诉机构")
    unit: OrgUnit | None = None
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise InvalidInput("机构不存在")
    if staff is not None and Respondent.objects.filter(case=case, user=staff).exists():
        raise InvalidInput(f"{staff.display_name} 已登记为被投诉人员")
    if unit is not None and Respondent.objects.filter(case=case, unit=unit).exists():
        raise InvalidInput(f"{unit.name} 已登记为被投诉机构")
    row = Respondent.objects.create(case=case, user=staff, unit=unit, note=note.strip()[:200], added_by=user)
    who = staff.display_name if staff else unit.name if unit else ""
    CaseEvent.objects.create(
        case=case,
        actor=user,
        action="respondent",
        note=mask_text(f"登记被投诉对象：{who}。{note.strip()}")[:500],
    )
    if conflict_for(case.owner, case):
        _notify(
            case,
            frozenset({"supervisor", "cpo"}),
            "conflict",
            f"{case.number} 的负责人 {case.owner.display_name} 属被投诉对象，须回避：请改派",
            timezone.now(),
        )
    return row


@transaction.atomic
def case_reassign(*, user: User, case: Case, to: User, reason: str, version: int | None = None) -> Case:
    """A supervisor gives the case to someone else at once (no acceptance step), with a reason."""
    _may_handle(user, case)
    if user.role not in workflow.LEADS:
        raise Forbidden("改派须由主管或消保专员进行")
    if to.pk == case.owner_id:
        raise InvalidInput("不能改派给案件当前负责人")
    if not to.is_active or to.role not in workflow.HANDLING or not scope_covers(to, case):
        raise InvalidInput(f"{to.display_name} 不能办理此案件（须为可办理投诉的角色，且所在机构管辖该案件）")
    ensure_no_conflict(to, case, "办理")
    if len(reason.strip()) < 2:
        raise InvalidInput("改派须说明理由")
    old = case.owner
    case = _write(
        case,
        user=user,
        action="reassign",
        values={"owner": to, "transfer_to": None},
        version=version,
        note=reason.strip(),
    )
    now = timezone.now()
    Alert.objects.bulk_create(
        [
            Alert(
                user=to,
                case=case,
                kind="reassigned",
                message=f"{case.number} 已改派给您：{reason.strip()}"[:300],
                created_at=now,
            ),
            Alert(
                user=old,
                case=case,
                kind="reassigned",
                message=f"{case.number} 已改派给 {to.display_name}"[:300],
                created_at=now,
            ),
        ]
    )
    return case


def authority_problem(user: User, case: Case, amount: Decimal | None) -> str | None:
    """A payout beyond what `user` may grant (their own limit, else their tier's) must be approved at
    the tier whose limit covers it: the reason in Chinese, or None."""
    if not amount:
        return None
    lad = ladder()
    mine = authority_limit(user, lad)
    if mine is None or amount <= mine:
        return None
    need = lad.level_for_amount(amount)
    return (
        f"支付金额 {amount:,.2f} 元超出您的授权（{mine:,.2f} 元）：须升级至{level_label(need, lad)}，"
        "由有权限的人员审批结案"
    )
