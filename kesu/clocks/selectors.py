"""Reads for the clocks: a unit's policy and calendar, rule sets, and each case's clocks as shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kesu.accounts.models import OrgUnit, User
from kesu.clocks import compute, rules, workdays
from kesu.clocks.config_cache import cached
from kesu.clocks.models import (
    Alert,
    CaseClock,
    Closure,
    ExtensionRequest,
    OfficialDay,
    OfficialYear,
    RuleSet,
    UnitPolicy,
    parse_thresholds,
)
from kesu.clocks.specs import spec_from_dict

DEFAULT_THRESHOLDS = (50, 80, 100)
DEFAULT_FIRST_CONTACT_HOURS = 24


@dataclass(frozen=True)
class Policy:
    ruleset_key: str  # "" = choose by the case's industry
    first_contact_hours: int
    thresholds: tuple[int, ...]
    source_unit: str  # which unit's settings apply (for display)


def _ancestors(unit: OrgUnit) -> list[int]:
    """Ids of `unit` and the units above it, nearest first."""
    return unit.ancestor_ids()


def policy_for(unit: OrgUnit) -> Policy:
    """The settings of the nearest unit (itself, then upwards) that sets each field."""
    return cached(("policy_for", unit.path), lambda: _policy_for(unit))


def _policy_for(unit: OrgUnit) -> Policy:
    ids = _ancestors(unit)
    found = {
        p.unit_id: p for p in UnitPolicy.objects.filter(unit_id__in=ids).select_related("ruleset", "unit")
    }
    ruleset_key, hours, thresholds, source = "", DEFAULT_FIRST_CONTACT_HOURS, DEFAULT_THRESHOLDS, ""
    got_rs = got_hours = got_thr = False
    for uid in ids:
        pol = found.get(uid)
        if pol is None:
            continue
        if not got_rs and pol.ruleset is not None:
            ruleset_key, got_rs, source = pol.ruleset.key, True, pol.unit.name
        if not got_hours and pol.first_contact_hours is not None:
            hours, got_hours = pol.first_contact_hours, True
        if not got_thr and pol.thresholds:
            thresholds, got_thr = parse_thresholds(pol.thresholds), True
    return Policy(ruleset_key, hours, thresholds, source)


def ruleset_get(key: str) -> rules.RuleSet:
    """The rule set as configured (an admin's row), else the built-in one, else the general one."""
    return cached(("ruleset", key), lambda: _ruleset_get(key))


def _ruleset_get(key: str) -> rules.RuleSet:
    row = RuleSet.objects.filter(key=key).first()
    if row is not None:
        return rules.parse_rulesets({"rulesets": {row.key: row.definition}})[row.key]
    builtin = rules.builtin_rulesets()
    return builtin.get(key) or builtin["general"]


def calendar_for(unit: OrgUnit | None) -> workdays.Calendar:
    """Working days for a unit: the state calendar, admin-entered years, closures of it and above."""
    return cached(("calendar", unit.path if unit else ""), lambda: _calendar_for(unit))


def _calendar_for(unit: OrgUnit | None) -> workdays.Calendar:
    closures: dict[date, str] = {}
    scope = Q(unit__isnull=True)
    if unit is not None:
        scope |= Q(unit_id__in=_ancestors(unit))
    for c in Closure.objects.filter(scope):
        day = c.start
        while day <= c.end:
            closures[day] = f"机构停业：{c.reason}"
            day += timedelta(days=1)
    official = {d.day: (d.workday, d.name) for d in OfficialDay.objects.all()}
    years = frozenset(OfficialYear.objects.values_list("year", flat=True))
    return workdays.Calendar(closures=closures, official=official, official_years=years)


def clock_input(clock: CaseClock, pauses: list[compute.Pause] | None = None) -> compute.ClockInput | None:
    """The pure input of a stored clock (None while it waits for its start event)."""
    if clock.started_at is None:
        return None
    if pauses is None:
        pauses = [compute.Pause(p.start, p.end, p.reason) for p in clock.pauses.all()]
    return compute.ClockInput(
        spec=spec_from_dict(clock.spec),
        started_at=clock.started_at,
        extensions=clock.extensions,
        pauses=tuple(pauses),
        stopped_at=clock.stopped_at,
    )


@dataclass(frozen=True)
class ClockView:
    clock: CaseClock
    spec: rules.ClockSpec
    status: compute.ClockStatus | None  # None while waiting for its start
    next_step: rules.ExtensionStep | None
    pending: ExtensionRequest | None
    paused: bool

    @property
    def state(self) -> str:
        if self.clock.ended:
            return "ended"
        return self.status.state if self.status else "waiting"

    @property
    def state_label(self) -> str:
        if self.clock.ended:
            return {
                "closed": "案件已结案",
                "withdrawn": "已撤诉",
                "merged": "已并入其他案件",
                "restarted": "已重新起算",
                "reopened": "案件已重新处理",
                "replaced": "已被新的承诺取代",
                "reclassified": "行业更正后改按新规则",
            }.get(self.clock.ended, "已终止")
        return compute.STATES.get(self.state, self.state)

    @property
    def uncertain(self) -> str:
        years = sorted(self.status.uncertain_years) if self.status else []
        if not years:
            return ""
        return (
            f"{'、'.join(str(y) for y in years)} 年的节假日安排尚未录入（国务院公布后由管理员录入），"
            "本时限暂按周末推算，可能有误"
        )


def case_clocks(
    case_id: int, unit: OrgUnit, now: datetime | None = None, thresholds: tuple[int, ...] | None = None
) -> list[ClockView]:
    """Every clock of a case (live ones first), computed at `now`."""
    now = now or timezone.now()
    cal = calendar_for(unit)
    thresholds = thresholds or policy_for(unit).thresholds
    views: list[ClockView] = []
    clocks = CaseClock.objects.filter(case_id=case_id).prefetch_related("pauses", "extension_requests")
    for clock in sorted(clocks, key=lambda c: (bool(c.ended), c.id)):
        spec = spec_from_dict(clock.spec)
        inp = clock_input(clock)
        st = compute.status(inp, cal, now, thresholds) if inp is not None else None
        pending = next((r for r in clock.extension_requests.all() if r.status == "pending"), None)
        views.append(
            ClockView(
                clock=clock,
                spec=spec,
                status=st,
                next_step=compute.extension_allowed(inp) if inp is not None and not clock.ended else None,
                pending=pending,
                paused=any(p.end is None for p in clock.pauses.all()),
            )
        )
    return views


def inbox(user: User, *, done: bool = False) -> QuerySet[Alert]:
    """The user's task list entries (open ones unless `done`)."""
    return Alert.objects.filter(user=user, done_at__isnull=not done).select_related("case", "clock")


def breach_count(unit_path: str | None, since: datetime) -> int:
    """Clocks breached since `since` in a unit and below (None: everywhere)."""
    qs = CaseClock.objects.filter(breached_at__gte=since)
    if unit_path is not None:
        qs = qs.filter(case__unit_path__startswith=unit_path)
    return qs.count()


def breach_by_clock(unit_path: str | None, since: datetime) -> dict[str, int]:
    qs = CaseClock.objects.filter(breached_at__gte=since)
    if unit_path is not None:
        qs = qs.filter(case__unit_path__startswith=unit_path)
    return {row["name"]: row["n"] for row in qs.values("name").annotate(n=Count("id")).order_by("-n")}
