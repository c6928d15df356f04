"""Clock computation: due dates across holidays and 调休, extensions, pauses, restarts, merges,
warnings and the state a handler sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from kesu.clocks.compute import (
    ClockInput,
    Pause,
    due_at,
    extension_allowed,
    merge,
    restart,
    status,
)
from kesu.clocks.rules import ClockSpec, RuleError, builtin_rulesets, internal_first_contact
from kesu.clocks.workdays import SHANGHAI, Calendar


def _spec(ruleset: str, clock: str) -> ClockSpec:
    spec = builtin_rulesets()[ruleset].spec(clock)
    assert spec is not None
    return spec


BANK = _spec("banking_insurance", "decision")
TELECOM = _spec("telecom", "decision")
APPEAL_ACCEPT = _spec("telecom_appeal", "acceptance")
MARKET_ACCEPT = _spec("market_12315", "acceptance")
MEDIATION = _spec("market_12315", "mediation")
GENERAL = _spec("general", "decision")
CONTACT = internal_first_contact(10)
HOURS_48 = ClockSpec(
    "reply", "回电", 48, "hours", "received", "promise_kept", "内部目标", roll_to_workday=False
)
SPECS = {
    "bank": BANK,
    "telecom": TELECOM,
    "appeal_accept": APPEAL_ACCEPT,
    "market_accept": MARKET_ACCEPT,
    "mediation": MEDIATION,
    "general": GENERAL,
    "contact": CONTACT,
    "hours48": HOURS_48,
}
PLAIN = Calendar()
ADMIN_2027 = Calendar(official={date(2027, 1, 1): (False, "元旦")}, official_years=frozenset({2027}))


def at(text: str) -> datetime:
    """'2026-09-16 10:00' in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_of(day: str) -> datetime:
    return at(f"{day} 23:59:59")


def clock(spec: str, start: str, **kw: object) -> ClockInput:
    return ClockInput(SPECS[spec], at(start), **kw)  # type: ignore[arg-type]


# --- due dates ---


@pytest.mark.parametrize(
    ("rule", "start", "extensions", "due", "note"),
    [
        ("bank", "2026-09-16 10:00", 0, end_of("2026-10-08"), "15th day 10-01 is 国庆节: rolls to 10-08"),
        ("bank", "2026-09-16 10:00", 1, end_of("2026-10-16"), "extended to 30 days"),
        ("bank", "2026-09-16 10:00", 2, end_of("2026-11-16"), "another 30: 11-15 is a Sunday"),
        ("bank", "2026-02-01 09:00", 0, end_of("2026-02-24"), "15th day 02-16 is 春节"),
        ("bank", "2026-10-03 11:00", 0, end_of("2026-10-19"), "received on a holiday: counts from next day"),
        ("bank", "2026-03-02 10:00", 0, end_of("2026-03-17"), "an ordinary fortnight"),
        ("telecom", "2026-09-25 10:00", 0, end_of("2026-10-10"), "lands on the 调休 Saturday: a working day"),
        ("general", "2026-09-26 10:00", 0, end_of("2026-10-12"), "lands on Sunday 10-11"),
        (
            "market_accept",
            "2026-09-28 10:00",
            0,
            end_of("2026-10-13"),
            "7 working days over 国庆 + 调休 10-10",
        ),
        (
            "market_accept",
            "2026-09-18 10:00",
            0,
            end_of("2026-09-29"),
            "counts 调休 Sunday 09-20, skips 中秋",
        ),
        (
            "appeal_accept",
            "2026-02-12 10:00",
            0,
            end_of("2026-02-26"),
            "counts 调休 Saturday 02-14, skips 春节",
        ),
        (
            "mediation",
            "2026-09-01 10:00",
            0,
            end_of("2026-11-09"),
            "45 working days over 中秋, 国庆, 2 调休 days",
        ),
        ("contact", "2026-10-01 09:00", 0, at("2026-10-01 19:00"), "hours ignore holidays"),
        ("hours48", "2026-10-01 09:00", 0, at("2026-10-03 09:00"), "48 hours"),
    ],
)
def test_due_dates(rule: str, start: str, extensions: int, due: datetime, note: str) -> None:
    got, uncertain = due_at(clock(rule, start, extensions=extensions), PLAIN)
    assert got == due, note
    assert got.tzinfo is not None and got.utcoffset() == timedelta(hours=8)
    assert uncertain == frozenset()


