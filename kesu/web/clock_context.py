"""The case page's 时限 and 升级与分派 cards: every clock in words, the ladder, the rules' proposal,
who must withdraw (回避) and who could take the case. Reads only; the forms post to `case_act`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kesu.accounts.models import OrgUnit, User
from kesu.cases import workflow
from kesu.cases.models import CONTACT_KINDS, Case
from kesu.clocks import rules
from kesu.clocks.selectors import ClockView, case_clocks, policy_for
from kesu.clocks.services import approver_problem
from kesu.routing import selectors as routing
from kesu.routing.assign import conflict_reason
from kesu.routing.conflicts import conflict_for, respondents
from kesu.routing.ladder import ROLE_LABELS, UNIT_LEVEL_LABELS, Ladder
from kesu.routing.models import REVIEW_VERDICTS

RULE_LABELS = {
    "risk": "风险",
    "authority": "权限",
    "identity": "特殊身份",
    "time": "时限",
    "resources": "资源",
    "manual": "人工",
}
"""The escalation rules in words (Escalation.rules holds a comma-separated list of these keys)."""


def role_words(roles: Any) -> str:
    return "、".join(ROLE_LABELS.get(r, r) for r in sorted(roles))


def step_words(step: rules.ExtensionStep) -> str:
    """ "延长 15 天，须主管或消保专员（本机构负责人）审批，并告知投诉人"."""
    notice = "，并告知投诉人" if step.notice_required else ""
    return (
        f"延长 {step.days} 天，须{role_words(step.approver_roles)}"
        f"（{rules.APPROVER_SCOPES.get(step.approver_scope, step.approver_scope)}）审批{notice}"
    )


@dataclass(frozen=True)
class ClockRow:
    view: ClockView
    due_at: Any
    remaining: str
    threshold: int
    pauses: list[Any]
    requests: list[Any]
    can_request: bool
    can_decide: bool
    decide_problem: str
    pending_step: rules.ExtensionStep | None


def _may_handle(user: User, case: Case) -> bool:
    return (
        user.role in workflow.HANDLING
        and case.status not in workflow.FINISHED_STATUSES
        and conflict_for(user, case) is None
    )


def _clock_row(user: User, case: Case, v: ClockView, handling: bool) -> ClockRow:
    clock, st = v.clock, v.status
    live = not clock.ended and clock.stopped_at is None and st is not None
    step = (
        v.spec.extensions[v.pending.step - 1]
        if v.pending and v.pending.step <= len(v.spec.extensions)
        else None
    )
    problem = ""
    if v.pending is not None and step is not None:
        problem = approver_problem(user, case, step.approver_roles, step.approver_scope) or ""
        if not problem and v.pending.requested_by_id == user.pk:
            problem = "不能审批自己提出的延期申请"
        if not problem:
            problem = conflict_for(user, case) or ""
    return ClockRow(
        view=v,
        due_at=st.due_at if st else clock.due_at,
        remaining=st.remaining_text if st and not clock.ended else "",
        threshold=st.threshold if st else clock.threshold,
        pauses=list(clock.pauses.all()),
        requests=sorted(clock.extension_requests.all(), key=lambda r: (r.requested_at, r.pk)),
        can_request=handling and live and v.next_step is not None and v.pending is None,
        can_decide=v.pending is not None
        and step is not None
        and not problem
        and case.status not in workflow.FINISHED_STATUSES,
        decide_problem=problem,
        pending_step=step,
    )


def clocks_card(user: User, case: Case) -> dict[str, Any]:
    """Every clock of the case with its forms, as far as `user` may use them."""
    policy = policy_for(case.unit)
    handling = _may_handle(user, case)
    rows = [_clock_row(user, case, v, handling) for v in case_clocks(case.pk, case.unit)]
    live = [r for r in rows if not r.view.clock.ended and r.view.clock.stopped_at is None and r.view.status]
    return {
        "rows": rows,
        "thresholds": policy.thresholds,
        "can_handle": handling,
        "can_pause": handling
        and any(r.view.spec.pausable and r.view.spec.unit != "hours" and not r.view.paused for r in live),
        "can_resume": handling and any(r.view.paused for r in rows if not r.view.clock.ended),
        "can_restart": handling
        and any(
            r.view.spec.restartable and r.view.spec.starts_on == "received" and r.view.spec.unit != "hours"
            for r in live
        ),
        "today": timezone.localdate().isoformat(),
        "contact_kinds": CONTACT_KINDS,
    }


def _ladder_rows(lad: Ladder, current: int) -> list[dict[str, Any]]:
    return [
        {
            "tier": t,
            "roles": role_words(t.roles),
            "unit_level": UNIT_LEVEL_LABELS.get(t.unit_level, t.unit_level),
            "limit": t.compensation_limit,
            "current": t.level == current,
        }
        for t in lad.tiers
    ]


def _escalations(user: User, case: Case, lad: Ladder) -> list[dict[str, Any]]:
    lead = user.role in workflow.LEADS
    out = []
    for e in case.escalations.select_related("by", "reviewed_by"):
        out.append(
            {
                "esc": e,
                "arrow": f"{routing.level_label(e.from_level, lad)} → {routing.level_label(e.to_level, lad)}",
                "rules": "、".join(RULE_LABELS.get(r, r) for r in e.rules.split(",") if r),
                "by": e.by.display_name if e.by else "系统",
                "verdict": REVIEW_VERDICTS.get(e.verdict, ""),
                "can_review": lead and not e.verdict and e.by_id != user.pk,
            }
        )
    return out


def _reassign_choices(case: Case) -> list[dict[str, Any]]:
    users, paths = respondents(case)
    out = []
    for c in routing.candidates(case):
        if c.user_id == case.owner_id or conflict_reason(c.user_id, c.unit_path, users, paths):
            continue
        out.append(
            {"id": c.user_id, "name": c.name, "role": ROLE_LABELS.get(c.role, c.role), "load": c.open_cases}
        )
    return sorted(out, key=lambda x: (x["load"], x["id"]))


def _staff_choices(case: Case) -> list[User]:
    """People who could be complained about: active staff of the case's branch tree (its top unit's)."""
    top = case.unit.path.strip("/").split("/")[0]
    return list(
        User.objects.filter(is_active=True, unit__path__startswith=f"/{top}/")
        .exclude(role="admin")
        .select_related("unit")
        .order_by("unit__path", "username")
    )


def _third_person(reason: str) -> str:
    """ "您是本案的被投诉人员，须回避" → "其为本案的被投诉人员" (said of the owner, not the reader)."""
    return reason.replace("，须回避", "").replace("您是", "其为").replace("您所在", "其所在")


def routing_card(user: User, case: Case) -> dict[str, Any]:
    """Level, ladder, proposal, escalation history, respondents (回避) and suggestions."""
    lad = routing.ladder()
    level = case.escalation_level
    handling = _may_handle(user, case)
    lead = user.role in workflow.LEADS
    prop = routing.proposal(case)
    if prop is not None and prop.to_level <= level:
        prop = None
    mine = conflict_for(user, case)
    owner_conflict = conflict_for(case.owner, case) if case.owner_id else None
    open_case = case.status not in workflow.FINISHED_STATUSES
    return {
        "level_label": routing.level_label(level, lad),
        "ladder": _ladder_rows(lad, level),
        "proposal": prop,
        "proposal_reason": "；".join(r.text for r in prop.reasons) if prop else "",
        "proposal_label": routing.level_label(prop.to_level, lad) if prop else "",
        "up": [(t.level, t.label) for t in lad.tiers if t.level > level] if handling else [],
        "down": [(t.level, t.label) for t in lad.tiers if t.level < level] if handling and lead else [],
        "escalations": _escalations(user, case, lad),
        "respondents": list(case.respondents.select_related("user", "unit", "added_by")),
        "my_conflict": mine,
        "owner_conflict": _third_person(owner_conflict)
        if owner_conflict and case.owner_id != user.pk
        else None,
        "can_add_respondent": handling,
        "staff": _staff_choices(case) if handling else [],
        "units": list(OrgUnit.objects.order_by("path")) if handling else [],
        "suggestions": routing.suggestions(case) if open_case else [],
        "can_reassign": handling and lead,
        "reassign_to": _reassign_choices(case) if handling and lead else [],
        "is_lead": lead,
    }
