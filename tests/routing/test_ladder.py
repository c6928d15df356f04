"""The escalation ladder: tiers, authority limits, roles, and the admin's rows checked in Chinese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kesu.routing.ladder import Ladder, LadderError, Tier, default_ladder, parse_ladder, parse_level

LADDER = default_ladder()


def row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "前台坐席", "roles": ["handler"], "unit_level": "sub_branch"}
    return {**base, **overrides}


def test_default_ladder_is_front_desk_to_head_office() -> None:
    assert [t.label for t in LADDER.tiers] == [
        "L1 前台坐席",
        "L2 投诉专员",
        "L3 分行消保部门",
        "L4 总行消保·法务·公关",
    ]
    assert [t.compensation_limit for t in LADDER.tiers] == [Decimal(200), Decimal(2000), Decimal(20000), None]
    assert [t.unit_level for t in LADDER.tiers] == ["sub_branch", "branch", "branch", "head_office"]
    assert LADDER.tier(3).roles == frozenset({"cpo", "legal"})
    assert LADDER.top() == 3


def test_tier_code_counts_from_l1() -> None:
    assert Tier(0, "前台坐席", frozenset({"handler"}), "sub_branch", None).code == "L1"
    assert LADDER.tier(2).code == "L3"


@pytest.mark.parametrize(
    ("amount", "level"),
    [("0", 0), ("200", 0), ("200.01", 1), ("2000", 1), ("2000.5", 2), ("20000", 2), ("20001", 3), ("1e9", 3)],
)
def test_level_for_amount_is_the_lowest_tier_whose_limit_covers_it(amount: str, level: int) -> None:
    assert LADDER.level_for_amount(Decimal(amount)) == level


def test_amount_above_every_limit_goes_to_the_top() -> None:
    ladder = parse_ladder(
        [row(compensation_limit=100), row(name="专员", roles="specialist", compensation_limit=500)]
    )
    assert ladder.level_for_amount(Decimal(10_000)) == 1


@pytest.mark.parametrize(
    ("role", "level"),
    [("handler", 0), ("specialist", 1), ("supervisor", 2), ("cpo", 3), ("legal", 3), ("trainer", None)],
)
def test_level_of_role(role: str, level: int | None) -> None:
    assert LADDER.level_of_role(role) == level


@pytest.mark.parametrize("level", [-1, 4, 9])
def test_unknown_level_is_a_chinese_error(level: int) -> None:
    with pytest.raises(LadderError, match="本机构没有层级"):
        LADDER.tier(level)


@pytest.mark.parametrize(("value", "level"), [(0, 0), (2, 2), ("L1", 0), ("l4", 3), (" L2 ", 1)])
def test_parse_level_reads_integers_and_codes(value: object, level: int) -> None:
    assert parse_level(value) == level


@pytest.mark.parametrize("value", ["L0", "3级", "2", -1, True, None])
def test_parse_level_rejects_the_rest(value: object) -> None:
    with pytest.raises(ValueError, match="层级"):
        parse_level(value)


def test_parse_ladder_accepts_the_admin_table_shapes() -> None:
    ladder = parse_ladder(
        [
            row(level=0, compensation_limit="1,000"),
            row(level="L2", name="总行", roles="cpo, legal", unit_level="head_office", compensation_limit=""),
        ]
    )
    assert ladder.tier(0).compensation_limit == Decimal(1000)
    assert ladder.tier(1).roles == frozenset({"cpo", "legal"})
    assert ladder.tier(1).compensation_limit is None


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], "至少要有一级"),
        ([row(name="")], "第1行（未命名）：请填写层级名称"),
        ([row(roles=[])], "第1行（前台坐席）：请至少指定一个办理角色"),
        ([row(roles=["handlr"])], "第1行（前台坐席）：未知的角色 handlr"),
        ([row(unit_level="province")], "第1行（前台坐席）：所在机构层级“province”无效"),
        ([row(compensation_limit=-5)], "第1行（前台坐席）：补偿授权上限：金额“-5”须是不小于 0 的数"),
        ([row(compensation_limit="两百")], "第1行（前台坐席）：补偿授权上限：金额“两百”不是有效数字"),
        ([row(compensation_limt=200)], "第1行（前台坐席）：未知字段 compensation_limt"),
        ([row(roles=5)], "第1行（前台坐席）：角色应写成列表或用逗号分隔"),
        ([row(), ["投诉专员"]], "第2行：应是“字段 = 值”的表"),
        ([row(), row(name="投诉专员", roles="specialist", level="L3")], "第2行（投诉专员）：层级应为 L2"),
        (
            [row(compensation_limit=2000), row(name="投诉专员", roles="specialist", compensation_limit=200)],
            "L2 投诉专员 的补偿授权上限（200元）低于下一级 L1 前台坐席（2000元）",
        ),
        (
            [row(), row(name="投诉专员", roles="specialist", compensation_limit=500)],
            "L1 前台坐席 不设补偿上限",
        ),
    ],
)
def test_parse_ladder_names_the_row_in_chinese(rows: list[Any], expected: str) -> None:
    with pytest.raises(LadderError) as caught:
        parse_ladder(rows)
    assert expected in str(caught.value)


def test_parse_ladder_lists_every_problem() -> None:
    with pytest.raises(LadderError) as caught:
        parse_ladder([row(name="", unit_level="x"), row(name="专员", roles="nobody")])
    assert len(caught.value.problems) == 3
    assert caught.value.problems[2].startswith("第2行（专员）")


def test_ladder_levels_must_be_contiguous() -> None:
    first = Tier(0, "前台", frozenset({"handler"}), "sub_branch", Decimal(200))
    third = Tier(2, "总行", frozenset({"cpo"}), "head_office", None)
    with pytest.raises(LadderError, match="第2级应为 L2，却是 L3"):
        Ladder((first, third))