def test_the_day_is_the_shanghai_day_whatever_the_zone_of_the_input() -> None:
    utc_evening = datetime(2026, 9, 15, 17, 0, tzinfo=UTC)  # 09-16 01:00 in Shanghai
    assert due_at(ClockInput(BANK, utc_evening), PLAIN)[0] == end_of("2026-10-08")


@pytest.mark.parametrize(
    ("cal", "rule", "start", "due", "uncertain", "note"),
    [
        (
            PLAIN,
            "bank",
            "2026-12-17 10:00",
            end_of("2027-01-01"),
            {2027},
            "2027 unknown: 01-01 guessed a working day",
        ),
        (ADMIN_2027, "bank", "2026-12-17 10:00", end_of("2027-01-04"), set(), "admin entered 元旦 2027"),
        (PLAIN, "market_accept", "2026-12-28 10:00", end_of("2027-01-06"), {2027}, "working days into 2027"),
        (ADMIN_2027, "market_accept", "2026-12-28 10:00", end_of("2027-01-07"), set(), "admin schedule"),
        (PLAIN, "bank", "2026-12-01 10:00", end_of("2026-12-16"), set(), "stays in 2026"),
    ],
)
def test_unknown_year_is_flagged(
    cal: Calendar, rule: str, start: str, due: datetime, uncertain: set[int], note: str
) -> None:
    inp = clock(rule, start)
    assert due_at(inp, cal) == (due, frozenset(uncertain)), note
    assert status(inp, cal, at(start) + timedelta(days=1)).uncertain_years == frozenset(uncertain)


def test_closures_push_the_due_date() -> None:
    cal = Calendar(closures={date(2026, 10, 8): "系统升级"})
    assert due_at(clock("bank", "2026-09-16 10:00"), cal)[0] == end_of("2026-10-09")


# --- extensions ---


def test_extension_steps_in_order_then_none() -> None:
    first = extension_allowed(clock("bank", "2026-09-16 10:00"))
    second = extension_allowed(clock("bank", "2026-09-16 10:00", extensions=1))
    assert first is not None and (first.days, first.approver_scope) == (15, "same")
    assert second is not None and (second.days, second.approver_scope) == (30, "higher")
    assert extension_allowed(clock("bank", "2026-09-16 10:00", extensions=2)) is None
    assert extension_allowed(clock("market_accept", "2026-09-16 10:00")) is None


def test_no_third_extension() -> None:
    with pytest.raises(RuleError, match="最多可延期 2 次"):
        due_at(clock("bank", "2026-09-16 10:00", extensions=3), PLAIN)


# --- pauses (excluded intervals: external appraisal) ---

APPRAISAL = Pause(at("2026-03-05 09:00"), at("2026-03-10 15:00"), "外部鉴定")


