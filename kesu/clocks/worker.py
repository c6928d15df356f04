"""The background worker: acts on clocks whose next threshold has come (warn, record a breach,
prompt a contact on a promised date, escalate on time).

`run_once()` is one step (tests call it with a fixed `now`); `run()` loops. Several workers may run
against PostgreSQL at once: each claims a batch with `SELECT … FOR UPDATE SKIP LOCKED`, so no clock
is handled by two of them, and `ClockMark`'s unique (clock, threshold) makes a second handling of
the same threshold impossible even if that ever failed. On SQLite (one writer at a time) run one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases.models import Case, CaseEvent
from kesu.clocks import compute
from kesu.clocks.bulk import EVENT_COLUMNS, insert_rows
from kesu.clocks.hooks import DECISION_KEYS
from kesu.clocks.models import Alert, CaseClock, ClockMark, ClockPause
from kesu.clocks.selectors import calendar_for, clock_input, policy_for
from kesu.clocks.workdays import Calendar

log = logging.getLogger(__name__)
LEADS_FROM = 80
"""From this threshold on (and at a breach) the supervisors above the case are told as well."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class _Cache:
    calendars: dict[int, Calendar] = field(default_factory=dict)
    thresholds: dict[int, tuple[int, ...]] = field(default_factory=dict)
    leads: dict[int, list[User]] = field(default_factory=dict)

    def calendar(self, case: Case) -> Calendar:
        if case.unit_id not in self.calendars:
            self.calendars[case.unit_id] = calendar_for(case.unit)
        return self.calendars[case.unit_id]

    def limits(self, case: Case) -> tuple[int, ...]:
        if case.unit_id not in self.thresholds:
            self.thresholds[case.unit_id] = policy_for(case.unit).thresholds
        return self.thresholds[case.unit_id]

    def supervisors(self, case: Case) -> list[User]:
        """The supervisors of the nearest unit (the case's own, then upwards) that has any."""
        if case.unit_id not in self.leads:
            from kesu.routing.selectors import nearest_people

            self.leads[case.unit_id] = nearest_people(case.unit, frozenset({"supervisor"}))
        return self.leads[case.unit_id]


def _message(case: Case, clock: CaseClock, threshold: int, st: compute.ClockStatus) -> tuple[str, str]:
    due = f"{timezone.localtime(st.due_at):%Y-%m-%d %H:%M}"
    if clock.key == "promise":
        return "promise_due", f"{case.number} 承诺答复日已到（{due}）仍无处理结果：请主动联系客户说明进展"
    if threshold >= 100:
        return "clock_breach", f"{case.number} {clock.name}已超期（期限 {due}）"
    return (
        "clock_warning",
        f"{case.number} {clock.name}已用时 {threshold}%，{st.remaining_text}（期限 {due}）",
    )


_DERIVED = ("due_at", "state", "next_check_at", "uncertain_years", "threshold", "breached_at")
_PG_UPDATE = (
    'UPDATE "{table}" AS c SET due_at = v.due_at, state = v.state, next_check_at = v.next_check_at, '
    "uncertain_years = v.uncertain_years, threshold = v.threshold, breached_at = v.breached_at "
    "FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::timestamptz[], %s::text[], %s::integer[], "
    "%s::timestamptz[]) AS v(id, due_at, state, next_check_at, uncertain_years, threshold, breached_at) "
    "WHERE c.id = v.id"
)


def _save(clocks: list[CaseClock]) -> None:
    """Write the derived columns of a batch of clocks: one UPDATE … FROM unnest(arrays) on PostgreSQL
    (Django's bulk_update builds a CASE per column and row, several times slower), else bulk_update."""
    if not clocks:
        return
    if connection.vendor != "postgresql":
        CaseClock.objects.bulk_update(clocks, list(_DERIVED))
        return
    columns = [[c.pk for c in clocks]] + [[getattr(c, f) for c in clocks] for f in _DERIVED]
    with connection.cursor() as cursor:
        cursor.execute(_PG_UPDATE.format(table=CaseClock._meta.db_table), columns)


