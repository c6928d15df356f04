"""The clocks' side of the case services: start, meet, end and merge clocks as the case moves.

Called by `kesu.cases.services` inside the same transaction as the case change (so a clock never
disagrees with its case). Nothing here imports the case services, which import this module.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases.masking import mask_text
from kesu.cases.models import Case, CaseEvent
from kesu.clocks import compute, rules
from kesu.clocks.models import CaseClock, ClockPause
from kesu.clocks.selectors import calendar_for, clock_input, policy_for, ruleset_get
from kesu.clocks.specs import spec_to_dict
from kesu.clocks.workdays import SHANGHAI, Calendar

DECISION_KEYS = ("decision", "mediation")
"""Clocks of the decision itself (time-based escalation, restarts on reopening)."""
INTERNAL_KEYS = ("first_contact", "promise", "callback")
"""The organisation's own targets; every other clock is a regulatory deadline."""
_QUIET = ("met", "met_late", "paused")
"""States in which a clock is not warned (the worker leaves them alone)."""


def refresh(clock: CaseClock, cal: Calendar, now: datetime, thresholds: tuple[int, ...]) -> CaseClock:
    """Recompute a clock's derived columns (due, state, next check) and save them."""
    _derive(clock, cal, now, thresholds, clock_input(clock))
    clock.save(update_fields=["due_at", "state", "uncertain_years", "next_check_at"])
    return clock


def _derive(
    clock: CaseClock,
    cal: Calendar,
    now: datetime,
    thresholds: tuple[int, ...],
    inp: compute.ClockInput | None,
) -> None:
    """Set a clock's derived columns (due, state, next check) from its pure input, in memory."""
    if inp is None or clock.ended:
        clock.state = "waiting" if inp is None else clock.state
        clock.next_check_at = None
    else:
        st = compute.status(inp, cal, now, thresholds)
        clock.due_at, clock.state = st.due_at, st.state
        clock.uncertain_years = ",".join(str(y) for y in sorted(st.uncertain_years))
        # A threshold already passed but not yet acted on is due for the worker at once (a met
        # clock needs no warning; a paused one is warned once it runs again).
        pending = st.threshold > clock.threshold and st.state not in _QUIET
        clock.next_check_at = now if pending else st.next_check_at


def _case_due(clocks: list[CaseClock]) -> datetime | None:
    """The nearest regulatory deadline still to be met among these live clocks."""
    dues = [
        c.due_at
        for c in clocks
        if c.key not in INTERNAL_KEYS and c.stopped_at is None and c.due_at is not None
    ]
    return min(dues, default=None)


def refresh_case(case: Case, now: datetime | None = None) -> None:
    """Recompute every live clock of `case` and copy the nearest regulatory deadline still to be
    met onto the case row (`Case.due_at`, which the lists filter and sort on)."""
    now = now or timezone.now()
    cal = calendar_for(case.unit)
    thresholds = policy_for(case.unit).thresholds
    live = [refresh(clock, cal, now, thresholds) for clock in case.clocks.filter(ended="")]
    due = _case_due(live)
    Case.objects.filter(pk=case.pk).update(due_at=due)
    case.due_at = due


def _specs_for(case: Case) -> tuple[str, list[rules.ClockSpec]]:
    policy = policy_for(case.unit)
    key = policy.ruleset_key or rules.ruleset_for_industry(case.industry)
    ruleset = ruleset_get(key)
    specs = list(ruleset.specs)
    if not any(s.key == "first_contact" for s in specs) and policy.first_contact_hours:
        specs.append(rules.internal_first_contact(policy.first_contact_hours))
    return ruleset.key, specs


def clocks_open(case: Case, *, new_case: bool = False) -> None:
    """Start the clocks of a newly received complaint (its unit's rule set, or its industry's).

    `new_case`: the case has no other clocks yet (intake). The new clocks are then written once,
    with their due dates computed beforehand, and `case.due_at` is set in memory only: the caller
    saves it with the case. Otherwise every live clock is refreshed and the case row updated."""
    key, specs = _specs_for(case)
    now = timezone.now()
    cal, thresholds = calendar_for(case.unit), policy_for(case.unit).thresholds
    clocks = []
    for spec in specs:
        started = case.received_at if spec.starts_on == "received" else None
        clock = CaseClock(
            case=case,
            key=spec.key,
            name=spec.name,
            spec=spec_to_dict(spec),
            ruleset_key=key,
            started_at=started,
            state="running" if started else "waiting",
        )
        _derive(clock, cal, now, thresholds, clock_input(clock, pauses=[]))
        clocks.append(clock)
    CaseClock.objects.bulk_create(clocks)
    if new_case:
        case.due_at = _case_due(clocks)
    else:
        refresh_case(case, now)