@pytest.mark.parametrize(
    ("rule", "pauses", "due", "note"),
    [
        ("bank", (), end_of("2026-03-17"), "no pause"),
        ("bank", (APPRAISAL,), end_of("2026-03-23"), "+5 calendar days → 03-22 Sunday → Monday"),
        (
            "bank",
            (
                Pause(at("2026-03-05 09:00"), at("2026-03-08 12:00")),
                Pause(at("2026-03-07 09:00"), at("2026-03-10 15:00")),
            ),
            end_of("2026-03-23"),
            "overlapping pauses count once",
        ),
        (
            "bank",
            (Pause(at("2026-03-05 09:00"), at("2026-03-05 17:00")),),
            end_of("2026-03-17"),
            "same-day pause",
        ),
        (
            "bank",
            (Pause(at("2026-03-18 10:00"), at("2026-03-25 10:00")),),
            end_of("2026-03-17"),
            "after breach",
        ),
        (
            "bank",
            (Pause(at("2026-02-20 10:00"), at("2026-03-04 10:00")),),
            end_of("2026-03-19"),
            "before start: clipped",
        ),
        ("market_accept", (), end_of("2026-03-11"), "7 working days"),
        ("market_accept", (APPRAISAL,), end_of("2026-03-16"), "+3 working days (06, 09, 10)"),
        (
            "hours48",
            (Pause(at("2026-03-02 12:00"), at("2026-03-02 18:00")),),
            at("2026-03-04 16:00"),
            "+6 hours",
        ),
        (
            "contact",
            (Pause(at("2026-03-02 12:00"), at("2026-03-02 18:00")),),
            at("2026-03-02 20:00"),
            "not pausable",
        ),
    ],
)
def test_closed_pauses(rule: str, pauses: tuple[Pause, ...], due: datetime, note: str) -> None:
    start = "2026-03-02 10:00"
    assert due_at(clock(rule, start, pauses=pauses), PLAIN)[0] == due, note


def test_an_open_pause_counts_up_to_now_and_freezes_the_warnings() -> None:
    inp = clock("bank", "2026-03-02 10:00", pauses=(Pause(at("2026-03-05 09:00"), None, "外部鉴定"),))
    now = at("2026-03-08 12:00")
    st = status(inp, PLAIN, now)
    assert st.due_at == end_of("2026-03-20")  # 15 + 3 paused days (06, 07, 08)
    assert (st.state, st.remaining_text, st.next_check_at) == ("paused", "已暂停（外部鉴定）", None)
    assert st.remaining == end_of("2026-03-20") - now
    assert due_at(inp, PLAIN, now) == (end_of("2026-03-20"), frozenset())
    assert due_at(inp, PLAIN)[0] == end_of("2026-03-17")  # without `now`: the earliest possible due


def test_an_open_pause_on_a_working_day_clock() -> None:
    inp = clock("market_accept", "2026-03-02 10:00", pauses=(Pause(at("2026-03-05 09:00")),))
    st = status(inp, PLAIN, at("2026-03-10 12:00"))
    assert (st.state, st.remaining_text, st.due_at) == ("paused", "已暂停", end_of("2026-03-16"))


def test_a_resumed_pause_runs_again() -> None:
    st = status(clock("bank", "2026-03-02 10:00", pauses=(APPRAISAL,)), PLAIN, at("2026-03-12 10:00"))
    assert (st.state, st.due_at, st.remaining_text) == ("running", end_of("2026-03-23"), "剩余 11 天")


def test_a_pause_after_the_breach_does_not_revive_the_clock() -> None:
    inp = clock("bank", "2026-03-02 10:00", pauses=(Pause(at("2026-03-18 10:00"), None, "外部鉴定"),))
    st = status(inp, PLAIN, at("2026-03-20 10:00"))
    assert (st.state, st.due_at, st.remaining_text) == ("breached", end_of("2026-03-17"), "已超期 3 天")


# --- restart and merge ---


def test_restart_on_new_facts_clears_extensions_and_pauses() -> None:
    inp = clock(
        "bank", "2026-03-02 10:00", extensions=1, pauses=(APPRAISAL,), stopped_at=at("2026-03-09 10:00")
    )
    again = restart(inp, at("2026-03-10 14:00"))
    assert again == ClockInput(BANK, at("2026-03-10 14:00"))
    assert due_at(again, PLAIN)[0] == end_of("2026-03-25")


