"""Working days: the 2026 holiday schedule with its 调休 weekends, closures, unknown years."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from kesu.clocks.workdays import (
    Calendar,
    add_days,
    days_between,
    guessed_years,
    working_days_between,
)

D = date.fromisoformat
PLAIN = Calendar()
ADMIN_2027 = Calendar(official={D("2027-01-01"): (False, "元旦")}, official_years=frozenset({2027}))


@pytest.mark.parametrize(
    ("day", "workday", "name", "source"),
    [
        ("2026-10-01", False, "国庆节", "package"),
        ("2026-10-07", False, "国庆节", "package"),
        ("2026-09-25", False, "中秋节", "package"),
        ("2026-09-20", True, "调休上班", "package"),  # Sunday worked for National Day
        ("2026-10-10", True, "调休上班", "package"),  # Saturday worked for National Day
        ("2026-10-11", False, "周末", "package"),
        ("2026-10-12", True, "工作日", "package"),
        ("2026-02-16", False, "春节", "package"),
        ("2026-02-14", True, "调休上班", "package"),
        ("2026-02-28", True, "调休上班", "package"),
        ("2025-10-06", False, "中秋节", "package"),
        ("2027-01-01", True, "工作日", "weekend_fallback"),  # unknown year: New Year's Day is guessed
        ("2027-01-02", False, "周末", "weekend_fallback"),
    ],
)
def test_day_info_from_the_package(day: str, workday: bool, name: str, source: str) -> None:
    info = PLAIN.info(D(day))
    assert (info.workday, info.name, info.source) == (workday, name, source)
    assert PLAIN.is_workday(D(day)) is workday


@pytest.mark.parametrize(
    ("cal", "day", "workday", "name", "source"),
    [
        # a closure beats even a 调休 working Saturday
        (
            Calendar(closures={D("2026-10-10"): "系统升级"}),
            "2026-10-10",
            False,
            "机构停业：系统升级",
            "closure",
        ),
        (
            Calendar(closures={D("2027-01-04"): "搬迁"}, official={D("2027-01-04"): (True, "工作日")}),
            "2027-01-04",
            False,
            "机构停业：搬迁",
            "closure",
        ),
        (ADMIN_2027, "2027-01-01", False, "元旦", "official"),
        (ADMIN_2027, "2027-01-04", True, "工作日", "official"),
        (ADMIN_2027, "2027-01-09", False, "周末", "official"),
        # an administrator may correct a day of a known year
        (
            Calendar(official={D("2026-10-12"): (False, "台风停工")}),
            "2026-10-12",
            False,
            "台风停工",
            "official",
        ),
    ],
)
def test_precedence_closure_official_package(
    cal: Calendar, day: str, workday: bool, name: str, source: str
) -> None:
    info = cal.info(D(day))
    assert (info.workday, info.name, info.source) == (workday, name, source)


@pytest.mark.parametrize(
    ("cal", "year", "known"),
    [
        (PLAIN, 2026, True),
        (PLAIN, 2004, True),
        (PLAIN, 2027, False),
        (PLAIN, 2003, False),
        (ADMIN_2027, 2027, True),
    ],
)
def test_known_years(cal: Calendar, year: int, known: bool) -> None:
    assert cal.known(year) is known


@pytest.mark.parametrize(
    ("start", "n", "unit", "roll", "expected", "note"),
    [
        (
            "2026-09-16",
            15,
            "calendar_days",
            True,
            "2026-10-08",
            "15th day is 国庆节: first working day after",
        ),
        ("2026-09-16", 15, "calendar_days", False, "2026-10-01", "no rolling asked"),
        ("2026-09-25", 15, "calendar_days", True, "2026-10-10", "lands on the 调休 Saturday, a working day"),
        ("2026-09-26", 15, "calendar_days", True, "2026-10-12", "lands on Sunday 10-11"),
        ("2026-02-01", 15, "calendar_days", True, "2026-02-24", "lands in 春节"),
        ("2026-10-08", 30, "calendar_days", True, "2026-11-09", "lands on Saturday"),
        ("2026-09-28", 5, "working_days", True, "2026-10-10", "skips 10-01..07, counts the 调休 Saturday"),
        ("2026-09-18", 7, "working_days", True, "2026-09-29", "counts 调休 Sunday 09-20, skips 中秋节"),
        ("2026-02-12", 3, "working_days", True, "2026-02-24", "counts 调休 Saturday 02-14, skips 春节"),
        ("2026-10-09", 0, "working_days", False, "2026-10-09", "zero days: the start"),
    ],
)
def test_add_days(start: str, n: int, unit: str, roll: bool, expected: str, note: str) -> None:
    day, guessed = add_days(PLAIN, D(start), n, unit, roll)
    assert day == D(expected), note
    assert guessed == frozenset()


@pytest.mark.parametrize(
    ("cal", "start", "n", "unit", "expected", "guessed", "note"),
    [
        (PLAIN, "2026-12-25", 15, "calendar_days", "2027-01-11", {2027}, "01-09 Saturday, guessed"),
        (PLAIN, "2026-12-17", 15, "calendar_days", "2027-01-01", {2027}, "01-01 guessed a working day"),
        (ADMIN_2027, "2026-12-17", 15, "calendar_days", "2027-01-04", set(), "admin entered 元旦"),
        (PLAIN, "2026-12-28", 5, "working_days", "2027-01-04", {2027}, "01-01 counted as working"),
        (ADMIN_2027, "2026-12-28", 5, "working_days", "2027-01-05", set(), "admin schedule: certain"),
        (PLAIN, "2026-12-01", 15, "calendar_days", "2026-12-16", set(), "stays in a known year"),
    ],
)
def test_unknown_year_falls_back_to_weekends(
    cal: Calendar, start: str, n: int, unit: str, expected: str, guessed: set[int], note: str
) -> None:
    day, years = add_days(cal, D(start), n, unit, True)
    assert (day, years) == (D(expected), frozenset(guessed)), note


def test_calendar_period_without_rolling_does_not_look_at_the_calendar() -> None:
    assert add_days(PLAIN, D("2026-12-25"), 15, "calendar_days", False) == (D("2027-01-09"), frozenset())


@pytest.mark.parametrize(
    ("closures", "start", "n", "unit", "expected"),
    [
        ({"2026-10-08": "系统升级"}, "2026-09-16", 15, "calendar_days", "2026-10-09"),
        ({"2026-10-13": "系统升级"}, "2026-10-12", 1, "working_days", "2026-10-14"),
        ({"2026-10-13": "系统升级", "2026-10-14": "系统升级"}, "2026-10-12", 2, "working_days", "2026-10-16"),
    ],
)
def test_closures_are_not_working_days(
    closures: dict[str, str], start: str, n: int, unit: str, expected: str
) -> None:
    cal = Calendar(closures={D(k): v for k, v in closures.items()})
    assert add_days(cal, D(start), n, unit, True)[0] == D(expected)


@pytest.mark.parametrize(
    ("a", "b", "unit", "expected"),
    [
        ("2026-09-30", "2026-10-10", "working_days", 3),  # 10-08, 10-09, 10-10 (调休)
        ("2026-09-30", "2026-10-10", "calendar_days", 10),
        ("2026-10-10", "2026-09-30", "working_days", 0),
        ("2026-10-10", "2026-09-30", "calendar_days", 0),
        ("2026-10-01", "2026-10-07", "working_days", 0),
    ],
)
def test_days_between(a: str, b: str, unit: str, expected: int) -> None:
    assert days_between(PLAIN, D(a), D(b), unit) == expected
    if unit == "working_days":
        assert working_days_between(PLAIN, D(a), D(b)) == expected


def test_guessed_years_only_for_unknown_years() -> None:
    assert guessed_years(PLAIN, D("2026-12-20"), D("2027-01-10")) == {2027}
    assert guessed_years(ADMIN_2027, D("2026-12-20"), D("2027-01-10")) == frozenset()
    assert guessed_years(PLAIN, D("2026-01-01"), D("2026-12-31")) == frozenset()


@pytest.mark.parametrize("unit", ["hours", "weeks"])
def test_day_arithmetic_rejects_other_units(unit: str) -> None:
    with pytest.raises(ValueError, match="单位"):
        add_days(PLAIN, D("2026-03-02"), 3, unit, True)
    with pytest.raises(ValueError, match="单位"):
        days_between(PLAIN, D("2026-03-02"), D("2026-03-05"), unit)


def test_negative_period_is_rejected() -> None:
    with pytest.raises(ValueError, match="负数"):
        add_days(PLAIN, D("2026-03-02"), -1, "calendar_days", True)


def test_a_calendar_without_working_days_is_an_error_not_a_hang() -> None:
    closed = Calendar(closures={D("2026-03-01") + timedelta(days=i): "" for i in range(500)})
    with pytest.raises(ValueError, match="没有工作日"):
        add_days(closed, D("2026-02-28"), 1, "working_days", True)


@pytest.mark.parametrize("start", [D("2026-01-01") + timedelta(days=i) for i in range(0, 365, 5)])
def test_every_result_is_a_working_day_and_not_before_the_plain_count(start: date) -> None:
    for n, unit in [(15, "calendar_days"), (7, "working_days")]:
        day, _ = add_days(PLAIN, start, n, unit, True)
        assert PLAIN.is_workday(day)
        assert (day - start).days >= n
        if unit == "working_days":
            assert working_days_between(PLAIN, start, day) == n


def test_the_pure_modules_import_no_django() -> None:
    code = (
        "import sys, kesu.clocks.workdays, kesu.clocks.rules, kesu.clocks.compute;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "cal", [PLAIN, ADMIN_2027, Calendar(closures={D("2026-12-31"): "年终盘点", D("2027-01-04"): ""})]
)
def test_the_fast_lookup_agrees_with_info(cal: Calendar) -> None:
    for day in [D("2026-09-15") + timedelta(days=i) for i in range(150)]:
        info = cal.info(day)
        assert cal.workday_guessed(day) == (info.workday, info.source == "weekend_fallback"), day