def clocks_event(case: Case, event: str, at: datetime | None = None) -> list[CaseClock]:
    """Something happened (a key of `rules.STOPS`): meet the clocks it stops, start those it starts."""
    at = at or timezone.now()
    met: list[CaseClock] = []
    for clock in case.clocks.filter(ended=""):
        spec = clock.spec
        if spec.get("stops_on") == event and clock.stopped_at is None and clock.started_at is not None:
            clock.stopped_at = at
            clock.save(update_fields=["stopped_at"])
            met.append(clock)
        elif spec.get("starts_on") == event and clock.started_at is None:
            clock.started_at = at
            clock.state = "running"
            clock.save(update_fields=["started_at", "state"])
    refresh_case(case)
    return met


def clocks_end(case: Case, reason: str) -> None:
    """The case is over (closed, withdrawn, merged): its live clocks stop counting."""
    case.clocks.filter(ended="").update(ended=reason, next_check_at=None)


def clocks_merge(case: Case, into: Case) -> list[str]:
    """A repeated complaint merged into `into`: one clock per rule, the one that started first.

    Returns a line per clock whose start `into` adopted from `case` (for the audit trail)."""
    notes: list[str] = []
    theirs = {c.key: c for c in case.clocks.filter(ended="").prefetch_related("pauses")}
    for mine in into.clocks.filter(ended="").prefetch_related("pauses"):
        other = theirs.get(mine.key)
        a, b = clock_input(mine), clock_input(other) if other else None
        if a is None or b is None or other is None:
            continue
        kept = compute.merge(a, b)
        if kept is b:  # the repeated complaint's clock started earlier: `into` keeps that one
            mine.started_at, mine.extensions, mine.stopped_at = (
                other.started_at,
                other.extensions,
                other.stopped_at,
            )
            mine.save(update_fields=["started_at", "extensions", "stopped_at"])
            mine.pauses.all().delete()
            for p in other.pauses.all():
                ClockPause.objects.create(clock=mine, start=p.start, end=p.end, reason=p.reason, by=p.by)
            notes.append(
                f"{mine.name}：沿用 {case.number} 的起算时间 {timezone.localtime(other.started_at):%Y-%m-%d %H:%M}"
            )
    clocks_end(case, "merged")
    refresh_case(into)
    return notes


def promise_clock(case: Case, day: datetime, now: datetime) -> CaseClock:
    """A reply date promised to the customer: due at the end of that day (Shanghai time)."""
    end = datetime.combine(day.date(), datetime.max.time().replace(microsecond=0), tzinfo=SHANGHAI)
    hours = max(1, math.ceil((end - now).total_seconds() / 3600))
    spec = rules.ClockSpec(
        key="promise",
        name=f"承诺答复（{end:%m月%d日}）",
        amount=hours,
        unit="hours",
        starts_on="received",
        stops_on="promise_kept",
        source="内部目标：向客户承诺的答复日期（承诺日到期仍无结果须主动联系客户）",
        pausable=False,
        restartable=False,
    )
    return _internal_clock(case, spec, end - timedelta(hours=hours), now)


def _internal_clock(case: Case, spec: rules.ClockSpec, started_at: datetime, now: datetime) -> CaseClock:
    """Start one of the organisation's own clocks, replacing a live one of the same key."""
    case.clocks.filter(ended="", key=spec.key).update(ended="replaced", next_check_at=None)
    clock = CaseClock.objects.create(
        case=case,
        key=spec.key,
        name=spec.name,
        spec=spec_to_dict(spec),
        ruleset_key="",
        started_at=started_at,
    )
    refresh_case(case, now)
    clock.refresh_from_db()
    return clock


def event(
    case: Case, user: User | None, action: str, note: str, changes: dict[str, object] | None = None
) -> None:
    """An audit line on the case for a clock change (the case row itself is not versioned by it)."""
    CaseEvent.objects.create(
        case=case, actor=user, action=action, changes=changes or {}, note=mask_text(note)[:500]
    )


