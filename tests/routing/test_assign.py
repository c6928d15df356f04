"""回避 and assignment suggestions: who may take a case, who should, and why."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.routing.assign import Candidate, Need, conflict_reason, suggest

# Units: /1/ head office · /1/4/ a branch · /1/4/9/ a sub-branch below it · /1/41/ another branch
HEAD, BRANCH, SUB, OTHER = "/1/", "/1/4/", "/1/4/9/", "/1/41/"


def person(user_id: int, **kw: Any) -> Candidate:
    base: dict[str, Any] = {
        "name": f"员工{user_id}",
        "role": "specialist",
        "unit_path": BRANCH,
        "level": 1,
        "skills": frozenset(),
        "open_cases": 5,
        "capacity": 20,
    }
    return Candidate(user_id=user_id, **{**base, **kw})


def need(**kw: Any) -> Need:
    base: dict[str, Any] = {"level": 1, "skills": frozenset({"信用卡", "banking"}), "case_unit_path": SUB}
    return Need(**{**base, **kw})


@pytest.mark.parametrize(
    ("user_id", "unit", "users", "units", "expected"),
    [
        (7, BRANCH, {7}, set(), "您是本案的被投诉人员，须回避"),
        (8, SUB, set(), {SUB}, "您所在机构是本案的被投诉机构，须回避"),
        (8, SUB, set(), {BRANCH}, "您所在机构隶属于本案的被投诉机构，须回避"),
        (8, "1/4/9", set(), {"/1/4"}, "您所在机构隶属于本案的被投诉机构，须回避"),
        (8, BRANCH, set(), {SUB}, None),  # a higher unit manages the complained-about one
        (8, HEAD, {7}, {BRANCH}, None),
        (8, OTHER, set(), {BRANCH}, None),  # /1/41/ is not below /1/4/
        (8, "", set(), {BRANCH}, None),
        (8, BRANCH, set(), {""}, None),
    ],
)
def test_conflict_reason(
    user_id: int, unit: str, users: set[int], units: set[str], expected: str | None
) -> None:
    assert conflict_reason(user_id, unit, frozenset(users), frozenset(units)) == expected


@pytest.mark.parametrize(
    ("candidate", "case"),
    [
        (person(1, active=False), need()),
        (person(1), need(respondent_user_ids=frozenset({1}))),
        (person(1, unit_path=SUB), need(respondent_unit_paths=frozenset({SUB}))),
        (person(1, unit_path=BRANCH), need(respondent_unit_paths=frozenset({BRANCH}))),
        (person(1, level=0, role="handler"), need()),
        (person(1, open_cases=20, capacity=20), need()),
        (person(1, open_cases=0, capacity=0), need()),
        (person(1), need(current_owner_id=1)),
        (person(1, unit_path=OTHER), need()),  # another branch
        (person(1, unit_path=SUB), need(case_unit_path=BRANCH)),  # below the case's unit
        (person(1, unit_path=""), need()),  # no unit
    ],
)
def test_suggest_leaves_out(candidate: Candidate, case: Need) -> None:
    assert suggest(case, [candidate]) == []


@pytest.mark.parametrize("unit", [SUB, BRANCH, HEAD])
def test_the_case_unit_or_any_unit_above_it_may_take_it(unit: str) -> None:
    assert [s.user_id for s in suggest(need(), [person(1, unit_path=unit)])] == [1]


def test_a_case_without_a_unit_accepts_any_unit() -> None:
    assert [s.user_id for s in suggest(need(case_unit_path=""), [person(1, unit_path=OTHER)])] == [1]


def test_a_higher_unit_above_a_complained_about_unit_may_take_it() -> None:
    case = need(respondent_unit_paths=frozenset({SUB}))
    assert [s.user_id for s in suggest(case, [person(1, unit_path=SUB), person(2, unit_path=BRANCH)])] == [2]


def test_exact_level_first_even_against_a_better_matched_senior() -> None:
    senior = person(1, level=2, role="supervisor", skills=frozenset({"信用卡", "banking"}), open_cases=0)
    exact = person(2, skills=frozenset(), open_cases=19)
    ranked = suggest(need(), [senior, exact])
    assert [s.user_id for s in ranked] == [2, 1]
    assert ranked[0].score > ranked[1].score


def test_further_above_ranks_lower() -> None:
    ranked = suggest(need(level=0), [person(1, level=3), person(2, level=1), person(3, level=2)])
    assert [s.user_id for s in ranked] == [2, 3, 1]


def test_skill_overlap_then_load_then_user_id() -> None:
    candidates = [
        person(5, skills=frozenset({"信用卡"}), open_cases=2),
        person(4, skills=frozenset({"信用卡", "banking"}), open_cases=15),
        person(3, skills=frozenset({"信用卡"}), open_cases=10),
        person(2, skills=frozenset({"信用卡"}), open_cases=2),
    ]
    ranked = suggest(need(), candidates)
    assert [s.user_id for s in ranked] == [4, 2, 5, 3]
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def test_skills_match_regardless_of_case() -> None:
    ranked = suggest(
        need(skills=frozenset({"Banking"})), [person(1), person(2, skills=frozenset({"banking"}))]
    )
    assert [s.user_id for s in ranked] == [2, 1]


def test_reasons_explain_the_place() -> None:
    first, second = suggest(
        need(),
        [
            person(1, skills=frozenset({"信用卡", "banking"}), open_cases=3),
            person(2, level=2, open_cases=1, capacity=10),
        ],
    )
    assert first.reasons == ("层级 L2 与案件相符", "熟悉：信用卡、银行", "当前在办 3 件 / 上限 20")
    assert second.reasons == (
        "层级 L3，高于案件所需的 L2",
        "未登记所需专长：信用卡、银行",
        "当前在办 1 件 / 上限 10",
    )
    assert first.name == "员工1"


def test_limit() -> None:
    candidates = [person(i, open_cases=i) for i in range(1, 9)]
    assert [s.user_id for s in suggest(need(), candidates, limit=3)] == [1, 2, 3]
    assert suggest(need(), candidates, limit=0) == []
    assert len(suggest(need(), candidates)) == 5
