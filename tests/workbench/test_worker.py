"""The clock worker: one warning per threshold crossed, to the owner and (from 80 %) the supervisors,
breaches recorded and counted, nothing handled twice, paused and met clocks left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.models import Case
from kesu.cases.services_comms import contact_add
from kesu.clocks import services as clock_services
from kesu.clocks.models import Alert, CaseClock, ClockMark
from kesu.clocks.selectors import breach_by_clock, breach_count, inbox
from kesu.clocks.worker import run_once
from kesu.demo.builders import FULL_NOTICE, Org, build_case

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 20, 10, 0, tzinfo=SH)  # decision due Mon 2026-12-07 23:59:59
DUE = datetime(2026, 12, 7, 23, 59, 59, tzinfo=SH)


def t(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


def open_contacted(handler: User) -> Case:
    """A banking case whose first contact was made within the hour (only the decision clock runs)."""
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False):
        case = build_case(handler, received_at=RECEIVED)
        contact_add(user=handler, case=case, kind="call_out", summary="致电客户了解情况")
    return case


def decision(case: Case) -> CaseClock:
    return CaseClock.objects.get(case=case, key="decision", ended="")


def alerts(case: Case, kind: str) -> list[tuple[str, str]]:
    rows = Alert.objects.filter(case=case, kind=kind).order_by("id").values_list("user__username", "message")
    return list(rows)


@pytest.mark.parametrize(
    ("now", "marks", "kind", "told", "escalated_to"),
    [
        (t(11, 28), [], None, [], []),  # 45 %
        (t(11, 30), [50], "clock_warning", ["handler"], []),  # 57 %: the owner only
        # 85 %: and the supervisor; the time rule takes it to L2, whose specialist is told
        (t(12, 5), [50, 80], "clock_warning", ["handler", "supervisor"], ["specialist"]),
        # breach: straight to L3, the supervisor's tier
        (
            DUE + timedelta(seconds=1),
            [50, 80, 100],
            "clock_breach",
            ["handler", "supervisor"],
            ["supervisor"],
        ),
    ],
)
def test_one_run_marks_every_threshold_crossed_and_tells_the_right_people(
    people: dict[str, User],
    now: datetime,
    marks: list[int],
    kind: str | None,
    told: list[str],
    escalated_to: list[str],
) -> None:
    case = open_contacted(people["handler"])
    run_once(now=now, worker="w1")
    clock = decision(case)
    assert sorted(clock.marks.values_list("threshold", flat=True)) == marks
    assert set(clock.marks.values_list("worker", flat=True)) <= {"w1"}
    assert clock.threshold == (marks[-1] if marks else 0)
    if kind is None:
        assert not Alert.objects.filter(case=case).exists()
        return
    # One task per person for the highest threshold reached, never one per threshold skipped.
    assert sorted(u for u, _ in alerts(case, kind)) == sorted(told)
    assert Alert.objects.filter(case=case, kind=kind).count() == len(told)
    assert sorted(u for u, _ in alerts(case, "escalation")) == escalated_to
    assert case.events.filter(action=kind, actor=None).count() == 1


def test_thresholds_crossed_one_after_the_other_then_the_breach_is_recorded_and_counted(
    org: Org, people: dict[str, User]
) -> None:
    case = open_contacted(people["handler"])
    assert run_once(now=t(11, 28)) == 0  # nothing due yet
    assert run_once(now=t(11, 30)) == 1
    assert run_once(now=t(11, 30)) == 0  # idempotent: the same moment again does nothing
    run_once(now=t(12, 5))
    (warning,) = [m for u, m in alerts(case, "clock_warning") if u == "supervisor"]
    assert "已用时 80%" in warning and "2026-12-07 23:59" in warning
    assert decision(case).breached_at is None
    run_once(now=DUE + timedelta(minutes=5))
    clock = decision(case)
    assert (clock.state, clock.breached_at, clock.threshold, clock.next_check_at) == (
        "breached",
        DUE,
        100,
        None,
    )
    assert [m.threshold for m in clock.marks.order_by("threshold")] == [50, 80, 100]
    assert [u for u, _ in alerts(case, "clock_warning")] == ["handler", "handler", "supervisor"]
    assert sorted(u for u, _ in alerts(case, "clock_breach")) == ["handler", "supervisor"]
    for _ in range(2):
        assert run_once(now=DUE + timedelta(days=3)) == 0
    assert (
        ClockMark.objects.count() == 3
        and Alert.objects.filter(case=case).exclude(kind="escalation").count() == 5
    )
    # the time rule: L2 at 80 % (the specialist is told), L3 at the breach (the supervisor)
    assert [u for u, _ in alerts(case, "escalation")] == ["specialist", "supervisor"]
    since = t(12, 1)
    assert breach_count(None, since) == 1
    assert breach_count(org.east.path, since) == 1 and breach_count(org.north.path, since) == 0
    assert breach_by_clock(None, since) == {clock.name: 1}
    assert [a.kind for a in inbox(people["handler"])][:1] == ["clock_breach"]
    with pytest.raises(IntegrityError), transaction.atomic():
        ClockMark.objects.create(clock=clock, threshold=100, at=DUE)


def test_an_unmet_first_contact_target_is_warned_within_hours(people: dict[str, User]) -> None:
    with time_machine.travel(RECEIVED, tick=False):
        case = build_case(people["handler"], received_at=RECEIVED)
    run_once(now=RECEIVED + timedelta(hours=13))
    clock = CaseClock.objects.get(case=case, key="first_contact")
    assert list(clock.marks.values_list("threshold", flat=True)) == [50]
    ((who, text),) = alerts(case, "clock_warning")
    assert who == "handler" and "首次联系客户" in text and "剩余 11 小时" in text


def test_a_paused_clock_is_not_warned_until_it_runs_again(people: dict[str, User]) -> None:
    case = open_contacted(people["handler"])
    with time_machine.travel(t(11, 30, 9), tick=False):  # 57 %: the 50 % warning not yet sent
        clock_services.clock_pause(user=people["handler"], case=case, reason="委托第三方鉴定签名真伪")
    run_once(now=t(11, 30, 10))
    run_once(now=t(12, 20))
    assert not Alert.objects.filter(case=case).exists() and not ClockMark.objects.exists()
    with time_machine.travel(t(12, 20, 9), tick=False):
        clock_services.clock_resume(user=people["handler"], case=case, note="鉴定意见已收到")
    run_once(now=t(12, 20, 10))  # running again: the warning it passed is sent now
    assert list(decision(case).marks.values_list("threshold", flat=True)) == [50]
    assert [u for u, _ in alerts(case, "clock_warning")] == ["handler"]


def test_a_met_clock_is_not_warned(people: dict[str, User]) -> None:
    case = open_contacted(people["handler"])
    with time_machine.travel(t(12, 1), tick=False):  # 64 %, before the worker's pass
        case = services.case_start(user=people["handler"], case=case)
        services.case_issue_notice(user=people["handler"], case=case, **FULL_NOTICE)
    run_once(now=t(12, 20))
    assert not Alert.objects.filter(case=case).exists()
    assert not ClockMark.objects.exists()
    assert decision(case).state == "met"


def test_ended_clocks_are_never_claimed(people: dict[str, User]) -> None:
    case = open_contacted(people["handler"])
    services.case_withdraw(user=people["handler"], case=case, reason="客户来电撤回投诉（有录音）")
    assert run_once(now=t(12, 20)) == 0
    assert not Alert.objects.filter(case=case).exists()


def test_a_batch_smaller_than_the_work_is_finished_by_later_runs(people: dict[str, User]) -> None:
    cases = [open_contacted(people["handler"]) for _ in range(5)]
    now = t(11, 30)
    assert [run_once(now=now, batch=2) for _ in range(4)] == [2, 2, 1, 0]
    assert ClockMark.objects.filter(threshold=50).count() == len(cases)
    assert Alert.objects.filter(kind="clock_warning").count() == len(cases)


class _Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg's DeadlockDetected carries


def test_a_batch_rolled_back_by_a_deadlock_is_claimed_again_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers on the same case can deadlock at commit; PostgreSQL rolls one batch back whole.
    The worker claims it again instead of exiting (a `kesu worker` run used to fail)."""
    from django.db import OperationalError

    from kesu.clocks import worker

    calls: list[int] = []

    def flaky(**_: object) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return 3 if len(calls) == 2 else 0

    monkeypatch.setattr(worker, "run_once", flaky)
    monkeypatch.setattr(worker.time, "sleep", lambda _: None)
    assert worker.run() == 3  # the rolled-back batch, then the rest
    assert len(calls) == 3


def test_other_database_errors_still_stop_a_single_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from kesu.clocks import worker

    def broken(**_: object) -> int:
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(worker, "run_once", broken)
    with pytest.raises(OperationalError):
        worker.run()
