"""待办 (the task list: warnings, breaches, requests waiting for the user) and 时限规则 (read-only).

Reads come from kesu.clocks.selectors and kesu.routing; the one write (ticking off an entry) goes
through kesu.clocks.services.alert_done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kesu.accounts.models import User
from kesu.cases import workflow
from kesu.cases.errors import DomainError
from kesu.cases.models import INDUSTRIES
from kesu.cases.selectors import visible_cases
from kesu.clocks import rules
from kesu.clocks.models import ALERT_KINDS, ExtensionRequest, OfficialYear, RuleSet
from kesu.clocks.selectors import breach_by_clock, breach_count, inbox, policy_for, ruleset_get
from kesu.clocks.services import alert_done, approver_problem
from kesu.clocks.specs import spec_from_dict
from kesu.clocks.workdays import package_knows
from kesu.routing.conflicts import conflict_for
from kesu.routing.models import Escalation
from kesu.routing.selectors import level_label
from kesu.web.clock_context import RULE_LABELS, step_words

REVIEW_LIMIT = 50
"""At most this many requests / escalations are listed per section (the oldest first)."""


def _month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _scope_path(user: User) -> str | None:
    """The unit path whose cases a lead oversees (None: everywhere, for an admin)."""
    if user.role == "admin":
        return None
    return user.unit.path if user.unit else "/-/"


def _alert_groups(user: User) -> list[dict[str, Any]]:
    alerts = list(inbox(user).order_by("-created_at", "-id")[:500])
    groups = []
    for kind, label in ALERT_KINDS.items():
        mine = [a for a in alerts if a.kind == kind]
        if mine:
            groups.append({"kind": kind, "label": label, "alerts": mine})
    return groups


def _pending_extensions(user: User) -> list[dict[str, Any]]:
    scope = visible_cases(user).exclude(status__in=workflow.FINISHED_STATUSES).values("pk")
    qs = (
        ExtensionRequest.objects.filter(status="pending", clock__case__in=scope, clock__ended="")
        .exclude(requested_by=user)
        .select_related("clock__case__unit", "requested_by")
        .order_by("requested_at", "id")
    )
    out = []
    for req in qs[:REVIEW_LIMIT]:
        case = req.clock.case
        steps = spec_from_dict(req.clock.spec).extensions
        if req.step > len(steps):
            continue
        step = steps[req.step - 1]
        if approver_problem(
            user, case, step.approver_roles, step.approver_scope
        ) is None and not conflict_for(user, case):
            out.append({"req": req, "case": case, "step": step})
    return out


def _pending_reviews(user: User) -> list[dict[str, Any]]:
    scope = visible_cases(user).values("pk")
    qs = (
        Escalation.objects.filter(verdict="", case__in=scope)
        .exclude(by=user)
        .select_related("case", "by")
        .order_by("at", "id")
    )
    return [
        {
            "esc": e,
            "arrow": f"{level_label(e.from_level)} → {level_label(e.to_level)}",
            "rules": "、".join(RULE_LABELS.get(r, r) for r in e.rules.split(",") if r),
        }
        for e in qs[:REVIEW_LIMIT]
    ]


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {"groups": _alert_groups(user), "is_lead": user.role in workflow.LEADS}
    if context["is_lead"]:
        since = _month_start(timezone.now())
        path = _scope_path(user)
        context.update(
            extensions=_pending_extensions(user),
            reviews=_pending_reviews(user),
            breaches=breach_count(path, since),
            breaches_by_clock=breach_by_clock(path, since),
            month=since,
        )
    return render(request, "web/tasks/tasks.html", context)


@login_required
@require_POST
def task_done(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert_done(user=request.user, alert_id=alert_id)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已标记为已处理")
    return redirect("/tasks/")


def _ruleset_rows() -> list[dict[str, Any]]:
    keys = list(dict.fromkeys([*rules.builtin_rulesets(), *RuleSet.objects.values_list("key", flat=True)]))
    configured = set(RuleSet.objects.values_list("key", flat=True))
    out = []
    for key in keys:
        rs = ruleset_get(key)
        out.append(
            {
                "rs": rs,
                "configured": key in configured,
                "industries": "、".join(INDUSTRIES.get(i, i) for i in sorted(rs.industries)),
                "clocks": [
                    {
                        "spec": s,
                        "unit": rules.UNITS.get(s.unit, s.unit),
                        "starts": rules.STARTS.get(s.starts_on, s.starts_on),
                        "stops": rules.STOPS.get(s.stops_on, s.stops_on),
                        "steps": [{"step": st, "words": step_words(st)} for st in s.extensions],
                    }
                    for s in rs.specs
                ],
            }
        )
    return out


def _calendar_status(now: datetime) -> dict[str, Any]:
    this_year = timezone.localdate(now).year
    years = range(this_year - 2, this_year + 3)
    entered = {y.year: y for y in OfficialYear.objects.all()}
    package = [y for y in years if package_knows(y)]
    missing = [y for y in (this_year, this_year + 1) if y not in entered and not package_knows(y)]
    return {"package": package, "entered": sorted(entered.values(), key=lambda y: y.year), "missing": missing}


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    policy = policy_for(user.unit) if user.unit else None
    applied = ruleset_get(policy.ruleset_key) if policy and policy.ruleset_key else None
    by_industry = [
        (INDUSTRIES.get(i, i), ruleset_get(rules.ruleset_for_industry(i)).name) for i in INDUSTRIES
    ]
    context = {
        "rulesets": _ruleset_rows(),
        "policy": policy,
        "applied": applied,
        "by_industry": by_industry,
        "calendar": _calendar_status(timezone.now()),
        "is_admin": user.role == "admin" or user.is_staff,
    }
    return render(request, "web/rules/rules.html", context)