def contact_logged(case: Case, at: datetime) -> None:
    """A contact with the customer: meets the first-contact target, and keeps a promise whose day
    has come (a contact made before the promised day does not keep it)."""
    clocks_event(case, "first_contact", at)
    day = timezone.localdate(at)
    for clock in case.clocks.filter(ended="", key="promise", stopped_at__isnull=True):
        if clock.due_at is not None and timezone.localdate(clock.due_at) <= day:
            clock.stopped_at = at
            clock.save(update_fields=["stopped_at"])
    refresh_case(case)


def notice_issued(case: Case, at: datetime | None = None) -> None:
    """The decision and its notice: meets the decision clocks and any promise of a reply."""
    clocks_event(case, "notice_issued", at)
    clocks_event(case, "promise_kept", at)


def clocks_reselect(case: Case) -> None:
    """The industry was corrected: if that changes the rule set, the clocks restart under the right
    one from the original receipt (the earlier ones end, their history stays)."""
    key, _ = _specs_for(case)
    live = list(case.clocks.filter(ended="").exclude(key="promise"))
    if not live or all(c.ruleset_key == key for c in live):
        return
    for clock in live:
        clock.ended, clock.next_check_at = "reclassified", None
        clock.save(update_fields=["ended", "next_check_at"])
    clocks_open(case)
    _carry_over(case, live)
    names = "、".join(c.name for c in case.clocks.filter(ended="").exclude(key="promise"))
    event(case, None, "clocks_reselect", f"行业变更，改按「{ruleset_get(key).name}」计算时限：{names}")


def _carry_over(case: Case, old: list[CaseClock]) -> None:
    """After a change of rule set, what already happened still counts: a clock met by an event
    (e.g. the first contact) stays met, and a clock that starts on acceptance starts when the case
    was accepted."""
    done = {c.spec.get("stops_on"): c.stopped_at for c in old if c.stopped_at is not None}
    accepted = (
        case.events.filter(action__in=("start", "accept")).order_by("at").values_list("at", flat=True).first()
    )
    if accepted is not None:
        done.setdefault("accepted", accepted)
    changed = False
    for clock in case.clocks.filter(ended=""):
        before = (clock.started_at, clock.stopped_at)
        if clock.started_at is None and clock.spec.get("starts_on") in done:
            clock.started_at, clock.state = done[clock.spec["starts_on"]], "running"
        at = done.get(clock.spec.get("stops_on"))
        if (
            at is not None
            and clock.started_at is not None
            and clock.stopped_at is None
            and at >= clock.started_at
        ):
            clock.stopped_at = at
        if (clock.started_at, clock.stopped_at) != before:
            clock.save(update_fields=["started_at", "state", "stopped_at"])
            changed = True
    if changed:
        refresh_case(case)


def clocks_reopen(case: Case, at: datetime | None = None) -> None:
    """A reopened case needs a new decision: its decision clocks start again from the reopening."""
    at = at or timezone.now()
    _, specs = _specs_for(case)
    case.clocks.filter(ended="", key__in=DECISION_KEYS).update(ended="restarted", next_check_at=None)
    case.clocks.filter(ended="", key="callback").update(ended="reopened", next_check_at=None)
    for spec in specs:
        if spec.stops_on == "notice_issued":  # a 12315 mediation too: the case was accepted before
            CaseClock.objects.create(
                case=case,
                key=spec.key,
                name=spec.name,
                spec=spec_to_dict(spec),
                ruleset_key=case.clocks.order_by("-id").values_list("ruleset_key", flat=True).first() or "",
                started_at=at,
            )
    refresh_case(case, at)


CALLBACK_WORKING_DAYS = 3
"""Internal target: call the customer back within three working days of resolution (seed 001's
sixth step, 跟进与回访)."""


def callback_clock(case: Case, at: datetime | None = None) -> CaseClock:
    """The case is resolved: the callback is scheduled (a clock met by recording the callback)."""
    at = at or timezone.now()
    spec = rules.ClockSpec(
        key="callback",
        name="回访客户",
        amount=CALLBACK_WORKING_DAYS,
        unit="working_days",
        starts_on="received",
        stops_on="callback_done",
        source="内部目标：办结后 3 个工作日内回访，确认结果已落实、问题未复发",
        pausable=False,
        restartable=False,
    )
    return _internal_clock(case, spec, at, at)
