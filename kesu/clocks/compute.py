"""Clock computation (时限计算): due time, state, warnings, extensions, pauses, restarts, merges.

Pure: no Django, no system clock — `now` and the calendar are parameters. Day-unit clocks end at
23:59:59 Asia/Shanghai of their last day; hour clocks end to the second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from kesu.clocks.rules import ClockSpec, ExtensionStep, RuleError
from kesu.clocks.workdays import (
    SHANGHAI,
    Calendar,
    add_days,
    days_between,
    guessed_years,
    working_days_between,
)

STATES = {
    "running": "计时中",
    "warning": "即将到期",
    "paused": "已暂停",
    "breached": "已超期",
    "met": "按时完成",
    "met_late": "超期完成",
    "waiting": "未开始",
}

DAY_END = time(23, 59, 59)
_US = timedelta(microseconds=1)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class ClockInput:
    spec: ClockSpec
    started_at: datetime
    extensions: int = 0
    pauses: tuple[Pause, ...] = ()
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class ClockStatus:
    due_at: datetime
    state: str
    percent: int
    threshold: int
    remaining: timedelta
    remaining_text: str
    uncertain_years: frozenset[int]
    next_check_at: datetime | None


# --- validation ---


def _aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what}没有时区信息，请使用带时区的时间（如 Asia/Shanghai）")


def _validate(inp: ClockInput) -> None:
    _aware(inp.started_at, "起算时间")
    if inp.stopped_at is not None:
        _aware(inp.stopped_at, "完成时间")
    for pause in inp.pauses:
        _aware(pause.start, "暂停开始时间")
        if pause.end is not None:
            _aware(pause.end, "暂停结束时间")
            if pause.end < pause.start:
                raise ValueError("暂停的结束时间早于开始时间")
    allowed = len(inp.spec.extensions)
    if inp.extensions < 0 or inp.extensions > allowed:
        raise RuleError(f"时限「{inp.spec.name}」最多可延期 {allowed} 次，收到 {inp.extensions} 次")


def _levels(thresholds: Sequence[int]) -> tuple[int, ...]:
    for level in thresholds:
        if isinstance(level, bool) or not isinstance(level, int) or not 0 < level <= 100:
            raise ValueError(f"预警阈值应为 1 到 100 之间的整数（百分比），收到 {level!r}")
    return tuple(sorted({*thresholds, 100}))


# --- pauses and the due time ---


def _local(value: datetime) -> date:
    return value.astimezone(SHANGHAI).date()


def _intervals(inp: ClockInput, until: datetime | None) -> list[Interval]:
    """Pause intervals, merged, clipped to [started_at, until]; an open pause runs to `until`.

    Without `until` an open pause counts as zero length (the earliest possible due time). A clock
    that is not pausable ignores pauses.
    """
    if not inp.spec.pausable:
        return []
    raw: list[Interval] = []
    for pause in inp.pauses:
        end = pause.end if pause.end is not None else (until or pause.start)
        if until is not None:
            end = min(end, until)
        start = max(pause.start, inp.started_at)
        if end >= start:
            raw.append((start, end))
    merged: list[Interval] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _period(inp: ClockInput) -> int:
    return inp.spec.amount + sum(step.days for step in inp.spec.extensions[: inp.extensions])


def _due_with(inp: ClockInput, cal: Calendar, counted: list[Interval]) -> tuple[datetime, frozenset[int]]:
    spec = inp.spec
    if spec.unit == "hours":
        paused = sum((end - start for start, end in counted), timedelta())
        return (inp.started_at + timedelta(hours=_period(inp)) + paused).astimezone(SHANGHAI), frozenset()
    years: set[int] = set()
    paused_days = 0
    for start, end in counted:
        paused_days += days_between(cal, _local(start), _local(end), spec.unit)
        if spec.unit == "working_days":
            years |= guessed_years(cal, _local(start), _local(end))
    day, guessed = add_days(
        cal, _local(inp.started_at), _period(inp) + paused_days, spec.unit, spec.roll_to_workday
    )
    return datetime.combine(day, DAY_END, tzinfo=SHANGHAI), frozenset(years | guessed)


def _due(
    inp: ClockInput, cal: Calendar, intervals: list[Interval]
) -> tuple[datetime, frozenset[int], list[Interval]]:
    """The due time with the pauses that count: a pause beginning after the due time (the clock
    had already run out) does not revive it."""
    counted: list[Interval] = []
    due, years = _due_with(inp, cal, counted)
    for interval in intervals:
        if interval[0] >= due:
            break
        counted.append(interval)
        due, years = _due_with(inp, cal, counted)
    return due, years, counted


def due_at(inp: ClockInput, cal: Calendar, now: datetime | None = None) -> tuple[datetime, frozenset[int]]:
    """The due time (aware, Asia/Shanghai) and the years whose calendar was guessed.

    An open pause counts up to `now` (or the stop time); without either it counts as zero.
    """
    _validate(inp)
    if now is not None:
        _aware(now, "当前时间")
    until = inp.stopped_at or now
    due, years, _ = _due(inp, cal, _intervals(inp, until))
    return due, years


# --- status ---


def _span_text(inp: ClockInput, later: datetime, earlier: datetime) -> str:
    """How far `later` is past `earlier`, in words: "2 天", "3 小时", "20 分钟"."""
    if inp.spec.unit != "hours":
        return f"{max(1, (_local(later) - _local(earlier)).days)} 天"
    minutes = max(1, int((later - earlier).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    hours = minutes // 60
    return f"{hours} 小时" if hours < 48 else f"{hours // 24} 天"


def _remaining_text(inp: ClockInput, cal: Calendar, due: datetime, now: datetime) -> str:
    unit = inp.spec.unit
    if unit == "hours":
        minutes = int((due - now).total_seconds() // 60)
        return f"剩余 {minutes // 60} 小时" if minutes >= 60 else f"剩余 {max(1, minutes)} 分钟"
    today, last = _local(now), _local(due)
    if today >= last:
        return "今天到期"
    if unit == "working_days":
        return f"剩余 {working_days_between(cal, today, last)} 个工作日"
    return f"剩余 {(last - today).days} 天"


def _reached(levels: tuple[int, ...], percent: int) -> int:
    return max((level for level in levels if level <= percent), default=0)


def _open_pause(inp: ClockInput, now: datetime, counted: list[Interval]) -> Pause | None:
    """The pause in force at `now`, if it counts (it began before the clock ran out)."""
    if not counted or counted[-1][1] != now:
        return None
    return next((p for p in inp.pauses if p.start <= now and (p.end is None or p.end > now)), None)


def status(
    inp: ClockInput, cal: Calendar, now: datetime, thresholds: Sequence[int] = (50, 80, 100)
) -> ClockStatus:
    """Where the clock stands at `now`: due time, state, elapsed percent, warnings, next check."""
    _validate(inp)
    _aware(now, "当前时间")
    levels = _levels(thresholds)
    at = inp.stopped_at or now
    due, years, counted = _due(inp, cal, _intervals(inp, at))
    paused = sum((end - start for start, end in counted), timedelta())
    total_us = (due - inp.started_at - paused) // _US
    elapsed_us = max(0, (at - inp.started_at - paused) // _US)
    percent = elapsed_us * 100 // total_us if total_us > 0 else 100

    def result(
        state: str, threshold: int, remaining: timedelta, text: str, nxt: datetime | None
    ) -> ClockStatus:
        return ClockStatus(due, state, percent, threshold, remaining, text, years, nxt)

    if inp.stopped_at is not None:
        if inp.stopped_at <= due:
            return result("met", _reached(levels, percent), due - inp.stopped_at, "按时完成", None)
        late = _span_text(inp, inp.stopped_at, due)
        return result("met_late", 100, due - inp.stopped_at, f"超期完成（超期 {late}）", None)
    if now >= due:
        return result("breached", 100, due - now, f"已超期 {_span_text(inp, now, due)}", None)
    threshold = _reached(levels, percent)
    pause = _open_pause(inp, now, counted)
    if pause is not None:
        text = f"已暂停（{pause.reason}）" if pause.reason else "已暂停"
        return result("paused", threshold, due - now, text, None)
    upcoming = min(level for level in levels if level > threshold)
    if upcoming == 100:
        next_at = due
    else:
        needed_us = -(-total_us * upcoming // 100)
        next_at = (inp.started_at + paused + needed_us * _US).astimezone(SHANGHAI)
    if now < inp.started_at:
        return result("waiting", 0, due - now, "未开始", next_at)
    state = "warning" if threshold > 0 else "running"
    return result(state, threshold, due - now, _remaining_text(inp, cal, due, now), next_at)


# --- changes to a clock ---


def restart(inp: ClockInput, at: datetime) -> ClockInput:
    """New facts or reasons: the clock starts again at `at`; extensions and pauses are cleared."""
    _aware(at, "重新计时时间")
    if not inp.spec.restartable:
        raise RuleError(f"时限「{inp.spec.name}」不因新的事实和理由重新计时")
    if at < inp.started_at:
        raise ValueError("重新计时的时间不能早于原起算时间")
    return replace(inp, started_at=at, extensions=0, pauses=(), stopped_at=None)


def merge(keep: ClockInput, other: ClockInput) -> ClockInput:
    """Merged complaints keep one clock: the one that started first, with its own extensions and
    pauses (on a tie, `keep`)."""
    if keep.spec.key != other.spec.key:
        raise RuleError(f"只能合并同一种时限：「{keep.spec.name}」与「{other.spec.name}」不同")
    _aware(keep.started_at, "起算时间")
    _aware(other.started_at, "起算时间")
    return other if other.started_at < keep.started_at else keep


def extension_allowed(inp: ClockInput) -> ExtensionStep | None:
    """The next extension step the rule allows, or None when none is left."""
    _validate(inp)
    steps = inp.spec.extensions
    return steps[inp.extensions] if inp.extensions < len(steps) else None