def run_once(
    *, now: datetime | None = None, batch: int = 200, worker: str = "", cache: _Cache | None = None
) -> int:
    """Claim and handle up to `batch` due clocks; returns how many were claimed (0: nothing due).

    `cache` (units' calendars, thresholds, supervisors) may be shared by the batches of one pass."""
    now = now or timezone.now()
    worker = worker or worker_name()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A batch lost in a crash is simply claimed again (its marks are lost with it), so the
            # worker need not wait for each commit to reach the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        qs = CaseClock.objects.filter(ended="", next_check_at__lte=now).order_by("next_check_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        clocks = list(qs[:batch])
        if not clocks:
            return 0
        needed = ("number", "status", "escalation_level", "owner", "unit__path")
        found = Case.objects.filter(pk__in={k.case_id for k in clocks}).select_related("unit").only(*needed)
        cases = {c.pk: c for c in found}
        pauses: dict[int, list[compute.Pause]] = {}
        for p in ClockPause.objects.filter(clock_id__in=[k.pk for k in clocks]).order_by("start"):
            pauses.setdefault(p.clock_id, []).append(compute.Pause(p.start, p.end, p.reason))
        cache = cache or _Cache()
        marks: list[tuple[object, ...]] = []
        alerts: list[tuple[object, ...]] = []
        events: list[tuple[object, ...]] = []
        stamp = timezone.now()  # when the audit lines are written
        late: dict[int, int] = {}
        for clock in clocks:
            case = cases[clock.case_id]
            inp = clock_input(clock, pauses.get(clock.pk, []))
            if inp is None:
                clock.next_check_at = None
                continue
            st = compute.status(inp, cache.calendar(case), now, cache.limits(case))
            crossed = [t for t in cache.limits(case) if clock.threshold < t <= st.threshold]
            if clock.key == "promise":
                crossed = [t for t in crossed if t >= 100]
            clock.due_at, clock.state, clock.next_check_at = st.due_at, st.state, st.next_check_at
            clock.uncertain_years = ",".join(str(y) for y in sorted(st.uncertain_years))
            if st.state == "paused":  # not warned now; the thresholds it passed are acted on once it runs
                continue
            clock.threshold = max(clock.threshold, st.threshold)
            if not crossed or st.state in ("met", "met_late"):
                continue
            top = max(crossed)
            marks += [(clock.pk, t, now, worker) for t in crossed]
            kind, text = _message(case, clock, top, st)
            people = [case.owner_id] + ([u.pk for u in cache.supervisors(case)] if top >= LEADS_FROM else [])
            alerts += [(uid, case.pk, clock.pk, kind, text[:300], now) for uid in dict.fromkeys(people)]
            if top >= 100:
                clock.breached_at = clock.due_at
            events.append((case.pk, None, kind, {}, text[:500], stamp))
            if clock.key in DECISION_KEYS:
                late[case.pk] = max(late.get(case.pk, 0), top)
        insert_rows(ClockMark, ("clock_id", "threshold", "at", "worker"), marks)
        _save(clocks)
        insert_rows(Alert, ("user_id", "case_id", "clock_id", "kind", "message", "created_at"), alerts)
        insert_rows(CaseEvent, EVENT_COLUMNS, events)
        if late:
            from kesu.routing.services import escalate_on_time

            escalate_on_time({cases[pk]: t for pk, t in late.items()}, now=now)
    return len(clocks)


def start_in_background(
    *, interval: float = 60.0, batch: int = 200, stop: threading.Event | None = None
) -> threading.Thread:
    """A worker thread inside the web process (`kesu serve`, for a pilot or the demo); production
    runs `kesu worker --loop` as its own service instead. Setting `stop` ends the thread."""
    stop = stop or threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    run(batch=batch)
                except Exception:
                    log.exception("background clock worker failed; retrying")
                finally:
                    close_old_connections()
                stop.wait(interval)
        finally:
            connections.close_all()  # this thread's own connections: nothing left open behind it

    thread = threading.Thread(target=work, name="kesu-clock-worker", daemon=True)
    thread.start()
    return thread


# PostgreSQL rolls a whole transaction back on these (deadlock detected, serialization failure):
# two workers holding clocks of the same case can deadlock on the case row at commit (the
# foreign-key checks of their alerts and events). Nothing of the batch is kept, so it is simply
# claimed again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_RETRIES = 5


def _retryable(exc: BaseException) -> bool:
    """Whether `exc` (Django's wrapper, or the driver's error) is a rolled-back conflict."""
    return any(getattr(e, "sqlstate", None) in _RETRYABLE_SQLSTATES for e in (exc, exc.__cause__))


def run(*, loop: bool = False, interval: float = 30.0, batch: int = 200, until_idle: bool = False) -> int:
    """Handle due clocks until none is left; with `loop`, keep watching every `interval` seconds."""
    total = 0
    name = worker_name()
    cache = _Cache()  # one per pass: configuration changes are seen on the next pass
    conflicts = 0
    while True:
        try:
            n = run_once(batch=batch, worker=name, cache=cache)
        except Exception as exc:  # one bad batch must not stop the worker; it is retried on the next pass
            if _retryable(exc) and conflicts < _RETRIES:
                conflicts += 1
                log.warning("clock worker batch rolled back by a conflict, claimed again: %s", exc)
                time.sleep(0.05 * conflicts)  # let the other worker's batch commit first
                continue
            log.exception("clock worker batch failed")
            n = 0
            if not loop:
                raise
        conflicts = 0
        total += n
        if n:
            continue
        if not loop or until_idle:
            return total
        cache = _Cache()
        time.sleep(interval)
