"""Working days (工作日) in China: public holidays, adjusted working weekends (调休), closures.

Pure: no Django, no clock. The public-holiday schedule comes from the `chinese-calendar` package
(years it knows) or from an administrator (years it does not know yet); for any other year we
fall back to "weekends off" and report the year as guessed so the clock can show a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""All day arithmetic (what "today" and "the last day" mean) is done in this zone."""

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"

HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
"""The package's English holiday names → the names a Chinese handler expects."""

SOURCES = {
    "package": "法定节假日安排（chinese-calendar）",
    "official": "管理员录入的官方安排",
    "closure": "机构停业",
    "weekend_fallback": "未知年份，按周末推算",
}

MAX_DAYS_WITHOUT_WORK = 400
"""A calendar with no working day in this many consecutive days is an input error, not a holiday."""


@dataclass(frozen=True)
class DayInfo:
    day: date
    workday: bool
    name: str
    source: str


@lru_cache(maxsize=16384)
def package_day(day: date) -> tuple[bool, str] | None:
    """(is_workday, Chinese name) from chinese-calendar, or None when it does not know the year."""
    try:
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    weekend = day.weekday() >= 5
    if not is_holiday:
        return True, ("调休上班" if weekend else "工作日")
    if english:
        return False, HOLIDAY_NAMES.get(str(english), str(english))
    return False, ("周末" if weekend else "休息日")


@lru_cache(maxsize=256)
def package_knows(year: int) -> bool:
    """Whether chinese-calendar has the official schedule of `year`."""
    return package_day(date(year, 1, 1)) is not None


def _weekend_rule(day: date) -> tuple[bool, str]:
    return (False, "周末") if day.weekday() >= 5 else (True, "工作日")


@dataclass(frozen=True)
class Calendar:
    """The working-day calendar of one organisation.

    `closures`: the organisation's own closed days (date → reason). `official`: days an
    administrator entered for years the package does not know (date → (is_workday, name)).
    `official_years`: years whose schedule the administrator entered completely. Not hashable
    (mapping fields); build one per request or job.
    """

    closures: Mapping[date, str] = field(default_factory=dict)
    official: Mapping[date, tuple[bool, str]] = field(default_factory=dict)
    official_years: frozenset[int] = frozenset()

    def info(self, day: date) -> DayInfo:
        reason = self.closures.get(day)
        if reason is not None:
            return DayInfo(day, False, f"机构停业：{reason}" if reason else "机构停业", "closure")
        entered = self.official.get(day)
        if entered is not None:
            return DayInfo(day, bool(entered[0]), entered[1], "official")
        if day.year in self.official_years:
            return DayInfo(day, *_weekend_rule(day), "official")
        known = package_day(day)
        if known is not None:
            return DayInfo(day, known[0], known[1], "package")
        return DayInfo(day, *_weekend_rule(day), "weekend_fallback")

    def is_workday(self, day: date) -> bool:
        return self.workday_guessed(day)[0]

    def workday_guessed(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, was it guessed from weekends) — the fast path of `info`."""
        if day in self.closures:
            return False, False
        entered = self.official.get(day)
        if entered is not None:
            return bool(entered[0]), False
        if day.year not in self.official_years:
            known = package_day(day)
            if known is not None:
                return known[0], False
            return day.weekday() < 5, True
        return day.weekday() < 5, False

    def known(self, year: int) -> bool:
        return year in self.official_years or package_knows(year)


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError(f"天数不能为负数（收到 {n}）")


def _next_workday(cal: Calendar, day: date, guessed: set[int]) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    first = day
    for _ in range(MAX_DAYS_WITHOUT_WORK):
        workday, guess = cal.workday_guessed(day)
        if guess:
            guessed.add(day.year)
        if workday:
            return day
        day += timedelta(days=1)
    raise ValueError(
        f"日历自 {first.isoformat()} 起连续 {MAX_DAYS_WITHOUT_WORK} 天没有工作日，请检查停业日设置"
    )


def add_days(
    cal: Calendar, start: date, n: int, unit: str, roll_to_workday: bool
) -> tuple[date, frozenset[int]]:
    """The last day of a period of n days counted from the day AFTER `start`.

    The start day is not counted (民法典第二百零一条). Calendar days: start + n, moved to the next
    working day when `roll_to_workday` and that day is not one (民法典第二百零三条). Working days:
    the n-th working day after start. Also returns the years whose schedule was guessed for any
    day looked at (for calendar days, only the days inspected for rolling).
    """
    _check_count(n)
    guessed: set[int] = set()
    if unit == CALENDAR_DAYS:
        day = start + timedelta(days=n)
    elif unit == WORKING_DAYS:
        day = start
        for _ in range(n):
            day = _next_workday(cal, day + timedelta(days=1), guessed)
    else:
        raise ValueError(f"按天计算的时限单位应为 calendar_days 或 working_days，收到「{unit}」")
    if roll_to_workday:
        day = _next_workday(cal, day, guessed)
    return day, frozenset(guessed)


def working_days_between(cal: Calendar, a: date, b: date) -> int:
    """The number of working days in (a, b]; 0 when b is not after a."""
    return sum(1 for day in _days_after(a, b) if cal.is_workday(day))


def days_between(cal: Calendar, a: date, b: date, unit: str) -> int:
    """Calendar days or working days in (a, b]; 0 when b is not after a."""
    if unit == CALENDAR_DAYS:
        return max(0, (b - a).days)
    if unit == WORKING_DAYS:
        return working_days_between(cal, a, b)
    raise ValueError(f"按天计算的时限单位应为 calendar_days 或 working_days，收到「{unit}」")


def guessed_years(cal: Calendar, a: date, b: date) -> frozenset[int]:
    """Years of the days in (a, b] whose schedule is guessed from weekends."""
    return frozenset(day.year for day in _days_after(a, b) if cal.workday_guessed(day)[1])


def _days_after(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range(1, (b - a).days + 1)]