def test_restart_is_refused_when_the_rule_does_not_allow_it() -> None:
    with pytest.raises(RuleError, match="不因新的事实和理由重新计时"):
        restart(clock("contact", "2026-03-02 10:00"), at("2026-03-03 10:00"))
    with pytest.raises(ValueError, match="不能早于"):
        restart(clock("bank", "2026-03-02 10:00"), at("2026-03-01 10:00"))


def test_merge_keeps_the_clock_that_started_first() -> None:
    earlier = clock("bank", "2026-03-02 10:00", pauses=(APPRAISAL,))
    later = clock("bank", "2026-03-05 10:00", extensions=1)
    assert merge(later, earlier) is earlier
    assert merge(earlier, later) is earlier
    same_time = clock("bank", "2026-03-02 10:00")
    assert merge(same_time, earlier) is same_time
    with pytest.raises(RuleError, match="只能合并同一种时限"):
        merge(earlier, clock("contact", "2026-03-02 10:00"))


# --- status, thresholds and the next check ---


@pytest.mark.parametrize(
    ("now", "state", "percent", "threshold", "text", "next_check"),
    [
        ("2026-03-02 07:00", "waiting", 0, 0, "未开始", at("2026-03-02 13:00")),
        ("2026-03-02 08:00", "running", 0, 0, "剩余 10 小时", at("2026-03-02 13:00")),
        ("2026-03-02 12:00", "running", 40, 0, "剩余 6 小时", at("2026-03-02 13:00")),
        ("2026-03-02 13:00", "warning", 50, 50, "剩余 5 小时", at("2026-03-02 16:00")),
        ("2026-03-02 16:30", "warning", 85, 80, "剩余 1 小时", at("2026-03-02 18:00")),
        ("2026-03-02 17:45", "warning", 97, 80, "剩余 15 分钟", at("2026-03-02 18:00")),
        ("2026-03-02 18:00", "breached", 100, 100, "已超期 1 分钟", None),
        ("2026-03-02 19:30", "breached", 115, 100, "已超期 1 小时", None),
        ("2026-03-05 08:00", "breached", 720, 100, "已超期 2 天", None),
    ],
)
def test_thresholds_on_an_hours_clock(
    now: str, state: str, percent: int, threshold: int, text: str, next_check: datetime | None
) -> None:
    st = status(clock("contact", "2026-03-02 08:00"), PLAIN, at(now))
    assert (st.state, st.percent, st.threshold, st.remaining_text, st.next_check_at) == (
        state,
        percent,
        threshold,
        text,
        next_check,
    )
    assert st.due_at == at("2026-03-02 18:00")
    assert st.remaining == at("2026-03-02 18:00") - at(now)


def test_configured_thresholds() -> None:
    st = status(clock("contact", "2026-03-02 08:00"), PLAIN, at("2026-03-02 12:00"), thresholds=(25, 75))
    assert (st.state, st.threshold, st.next_check_at) == ("warning", 25, at("2026-03-02 15:30"))


@pytest.mark.parametrize("thresholds", [(0,), (150,), (50, -1)])
def test_thresholds_must_be_percentages(thresholds: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="预警阈值"):
        status(clock("contact", "2026-03-02 08:00"), PLAIN, at("2026-03-02 12:00"), thresholds=thresholds)


@pytest.mark.parametrize(
    ("rule", "start", "now", "state", "text"),
    [
        ("bank", "2026-09-16 10:00", "2026-09-20 10:00", "running", "剩余 18 天"),
        ("bank", "2026-09-16 10:00", "2026-10-08 09:00", "warning", "今天到期"),
        ("bank", "2026-09-16 10:00", "2026-10-10 09:00", "breached", "已超期 2 天"),
        ("market_accept", "2026-09-28 10:00", "2026-10-01 12:00", "running", "剩余 5 个工作日"),
        ("market_accept", "2026-09-28 10:00", "2026-10-12 12:00", "warning", "剩余 1 个工作日"),
    ],
)
def test_day_clock_texts(rule: str, start: str, now: str, state: str, text: str) -> None:
    st = status(clock(rule, start), PLAIN, at(now))
    assert (st.state, st.remaining_text) == (state, text)


