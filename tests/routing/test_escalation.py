"""Escalation: which level a case belongs at, every reason, who is told; the policy checked in Chinese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kesu.analysis.types import SIGNAL_TYPES
from kesu.routing.escalation import (
    IDENTITIES,
    SIGNAL_LABELS,
    Facts,
    Policy,
    PolicyError,
    Signal,
    deescalation_problem,
    default_policy,
    escalation_problem,
    identities_from_signals,
    identity_kinds,
    notify_roles_for,
    parse_policy,
    policy_to_data,
    propose,
    validate_policy,
)
from kesu.routing.ladder import default_ladder, parse_ladder

LADDER = default_ladder()
POLICY = default_policy()


def facts(level: int = 0, *signals: tuple[str, str, str], **kw: Any) -> Facts:
    return Facts(level=level, signals=tuple(Signal(*s) for s in signals), **kw)


def test_labels_cover_the_contract_signal_types() -> None:
    assert set(SIGNAL_LABELS) == set(SIGNAL_TYPES)
    assert SIGNAL_LABELS["self_harm"] == "自伤自残"


def test_default_policy_figures() -> None:
    assert dict(POLICY.risk_levels) == {
        "self_harm": 2,
        "violence": 2,
        "petition": 3,
        "group": 3,
        "media_exposure": 2,
        "online_exposure": 1,
        "regulator_complaint": 2,
        "litigation": 2,
        "leader_demand": 1,
        "repeat": 1,
    }
    assert dict(POLICY.identity_levels) == {
        "journalist": 2,
        "official": 2,
        "lawyer": 2,
        "public_figure": 2,
        "vulnerable": 1,
    }
    assert dict(POLICY.time_levels) == {80: 1, 100: 2}
    assert validate_policy(POLICY, LADDER) == []


def test_nothing_to_escalate() -> None:
    assert propose(facts(), LADDER, POLICY) is None


@pytest.mark.parametrize(
    ("kind", "level", "notify", "at_once"),
    [
        ("self_harm", 2, {"supervisor", "cpo"}, True),
        ("violence", 2, {"supervisor", "cpo"}, True),
        ("petition", 3, {"cpo"}, True),
        ("group", 3, {"cpo"}, True),
        ("media_exposure", 2, {"cpo"}, True),
        ("online_exposure", 1, {"supervisor"}, True),
        ("regulator_complaint", 2, {"supervisor", "cpo"}, True),
        # Not in the issue's list of threats that act at once: proposed for a person to decide.
        ("litigation", 2, {"legal"}, False),
        ("leader_demand", 1, set(), False),
        ("repeat", 1, set(), False),
    ],
)
def test_each_risk_signal_escalates_at_once_or_is_proposed(
    kind: str, level: int, notify: set[str], at_once: bool
) -> None:
    proposal = propose(facts(0, (kind, "threatened", "原话")), LADDER, POLICY)
    assert proposal is not None
    assert (proposal.to_level, proposal.immediate, proposal.notify_roles) == (
        level,
        at_once,
        frozenset(notify),
    )
    (reason,) = proposal.reasons
    assert reason.rule == "risk" and reason.immediate is at_once
    verb = "须立即升级" if at_once else "建议升级"
    assert f"（“原话”），{verb}至 {LADDER.tier(level).label}" in reason.text


def test_policy_without_an_immediate_list_uses_the_issue_list() -> None:
    data = policy_to_data(POLICY)
    del data["risk_immediate"]
    assert parse_policy(data).risk_immediate == POLICY.risk_immediate


def test_immediate_signal_needs_a_level() -> None:
    data = policy_to_data(POLICY)
    data["risk_immediate"] = ["self_harm", "not_a_signal"]
    with pytest.raises(PolicyError, match="not_a_signal"):
        parse_policy(data)


def test_risk_reason_reads_naturally() -> None:
    proposal = propose(facts(0, ("self_harm", "threatened", "不解决我就不想活了")), LADDER, POLICY)
    assert proposal is not None
    assert proposal.reasons[0].text == (
        "客户扬言自伤自残（“不解决我就不想活了”），须立即升级至 L3 分行消保部门，并通知主管、消保专员"
    )


def test_done_signal_is_said_as_done() -> None:
    proposal = propose(
        facts(
            0,
            ("regulator_complaint", "threatened", "我要打12378"),
            ("regulator_complaint", "done", "已经打了12378"),
        ),
        LADDER,
        POLICY,
    )
    assert proposal is not None
    assert [r.text.split("，")[0] for r in proposal.reasons] == ["客户已向监管部门投诉（“已经打了12378”）"]


@pytest.mark.parametrize("kind", ["self_harm", "media_exposure", "group", "special_identity", "vulnerable"])
def test_a_mention_never_escalates(kind: str) -> None:
    assert propose(facts(0, (kind, "mention", "我朋友是记者，上过电视台")), LADDER, POLICY) is None


def test_signals_the_policy_does_not_route_do_not_escalate() -> None:
    assert propose(facts(0, ("professional_claimant", "done", "代理维权")), LADDER, POLICY) is None


@pytest.mark.parametrize("level", [2, 3])
def test_already_at_or_above_the_level_stays(level: int) -> None:
    assert propose(facts(level, ("self_harm", "threatened", "不想活了")), LADDER, POLICY) is None


def test_highest_level_wins_and_every_reason_is_listed_highest_first() -> None:
    proposal = propose(
        facts(
            0,
            ("leader_demand", "done", "叫行长出来"),
            ("self_harm", "threatened", "跳楼"),
            ("group", "done", "几十户"),
        ),
        LADDER,
        POLICY,
    )
    assert proposal is not None
    assert proposal.to_level == 3
    assert [(r.rule, r.level) for r in proposal.reasons] == [("risk", 3), ("risk", 2), ("risk", 1)]
    assert proposal.notify_roles == {"supervisor", "cpo"}


def test_reasons_already_satisfied_are_not_listed() -> None:
    proposal = propose(
        facts(1, ("leader_demand", "done", "叫行长出来"), ("self_harm", "threatened", "跳楼")), LADDER, POLICY
    )
    assert proposal is not None
    assert [r.level for r in proposal.reasons] == [2]


def test_levels_are_capped_at_the_top_of_the_ladder() -> None:
    policy = Policy({"self_harm": 7}, {}, {"journalist": 9}, {100: 8})
    proposal = propose(
        facts(
            0,
            ("self_harm", "threatened", "不想活了"),
            clock_threshold=100,
            identities=frozenset({"journalist"}),
        ),
        LADDER,
        policy,
    )
    assert proposal is not None
    assert proposal.to_level == 3
    assert {r.level for r in proposal.reasons} == {3}


def test_notify_roles_even_when_the_case_need_not_move() -> None:
    signals = (Signal("self_harm", "threatened", "不想活了"), Signal("litigation", "mention", "朋友起诉过"))
    assert propose(Facts(level=2, signals=signals), LADDER, POLICY) is None
    assert notify_roles_for(signals, POLICY) == {"supervisor", "cpo"}


def test_a_non_risk_proposal_waits_for_a_person_and_still_names_who_to_tell() -> None:
    proposal = propose(
        facts(1, ("online_exposure", "threatened", "发微博"), demanded_amount=Decimal(5000)),
        LADDER,
        POLICY,
    )
    assert proposal is not None
    assert (proposal.to_level, proposal.immediate, proposal.immediate_level) == (2, False, None)
    assert proposal.notify_roles == {"supervisor"}


def test_immediate_level_is_the_risk_part_of_a_mixed_proposal() -> None:
    proposal = propose(
        facts(0, ("self_harm", "threatened", "不想活了"), demanded_amount=Decimal(50_000)), LADDER, POLICY
    )
    assert proposal is not None
    assert (proposal.to_level, proposal.immediate, proposal.immediate_level) == (3, True, 2)


# ---------------------------------------------------------------------------- authority


@pytest.mark.parametrize(
    ("level", "amount", "owner_limit", "expected"),
    [
        (0, "150", None, None),
        (0, "200", None, None),
        (0, "201", None, 1),
        (0, "3000", None, 2),
        (0, "50000", None, 3),
        (1, "2500", None, 2),
        (0, "0", None, None),
        (0, "-300", None, None),
        (3, "10000000", None, None),  # the top tier has no limit
        (0, "300", "500", None),  # the handler's own higher authority covers it
        (0, "150", "100", 1),  # the handler's own lower authority: at least one level up
        (1, "3000", "5000", None),
        (1, "6000", "5000", 2),
    ],
)
def test_authority_limits(level: int, amount: str, owner_limit: str | None, expected: int | None) -> None:
    proposal = propose(
        Facts(
            level=level,
            demanded_amount=Decimal(amount),
            owner_limit=None if owner_limit is None else Decimal(owner_limit),
        ),
        LADDER,
        POLICY,
    )
    assert (proposal.to_level if proposal else None) == expected
    if proposal:
        assert [r.rule for r in proposal.reasons] == ["authority"]
        assert not proposal.immediate


def test_authority_reason_names_amount_and_limit() -> None:
    proposal = propose(Facts(level=0, demanded_amount=Decimal("3000")), LADDER, POLICY)
    assert proposal is not None
    assert proposal.reasons[0].text == (
        "客户诉求金额 3,000元，超出 L1 前台坐席 的补偿授权（200元），须升级至 L3 分行消保部门审批"
    )
    own = propose(Facts(level=0, demanded_amount=Decimal("150.5"), owner_limit=Decimal(100)), LADDER, POLICY)
    assert own is not None
    assert "150.50元，超出当前处理人的补偿授权（100元）" in own.reasons[0].text


# ---------------------------------------------------------------------------- identities


@pytest.mark.parametrize(
    ("identity", "level"),
    [("journalist", 2), ("official", 2), ("lawyer", 2), ("public_figure", 2), ("vulnerable", 1)],
)
def test_identities_route_to_the_level_the_organisation_sets(identity: str, level: int) -> None:
    proposal = propose(Facts(level=0, identities=frozenset({identity})), LADDER, POLICY)
    assert proposal is not None
    assert proposal.to_level == level
    assert proposal.reasons[0].rule == "identity" and not proposal.immediate
    assert IDENTITIES[identity] in proposal.reasons[0].text


def test_identity_signals_route_without_facts_identities() -> None:
    official = propose(facts(0, ("special_identity", "done", "我是人大代表")), LADDER, POLICY)
    assert official is not None and official.to_level == 2
    assert "公职人员" in official.reasons[0].text
    elderly = propose(facts(0, ("vulnerable", "done", "")), LADDER, POLICY)
    assert elderly is not None and elderly.to_level == 1
    assert elderly.reasons[0].text == "客户身份为弱势客户，按本机构规定由 L2 投诉专员优先处理"


def test_identity_the_policy_does_not_route_stays() -> None:
    policy = Policy({}, {}, {"journalist": 2}, {})
    assert propose(Facts(level=0, identities=frozenset({"lawyer"})), LADDER, policy) is None


@pytest.mark.parametrize(
    ("evidence", "kinds"),
    [
        ("我是记者", {"journalist"}),
        ("我是电视台的", {"journalist"}),
        ("我是执业律师", {"lawyer"}),
        ("我是人大代表", {"official"}),
        ("本人是政协委员", {"official"}),
        ("我是公务员", {"official"}),
        ("我是区里的干部", {"official"}),
        ("我是抖音博主，粉丝十万", {"public_figure"}),
        ("我是大V", {"public_figure"}),
        ("我是自媒体", {"public_figure"}),
        ("我是律师，也是人大代表", {"lawyer", "official"}),
        ("我八十岁了", set()),
        ("", set()),
    ],
)
def test_identity_kinds_from_evidence(evidence: str, kinds: set[str]) -> None:
    assert identity_kinds(evidence) == kinds


def test_a_vulnerable_signal_is_the_vulnerable_identity() -> None:
    assert identity_kinds("", "vulnerable") == {"vulnerable"}
    signals = [
        Signal("vulnerable", "done", "我八十岁了"),
        Signal("special_identity", "mention", "我朋友是记者"),
    ]
    assert identities_from_signals(signals) == {"vulnerable"}


# ---------------------------------------------------------------------------- time and resources


@pytest.mark.parametrize(
    ("level", "threshold", "expected", "words"),
    [
        (0, 0, None, ""),
        (0, 50, None, ""),
        (0, 80, 1, "处理时限已用去 80%，须升级至 L2 投诉专员督办"),
        (0, 100, 2, "已到处理时限，须升级至 L3 分行消保部门督办"),
        (1, 80, None, ""),
        (1, 100, 2, "已到处理时限"),
    ],
)
def test_time_thresholds(level: int, threshold: int, expected: int | None, words: str) -> None:
    proposal = propose(Facts(level=level, clock_threshold=threshold), LADDER, POLICY)
    assert (proposal.to_level if proposal else None) == expected
    if proposal:
        assert words in proposal.reasons[0].text


@pytest.mark.parametrize(("level", "expected"), [(0, 1), (2, 3), (3, None)])
def test_beyond_resources_goes_one_level_up(level: int, expected: int | None) -> None:
    proposal = propose(Facts(level=level, resources="需调取总行核心系统日志"), LADDER, POLICY)
    assert (proposal.to_level if proposal else None) == expected
    if proposal:
        assert "处理人反馈超出本级资源：需调取总行核心系统日志" in proposal.reasons[0].text


def test_blank_resources_is_no_reason() -> None:
    assert propose(Facts(level=0, resources="  \n"), LADDER, POLICY) is None


def test_every_rule_at_once() -> None:
    proposal = propose(
        facts(
            0,
            ("repeat", "done", "第三次打电话"),
            demanded_amount=Decimal(2500),
            clock_threshold=100,
            identities=frozenset({"vulnerable"}),
            resources="需要总行协调",
        ),
        LADDER,
        POLICY,
    )
    assert proposal is not None
    assert proposal.to_level == 2
    assert [(r.rule, r.level) for r in proposal.reasons] == [
        ("authority", 2),
        ("time", 2),
        ("risk", 1),
        ("identity", 1),
        ("resources", 1),
    ]


def test_facts_reject_unknown_identities() -> None:
    with pytest.raises(ValueError, match="未知的客户身份"):
        Facts(level=0, identities=frozenset({"celebrity"}))


@pytest.mark.parametrize("status", ["", "maybe"])
def test_a_signal_with_an_unknown_status_does_not_count(status: str) -> None:
    assert propose(facts(0, ("self_harm", status, "不想活了")), LADDER, POLICY) is None


# ---------------------------------------------------------------------------- the policy


def test_parse_policy_reads_codes_integers_and_role_strings() -> None:
    policy = parse_policy(
        {
            "risk_levels": {"self_harm": "L3", "repeat": 1},
            "risk_notify": {"self_harm": "supervisor, cpo"},
            "identity_levels": {"lawyer": "L2"},
            "time_levels": {"80": "L2", 100: 2},
        }
    )
    assert dict(policy.risk_levels) == {"self_harm": 2, "repeat": 1}
    assert policy.risk_notify["self_harm"] == {"supervisor", "cpo"}
    assert dict(policy.time_levels) == {80: 1, 100: 2}


def test_policy_data_round_trip() -> None:
    assert parse_policy(policy_to_data(POLICY)) == POLICY


def test_policy_cannot_be_changed_in_place() -> None:
    with pytest.raises(TypeError):
        POLICY.risk_levels["self_harm"] = 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"risk_levels": {"self_hurt": "L3"}}, "risk_levels.self_hurt：未知的风险信号类型"),
        ({"risk_levels": {"self_harm": "L0"}}, "risk_levels.self_harm：层级“L0”无效，应写作 L1、L2……"),
        ({"risk_levels": {"self_harm": "3级"}}, "risk_levels.self_harm：层级“3级”无效"),
        ({"risk_levels": {"self_harm": -1}}, "risk_levels.self_harm：层级不能为负数"),
        ({"risk_notify": {"self_harm": ["boss"]}}, "risk_notify.self_harm：未知的角色 boss"),
        ({"risk_notify": {"self_hurt": ["cpo"]}}, "risk_notify.self_hurt：未知的风险信号类型"),
        ({"identity_levels": {"celebrity": "L3"}}, "identity_levels.celebrity：未知的客户身份"),
        ({"time_levels": {"0": "L2"}}, "time_levels.0：时限阈值须是 1–100 之间的整数"),
        ({"time_levels": {"120": "L2"}}, "time_levels.120：时限阈值须是 1–100 之间的整数"),
        ({"time_levels": {"八十": "L2"}}, "time_levels.八十：时限阈值须是 1–100 之间的整数"),
        ({"risk_level": {}}, "未知的配置项 risk_level"),
        ({"risk_levels": ["self_harm"]}, "risk_levels：应是“键 = 值”的表"),
        ({"risk_notify": {"self_harm": 3}}, "risk_notify.self_harm：角色应写成列表或用逗号分隔"),
        (["risk_levels"], "升级策略应是含 risk_levels"),
    ],
)
def test_parse_policy_errors_name_the_entry(data: Any, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(data)
    assert expected in str(caught.value)


def test_parse_policy_lists_every_problem() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy({"risk_levels": {"self_hurt": "L3", "group": "L9x"}, "identity_levels": {"x": 1}})
    assert len(caught.value.problems) == 3


def test_validate_policy_against_a_shorter_ladder() -> None:
    ladder = parse_ladder(
        [
            {"name": "前台", "roles": "handler", "unit_level": "sub_branch", "compensation_limit": 500},
            {"name": "消保部", "roles": "supervisor,cpo", "unit_level": "branch"},
        ]
    )
    problems = validate_policy(POLICY, ladder)
    assert "risk_levels.petition（聚集/拉横幅/堵门）：要求升至 L4，但本机构最高只到 L2 消保部" in problems
    assert "time_levels.100：要求升至 L3，但本机构最高只到 L2 消保部" in problems
    assert not any("leader_demand" in p for p in problems)


def test_validate_policy_time_levels_never_go_down() -> None:
    policy = Policy({}, {}, {}, {80: 2, 100: 1})
    assert validate_policy(policy, LADDER) == [
        "time_levels：时限用得越多，层级不应越低（80% → L3，100% → L2）"
    ]


# ---------------------------------------------------------------------------- manual moves


@pytest.mark.parametrize(
    ("current", "target", "reason", "expected"),
    [
        (0, 1, "客户要求见领导，一线已尽力", None),
        (0, 3, "群体投诉", None),
        (0, 4, "群体投诉", "本机构最高只到 L4 总行消保·法务·公关，不能升级至 L5"),
        (1, 1, "重复投诉", "升级须升到当前层级 L2 以上"),
        (2, 1, "重复投诉", "升级须升到当前层级 L3 以上"),
        (0, 1, "  ", "请写明升级理由"),
    ],
)
def test_escalation_problem(current: int, target: int, reason: str, expected: str | None) -> None:
    problem = escalation_problem(current, target, reason, LADDER)
    assert (problem if expected is None else (problem or "")[: len(expected)]) == expected


@pytest.mark.parametrize(
    ("current", "target", "reason", "expected"),
    [
        (2, 0, "客户已接受退费方案", None),
        (1, 0, "前台可办", None),
        (1, -1, "前台即可办理", "降级目标层级无效"),
        (1, 1, "前台即可办理", "降级须降到当前层级 L2 以下"),
        (0, 1, "前台即可办理", "降级须降到当前层级 L1 以下"),
        (2, 1, "可以", "请写明降级理由（至少 4 个字）"),
        (2, 1, " 可 以 办 ", "请写明降级理由（至少 4 个字）"),
    ],
)
def test_deescalation_problem(current: int, target: int, reason: str, expected: str | None) -> None:
    problem = deescalation_problem(current, target, reason)
    assert (problem if expected is None else (problem or "")[: len(expected)]) == expected


def test_an_escalated_case_is_judged_with_its_tiers_authority() -> None:
    # Escalated to L3 (limit 20,000) while the L1 handler (200) still holds the file: 5,000 is covered.
    fx = Facts(level=2, demanded_amount=Decimal("5000"), owner_limit=Decimal("200"))
    assert propose(fx, LADDER, POLICY) is None
    # Beyond the L3 limit it still goes to L4.
    fx = Facts(level=2, demanded_amount=Decimal("50000"), owner_limit=Decimal("200"))
    proposal = propose(fx, LADDER, POLICY)
    assert proposal is not None and proposal.to_level == 3
    # At the front desk the handler's own limit counts.
    fx = Facts(level=0, demanded_amount=Decimal("500"), owner_limit=Decimal("200"))
    proposal = propose(fx, LADDER, POLICY)
    assert proposal is not None and proposal.to_level == 1
