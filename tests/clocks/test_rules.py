"""Rule sets: the built-in TOML, the industry mapping, and validation with Chinese messages."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from kesu.clocks.rules import (
    RuleError,
    builtin_rulesets,
    internal_first_contact,
    parse_rulesets,
    ruleset_for_industry,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_builtin_rule_sets_are_the_documented_ones() -> None:
    assert set(builtin_rulesets()) == {
        "banking_insurance",
        "telecom",
        "telecom_appeal",
        "market_12315",
        "general",
    }


def test_every_clock_and_extension_names_its_source() -> None:
    for ruleset in builtin_rulesets().values():
        assert ruleset.source and ruleset.specs, ruleset.key
        for spec in ruleset.specs:
            assert CJK.search(spec.source), (ruleset.key, spec.key)
            for step in spec.extensions:
                assert CJK.search(step.source), (ruleset.key, spec.key, step.label)


@pytest.mark.parametrize(
    ("ruleset", "clock", "amount", "unit", "starts_on", "stops_on", "verify", "extension_days"),
    [
        ("banking_insurance", "decision", 15, "calendar_days", "received", "notice_issued", False, (15, 30)),
        ("telecom", "decision", 15, "calendar_days", "received", "notice_issued", True, ()),
        ("telecom_appeal", "acceptance", 5, "working_days", "received", "accepted", False, ()),
        ("telecom_appeal", "decision", 30, "calendar_days", "received", "notice_issued", False, ()),
        ("market_12315", "acceptance", 7, "working_days", "received", "accepted", False, ()),
        ("market_12315", "mediation", 45, "working_days", "accepted", "notice_issued", False, ()),
        ("general", "decision", 15, "calendar_days", "received", "notice_issued", True, ()),
    ],
)
def test_builtin_figures(
    ruleset: str,
    clock: str,
    amount: int,
    unit: str,
    starts_on: str,
    stops_on: str,
    verify: bool,
    extension_days: tuple[int, ...],
) -> None:
    spec = builtin_rulesets()[ruleset].spec(clock)
    assert spec is not None
    assert (spec.amount, spec.unit, spec.starts_on, spec.stops_on, spec.verify) == (
        amount,
        unit,
        starts_on,
        stops_on,
        verify,
    )
    assert tuple(step.days for step in spec.extensions) == extension_days


def test_banking_extensions_need_the_right_approver_and_a_notice() -> None:
    spec = builtin_rulesets()["banking_insurance"].spec("decision")
    assert spec is not None
    first, second = spec.extensions
    assert (first.approver_scope, second.approver_scope) == ("same", "higher")
    assert first.approver_roles == second.approver_roles == {"supervisor", "cpo"}
    assert first.notice_required and second.notice_required
    assert "30日" in first.label


def test_builtin_rulesets_returns_a_copy() -> None:
    builtin_rulesets().pop("general")
    assert "general" in builtin_rulesets()


@pytest.mark.parametrize(
    ("industry", "ruleset"),
    [
        ("banking", "banking_insurance"),
        ("insurance", "banking_insurance"),
        ("telecom", "telecom"),
        ("ecommerce", "market_12315"),
        ("securities", "general"),
        ("general", "general"),
        ("", "general"),
        ("aviation", "general"),
    ],
)
def test_ruleset_for_industry(industry: str, ruleset: str) -> None:
    assert ruleset_for_industry(industry) == ruleset
    assert ruleset_for_industry(industry) in builtin_rulesets()


def test_internal_first_contact() -> None:
    spec = internal_first_contact(24)
    assert (spec.key, spec.amount, spec.unit, spec.starts_on, spec.stops_on) == (
        "first_contact",
        24,
        "hours",
        "received",
        "first_contact",
    )
    assert spec.source == "内部目标：首次联系客户时限"
    with pytest.raises(RuleError, match="正整数"):
        internal_first_contact(0)


VALID: dict[str, Any] = {
    "rulesets": {
        "demo": {
            "name": "示例",
            "industries": ["banking"],
            "source": "示例规定",
            "clocks": [
                {
                    "key": "decision",
                    "name": "处理决定",
                    "amount": 15,
                    "unit": "calendar_days",
                    "starts_on": "received",
                    "stops_on": "notice_issued",
                    "source": "示例规定第一条",
                    "extensions": [
                        {
                            "days": 15,
                            "label": "情况复杂",
                            "approver_roles": ["supervisor"],
                            "approver_scope": "same",
                            "source": "示例规定第二条",
                        }
                    ],
                }
            ],
        }
    }
}


def test_a_valid_document_parses() -> None:
    parsed = parse_rulesets(VALID)
    spec = parsed["demo"].specs[0]
    assert spec.extensions[0].approver_roles == {"supervisor"}
    assert spec.roll_to_workday and spec.pausable and spec.restartable and not spec.verify


def _clock(doc: dict[str, Any]) -> dict[str, Any]:
    clock: dict[str, Any] = doc["rulesets"]["demo"]["clocks"][0]
    return clock


def _set(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    clock = _clock(doc)
    target: dict[str, Any] = {
        "clock": clock,
        "step": clock["extensions"][0],
        "ruleset": doc["rulesets"]["demo"],
    }[path.split(".")[0]]
    field = path.split(".")[1]
    if value is None:
        del target[field]
    else:
        target[field] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("clock.unit", "weeks", r"时限「decision」：字段 unit 的值「weeks」无效"),
        ("clock.amount", -5, r"时限「decision」：字段 amount 应为正整数"),
        ("clock.amount", 0, r"字段 amount 应为正整数"),
        ("clock.amount", "15", r"字段 amount 应为正整数"),
        ("clock.source", None, r"时限「decision」：缺少字段 source"),
        ("clock.source", "  ", r"缺少字段 source"),
        ("clock.starts_on", "opened", r"字段 starts_on 的值「opened」无效"),
        ("clock.stops_on", "closed", r"字段 stops_on 的值「closed」无效"),
        ("clock.amout", 15, r"不认识的字段 amout"),
        ("clock.verify", "yes", r"字段 verify 应为 true 或 false"),
        ("clock.key", None, r"第 1 个时限：缺少字段 key"),
        ("step.approver_scope", "anyone", r"第 1 级延期：字段 approver_scope 的值「anyone」无效"),
        ("step.approver_roles", ["boss"], r"审批角色 boss 不存在"),
        ("step.approver_roles", [], r"approver_roles 应为非空的文字列表"),
        ("step.source", None, r"第 1 级延期：缺少字段 source"),
        ("step.days", -1, r"字段 days 应为正整数"),
        ("ruleset.industries", ["aviation"], r"规则集「demo」：行业 aviation 不存在"),
        ("ruleset.clocks", [], r"规则集「demo」：至少需要一个时限"),
        ("ruleset.source", None, r"规则集「demo」：缺少字段 source"),
    ],
)
def test_bad_rule_data_is_refused_with_a_chinese_message(path: str, value: Any, expected: str) -> None:
    with pytest.raises(RuleError, match=expected) as caught:
        parse_rulesets(_set(path, value))
    assert isinstance(caught.value, ValueError)
    assert "规则集「demo」" in str(caught.value)


def test_duplicate_clock_keys_are_refused() -> None:
    doc = copy.deepcopy(VALID)
    doc["rulesets"]["demo"]["clocks"].append(copy.deepcopy(_clock(doc)))
    with pytest.raises(RuleError, match="时限「decision」重复出现"):
        parse_rulesets(doc)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({}, "缺少 \\[rulesets\\] 表"),
        ({"rulesets": []}, "\\[rulesets\\]：应为一个表"),
        ({"rulesets": {}}, "没有任何规则集"),
        ({"rulesets": {"银行": VALID["rulesets"]["demo"]}}, "键名只能用英文字母"),
        ({"rulesets": VALID["rulesets"], "extra": 1}, "不认识的字段 extra"),
    ],
)
def test_bad_documents(doc: dict[str, Any], expected: str) -> None:
    with pytest.raises(RuleError, match=expected):
        parse_rulesets(doc)