def test_next_check_is_the_moment_the_threshold_is_crossed() -> None:
    inp = clock("bank", "2026-09-16 10:00")
    first = status(inp, PLAIN, at("2026-09-17 10:00"))
    assert first.next_check_at is not None
    before = status(inp, PLAIN, first.next_check_at - timedelta(microseconds=1))
    crossed = status(inp, PLAIN, first.next_check_at)
    assert (before.threshold, crossed.threshold, crossed.state) == (0, 50, "warning")


@pytest.mark.parametrize(
    ("stopped", "state", "text"),
    [
        ("2026-10-08 20:00", "met", "按时完成"),
        ("2026-10-08 23:59:59", "met", "按时完成"),
        ("2026-10-09 10:00", "met_late", "超期完成（超期 1 天）"),
    ],
)
def test_stopped_clocks_freeze(stopped: str, state: str, text: str) -> None:
    inp = clock("bank", "2026-09-16 10:00", stopped_at=at(stopped))
    soon, later = status(inp, PLAIN, at("2026-10-20 10:00")), status(inp, PLAIN, at("2026-12-20 10:00"))
    assert soon == later
    assert (soon.state, soon.remaining_text, soon.next_check_at) == (state, text, None)
    assert soon.remaining == end_of("2026-10-08") - at(stopped)


def test_a_late_hours_clock_says_how_late() -> None:
    inp = clock("contact", "2026-03-02 08:00", stopped_at=at("2026-03-02 21:10"))
    assert status(inp, PLAIN, at("2026-03-03 08:00")).remaining_text == "超期完成（超期 3 小时）"


# --- validation ---

NAIVE = datetime(2026, 3, 2, 10, 0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: status(ClockInput(BANK, NAIVE), PLAIN, at("2026-03-03 10:00")),
        lambda: status(clock("bank", "2026-03-02 10:00"), PLAIN, NAIVE),
        lambda: due_at(clock("bank", "2026-03-02 10:00", pauses=(Pause(NAIVE),)), PLAIN),
        lambda: due_at(clock("bank", "2026-03-02 10:00", stopped_at=NAIVE), PLAIN),
        lambda: restart(clock("bank", "2026-03-02 10:00"), NAIVE),
    ],
)
def test_naive_datetimes_are_rejected(make: object) -> None:
    with pytest.raises(ValueError, match="没有时区信息"):
        make()  # type: ignore[operator]


def test_a_pause_ending_before_it_starts_is_rejected() -> None:
    backwards = Pause(at("2026-03-05 10:00"), at("2026-03-04 10:00"))
    with pytest.raises(ValueError, match="早于开始时间"):
        due_at(clock("bank", "2026-03-02 10:00", pauses=(backwards,)), PLAIN)


# --- properties: more extensions or pauses never bring the due date forward ---

STARTS = [at("2026-01-03 10:00") + timedelta(days=d) for d in range(0, 360, 11)]


@pytest.mark.parametrize("start", STARTS, ids=lambda s: s.date().isoformat())
@pytest.mark.parametrize("rule", ["bank", "market_accept", "hours48"])
def test_due_never_earlier_with_more_extensions_or_pauses(start: datetime, rule: str) -> None:
    spec = SPECS[rule]
    base = ClockInput(spec, start)
    dues = [due_at(replace(base, extensions=n), PLAIN)[0] for n in range(len(spec.extensions) + 1)]
    assert dues == sorted(dues)
    previous = dues[0]
    for days in (1, 3, 8):
        paused = replace(base, pauses=(Pause(start + timedelta(days=1), start + timedelta(days=1 + days)),))
        due = due_at(paused, PLAIN)[0]
        assert due >= previous
        previous = due
    if spec.unit != "hours":
        assert PLAIN.is_workday(dues[0].date())
